package hs_test

import (
	"testing"

	"cyclecash/onion"
	"cyclecash/onion/hs"
)

// TestMessagesFitOneRelayCell ties this package's size budget to onion's
// relay-cell framing (a test-only import: hs itself imports nothing of
// ours), so a change to the cell layout fails here, not on the wire.
func TestMessagesFitOneRelayCell(t *testing.T) {
	if hs.MaxMessage != onion.MaxRelayData {
		t.Fatalf("hs.MaxMessage %d != onion.MaxRelayData %d", hs.MaxMessage, onion.MaxRelayData)
	}
	for name, n := range map[string]int{
		"ESTABLISH_INTRO": hs.EstablishIntroSize, "INTRODUCE1": hs.Introduce1Size,
		"RENDEZVOUS1": hs.CookieSize + hs.Rendezvous2Size, "E2E": hs.MaxMessage,
	} {
		if n > onion.MaxRelayData {
			t.Errorf("%s: %d bytes > %d", name, n, onion.MaxRelayData)
		}
	}
	for c := hs.CmdEstablishIntro; c <= hs.CmdE2E; c++ {
		if rc := onion.RelayCommand(c); rc < onion.RelayHSFirst || rc > onion.RelayHSLast || !rc.Valid() {
			t.Errorf("command %d outside onion's hidden-service range", c)
		}
	}
}
