package tortest

import (
	"context"
	"testing"
	"time"
)

func TestNetworkComesUpAndGoesAway(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	n, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready after %v", n.Ready)
	if len(n.Exits()) != 2 {
		t.Fatalf("exits = %d", len(n.Exits()))
	}
	if got := TorProcessesUsing(dir); len(got) != len(n.Relays) {
		t.Fatalf("tor processes using the dir: %v, want %d", got, len(n.Relays))
	}
	n.Close()
	if got := TorProcessesUsing(dir); len(got) != 0 {
		t.Fatalf("orphan tor processes after Close: %v", got)
	}
}
