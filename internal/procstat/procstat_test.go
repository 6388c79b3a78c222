package procstat

import (
	"os"
	"testing"
)

func TestRSSMiB(t *testing.T) {
	mib, err := RSSMiB(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if mib < 1 || mib > 4096 {
		t.Fatalf("implausible RSS %.1f MiB", mib)
	}
	if _, err := RSSMiB(-1); err == nil {
		t.Fatal("no error for a missing process")
	}
}
