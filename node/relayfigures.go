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
	d := n.circ.DefenceCounters()
	return service.RelayFigures{
		Circuits: len(n.circ.RelayedCircuits()),
		Cells:    bytes / onion.CellSize,
		Bytes:    bytes,
		Counters: []service.Counter{
			{Name: "unexpected_cells", Help: "cells refused as out of place (each closed its circuit)", Value: n.circ.UnexpectedCells()},
			{Name: "descriptors_rejected", Help: "relay descriptors the directory refused", Value: uint64(rejected)},
			{Name: "creates_handled", Help: "CREATEs answered by the handshake workers", Value: d.CreatesHandled},
			{Name: "creates_standing", Help: "of those, CREATEs from neighbours with standing (served first)", Value: d.CreatesStanding},
			{Name: "creates_refused_queue_full", Help: "CREATEs refused: handshake queue full", Value: d.CreateQueueFull},
			{Name: "creates_refused_peer_rate", Help: "CREATEs refused by the per-peer bucket", Value: d.PeerRateRefused},
			{Name: "creates_refused_subnet_rate", Help: "CREATEs refused by the per-/16 bucket", Value: d.SubnetRateRefused},
			{Name: "creates_refused_peer_cap", Help: "CREATEs refused: the peer holds its circuit quota", Value: d.PeerCapRefused},
			{Name: "creates_refused_circuit_cap", Help: "CREATEs refused: the relay's circuit cap", Value: d.CircuitCapRefused},
			{Name: "links_refused", Help: "extra links a neighbour opened, reset", Value: d.LinksRefused},
			{Name: "retired_creates", Help: "CREATEs dropped on a retiring duplicate link past its grace", Value: d.RetiredCreates},
			{Name: "window_violations", Help: "circuits closed for overrunning a window", Value: d.WindowViolations},
			{Name: "unwindowed_closed", Help: "circuits closed for too many unwindowed cells", Value: d.UnwindowedClosed},
			{Name: "oom_closed", Help: "circuits closed by the queue memory budget", Value: d.OOMClosed},
			{Name: "extend_unknown", Help: "EXTENDs refused: unknown relay, lookup spent or busy", Value: d.ExtendUnknown},
			{Name: "extend_lookups", Help: "descriptor lookups EXTENDs caused", Value: d.ExtendLookups},
			{Name: "read_pauses", Help: "link reads paused: an output queue past its high mark", Value: d.Backpressured},
			{Name: "replays_refused", Help: "CREATEs refused: handshake ephemeral already seen", Value: d.ReplaysRefused},
			{Name: "creates_refused_replay_full", Help: "CREATEs refused: the onion key's replay set is full", Value: d.ReplayFullRefused},
		},
		Gauges: []service.Counter{
			{Name: "queued_cells", Help: "cells queued on all links now", Value: uint64(max(d.QueuedCells, 0))},
			{Name: "handshake_queue", Help: "CREATEs waiting for a handshake worker now", Value: uint64(max(d.HandshakeQueueLen, 0))},
		},
	}
}
