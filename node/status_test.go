package node

import (
	"strings"
	"testing"
	"time"
)

// TestGuardText: the status text names every sampled guard, which are
// primary and confirmed, and why each set-aside one is not used, then the
// layer-2 guards.
func TestGuardText(t *testing.T) {
	t.Parallel()
	until := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	st := Status{GuardSet: []GuardSetEntry{
		{Peer: "12D3KooWA", Primary: true, Confirmed: true, Expires: until, Circuits: 9, Succeeded: 9},
		{Peer: "12D3KooWB", Primary: true, Expires: until, Excluded: "unreachable"},
		{Peer: "12D3KooWC", Expires: until, Excluded: "not eligible"},
		{Peer: "12D3KooWD", Expires: until, Circuits: 20, Excluded: "path bias"},
	}, Vanguards: []VanguardStatus{
		{Peer: "12D3KooWE", Expires: until, Listed: true},
		{Peer: "12D3KooWF", Expires: until},
	}}
	got := st.GuardText()
	for _, want := range []string{
		"guard set  4 sampled, 2 primary, 1 confirmed\n",
		"12D3KooWA  primary, confirmed, usable, 9/9 circuits built, until 2027-01-02\n",
		"12D3KooWB  primary, set aside: unreachable,",
		"12D3KooWC  sampled, set aside: not eligible,",
		"12D3KooWD  sampled, set aside: path bias, 0/20 circuits",
		"layer-2 guards  2 (second hop of hidden-service circuits)\n",
		"12D3KooWE  listed, until 2027-01-02 00:00\n",
		"12D3KooWF  not listed, until",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("status text lacks %q:\n%s", want, got)
		}
	}
	if (Status{}).GuardText() != "" {
		t.Error("empty guard set rendered")
	}
}
