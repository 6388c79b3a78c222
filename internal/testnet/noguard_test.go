package testnet

import (
	"context"
	"errors"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"
)

// TestCircuitNeverWithoutGuard: the attacker runs every relay of the
// network as a gateway, so no relay may be an entry guard. A client must
// then build no circuit at all, failing with ErrNoGuard after its bounded
// backoff, instead of falling back to a random (here hostile) first hop
// as the old code did.
func TestCircuitNeverWithoutGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	t.Parallel()
	net, err := Start(t.TempDir(), Options{N: 5, Roles: func(int) []string { return []string{"relay", "gateway"} }})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, 4); err != nil {
		t.Fatal(err)
	}
	client, err := net.Add(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for client.Overlay().Directory().Len() < 5 {
		if ctx.Err() != nil {
			t.Fatal("client directory never filled")
		}
		time.Sleep(100 * time.Millisecond)
	}
	c, err := client.BuildCircuit(ctx, node.Target{Role: overlay.RoleGateway})
	if err == nil {
		c.Close()
		t.Fatal("a circuit was built without an entry guard")
	}
	if !errors.Is(err, overlay.ErrNoGuard) {
		t.Fatalf("error %v does not wrap ErrNoGuard", err)
	}
	if n := len(client.Onion().Circuits()); n != 0 {
		t.Fatalf("client holds %d circuits", n)
	}
	if len(client.Status().Guards) != 0 {
		t.Fatal("a gateway became an entry guard")
	}
}
