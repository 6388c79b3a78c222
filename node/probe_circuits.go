package node

import (
	"context"
	"net"

	"cyclecash/node/probe"
	"cyclecash/overlay"
)

// probeCircuits adapts fresh overlay circuits for the probe service.
type probeCircuits struct{ n *Node }

func (p probeCircuits) Check(to string) error { _, err := ParseTarget(to); return err }
func (p probeCircuits) MaxHops() int          { return overlay.MaxHops }
func (p probeCircuits) DefaultHops() int      { return overlay.DefaultHops }

func (p probeCircuits) Build(ctx context.Context, to string, hops int) (probe.Circuit, error) {
	t, err := ParseTarget(to)
	if err != nil {
		return nil, err
	}
	t.Hops = hops
	c, err := p.n.BuildCircuit(ctx, t)
	if err != nil {
		return nil, err
	}
	return probeCircuit{c}, nil
}

type probeCircuit struct{ *overlay.Circuit }

func (c probeCircuit) Destination() string { return c.Circuit.Destination().String() }

func (c probeCircuit) Echo(ctx context.Context) (net.Conn, error) {
	s, err := c.Dial(ctx, overlay.EchoService)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (c probeCircuit) Discard(ctx context.Context) (net.Conn, error) {
	s, err := c.Dial(ctx, overlay.DiscardService)
	if err != nil {
		return nil, err
	}
	return s, nil
}
