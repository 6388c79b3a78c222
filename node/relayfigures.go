package node

import (
	"cyclecash/node/service"
	"cyclecash/onion"
)

// relayFigures are the relay's counters for the dashboard and metrics
// (service.FiguresRelay). A node that relays nothing (a confined client)
// reports none. Adding a counter is one line in Counters (cumulative) or
// Gauges (a level now).
func (n *Node) relayFigures() service.RelayFigures {
	rejected := 0
	for _, v := range n.ov.Directory().Rejections() {
		rejected += v
	}
	bytes := n.circ.RelayedBytes()
	return service.RelayFigures{
		Circuits: len(n.circ.RelayedCircuits()),
		Cells:    bytes / onion.CellSize,
		Bytes:    bytes,
		Counters: []service.Counter{
			{Name: "unexpected_cells", Help: "cells refused as out of place (each closed its circuit)", Value: n.circ.UnexpectedCells()},
			{Name: "descriptors_rejected", Help: "relay descriptors the directory refused", Value: uint64(rejected)},
		},
		Gauges: []service.Counter{},
	}
}
