package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Summary is what one run of the job story established. Every figure was
// checked before it was recorded.
type Summary struct {
	Job             string
	Tasks, Accepted int
	Bought          uint64   // units the buyer bought (cash sale)
	Spent           uint64   // units the buyer paid: the accepted tasks' units
	Change          uint64   // units returned to the buyer as a token
	PaidOpen        uint64   // credited to open workers
	PaidStealth     uint64   // minted to stealth workers as tokens
	StealthBalances []uint64 // each stealth worker's wallet after the job
	Swapped         uint64   // units the stealth workers swapped at the gateway
	Transferred     uint64   // units a stealth worker sent to a fresh wallet
	Circuits        int      // client circuits open across the network
	Relaying        int      // circuit legs relays carry for others
	RelayedBytes    uint64   // cell bytes every node relayed for others, summed
	Took            time.Duration
}

// Run plays the job story once: buy, submit, wait, verify, pay, swap,
// transfer. It returns the summary or the first inconsistency.
func (d *Demo) Run(ctx context.Context) (*Summary, error) {
	start := time.Now()
	s := &Summary{Tasks: d.opts.Tasks, Bought: uint64(d.opts.Tasks) * unitsPerTask}
	token, err := d.buy(ctx, s.Bought)
	if err != nil {
		return nil, err
	}
	res, err := d.submit(ctx, token)
	if err != nil {
		return nil, err
	}
	if s.Change, err = verify(res); err != nil {
		return nil, err
	}
	s.Job, s.Accepted, s.Spent = res.ID, res.Accepted, res.Used
	d.progress("results verified against trial division; %d units spent, %d returned as change", s.Spent, s.Change)
	if s.PaidOpen, s.PaidStealth, s.StealthBalances, err = d.payouts(ctx, res.ID); err != nil {
		return nil, err
	}
	if s.PaidOpen+s.PaidStealth != s.Spent {
		return nil, fmt.Errorf("demo: workers paid %d units, the buyer spent %d", s.PaidOpen+s.PaidStealth, s.Spent)
	}
	d.progress("workers paid: %d units credited to open workers, %d minted as tokens to stealth workers", s.PaidOpen, s.PaidStealth)
	if err := d.circulate(ctx, s); err != nil {
		return nil, err
	}
	d.traffic(s)
	s.Took = time.Since(start)
	return s, nil
}

// circulate swaps every paid stealth worker's tokens and transfers part
// of the richest one's to a fresh wallet. A task's units are split among
// the replicas that agreed (compute.Payouts), so a worker whose replicas
// drew only the smaller shares of 1-unit tasks may hold nothing; one
// stealth worker at least must have been paid.
func (d *Demo) circulate(ctx context.Context, s *Summary) error {
	paid := 0
	for i, w := range d.stealth {
		if s.StealthBalances[i] == 0 {
			continue
		}
		paid++
		got, err := swapAll(ctx, w)
		if err != nil {
			return err
		}
		s.Swapped += got
	}
	if paid == 0 {
		return fmt.Errorf("demo: no stealth worker was paid")
	}
	d.progress("stealth workers swapped %d units at the gateway: their tokens are spendable", s.Swapped)
	var err error
	richest := 0
	for i, b := range s.StealthBalances {
		if b > s.StealthBalances[richest] {
			richest = i
		}
	}
	if s.Transferred, err = d.transfer(ctx, d.stealth[richest]); err != nil {
		return err
	}
	d.progress("a stealth worker sent a fresh wallet %d of its units", s.Transferred)
	return nil
}

// traffic sums the network's circuits and what relays carried.
func (d *Demo) traffic(s *Summary) {
	for _, n := range d.net.Nodes {
		s.Circuits += len(n.Onion().Circuits())
		s.RelayedBytes += n.Onion().RelayedBytes()
		s.Relaying += len(n.Onion().RelayedCircuits())
	}
}

// Print writes the summary as "label: value" lines.
func (s *Summary) Print(w io.Writer) {
	bal := make([]string, len(s.StealthBalances))
	for i, b := range s.StealthBalances {
		bal[i] = fmt.Sprint(b)
	}
	lines := [][2]string{
		{"job", s.Job},
		{"tasks accepted", fmt.Sprintf("%d of %d, every result verified", s.Accepted, s.Tasks)},
		{"units bought", fmt.Sprintf("%d (a cash sale the gateway's operator recorded)", s.Bought)},
		{"units spent by the buyer", fmt.Sprintf("%d (the accepted tasks' units)", s.Spent)},
		{"change returned", fmt.Sprintf("%d (as a token)", s.Change)},
		{"paid to open workers", fmt.Sprintf("%d (account credit)", s.PaidOpen)},
		{"paid to stealth workers", fmt.Sprintf("%d (tokens; wallets hold %s)", s.PaidStealth, strings.Join(bal, " and "))},
		{"paid in all", fmt.Sprintf("%d (what the buyer was charged: each accepted task's units, shared by the workers whose results agreed)", s.PaidOpen+s.PaidStealth)},
		{"swapped by stealth workers", fmt.Sprintf("%d (spendable: the gateway swapped them)", s.Swapped)},
		{"sent to a fresh wallet", fmt.Sprintf("%d (company B's market does not exist yet: the units stop there)", s.Transferred)},
		{"circuits open", fmt.Sprintf("%d (relays carry %d circuit legs for others)", s.Circuits, s.Relaying)},
		{"relayed bytes", fmt.Sprintf("%d (%s of cells, counted by every relay)", s.RelayedBytes, mib(s.RelayedBytes))},
		{"took", s.Took.Round(time.Millisecond).String()},
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%-27s %s\n", l[0]+":", l[1])
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
