package overlay

import (
	"context"
	"fmt"

	"cyclecash/onion"
)

// hsInbox bounds the hidden-service messages queued on one circuit for its
// reader. The end-to-end layer's own window (node/hs) keeps an honest
// peer far below it; a circuit that overflows it is closed.
const hsInbox = 1024

// HSMsg is one hidden-service message (a relay command in onion's
// hidden-service range and its data) from the circuit's last hop.
type HSMsg struct {
	Cmd  uint8
	Data []byte
}

// HSCircuit carries hidden-service messages to and from a circuit's last
// hop (an introduction point, a rendezvous point). A circuit opened for
// them is exempt from the idle expiry; Close it when done.
type HSCircuit struct {
	c  *Circuit
	in chan HSMsg
}

// HiddenService lets c carry hidden-service cells (any other circuit
// closes on one: onion.ErrUnexpectedCell) and returns their endpoint. It
// returns the same endpoint when called again.
func (c *Circuit) HiddenService() *HSCircuit {
	c.o.mu.Lock()
	defer c.o.unlock()
	if c.hs == nil {
		c.cc.AllowHiddenService()
		c.hs = &HSCircuit{c: c, in: make(chan HSMsg, hsInbox)}
	}
	return c.hs
}

// Circuit is the underlying circuit.
func (h *HSCircuit) Circuit() *Circuit { return h.c }

// Send sends a hidden-service message to the last hop.
func (h *HSCircuit) Send(cmd uint8, data []byte) error {
	o := h.c.o
	o.mu.Lock()
	defer o.unlock()
	if h.c.err != nil {
		return h.c.err
	}
	cells, err := h.c.cc.SendRelay(h.c.cc.Hops(), onion.RelayMsg{Cmd: onion.RelayCommand(cmd), Data: data}, o.cells[:0])
	if err != nil {
		o.cells = cells[:0]
		return fmt.Errorf("%w: %w", ErrCircuitBroken, err)
	}
	h.c.lastUsed = o.now
	o.sendCells(h.c, cells)
	return nil
}

// Recv returns the next message from the last hop, or the circuit's error
// once it is gone and nothing is left queued.
func (h *HSCircuit) Recv(ctx context.Context) (HSMsg, error) {
	select {
	case m := <-h.in:
		return m, nil
	default:
	}
	select {
	case m := <-h.in:
		return m, nil
	case <-h.c.done:
		select {
		case m := <-h.in:
			return m, nil
		default:
			return HSMsg{}, h.c.Err()
		}
	case <-ctx.Done():
		return HSMsg{}, ctx.Err()
	}
}

// Done is closed when the circuit is gone.
func (h *HSCircuit) Done() <-chan struct{} { return h.c.done }

// Close destroys the circuit.
func (h *HSCircuit) Close() error { return h.c.Close() }

// hsDeliver queues a hidden-service message for the circuit's reader; o.mu
// held. onion.ClientCircuit only delivers them once AllowHiddenService ran,
// so c.hs is set.
func (o *Onion) hsDeliver(c *Circuit, ev onion.Event) {
	if c.hs == nil {
		o.destroyCircuit(c, fmt.Errorf("%w: hidden-service cell on a plain circuit", ErrCircuitBroken))
		return
	}
	select {
	case c.hs.in <- HSMsg{Cmd: uint8(ev.Cmd), Data: append([]byte(nil), ev.Data...)}:
	default:
		o.destroyCircuit(c, fmt.Errorf("%w: hidden-service messages beyond the window", ErrCircuitBroken))
	}
}
