package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Summary is what one run of the job story established. Every figure was
// read from the parties' own state, and each statement about them is a
// Check; the demo succeeds only when every check holds.
type Summary struct {
	Job             string        `json:"job"`
	Tasks           int           `json:"tasks"`
	Accepted        int           `json:"tasks_validated"` // accepted: 2 workers' results agreed, and matched trial division
	Bought          uint64        `json:"units_bought"`    // units the buyer bought (cash sale)
	Spent           uint64        `json:"units_spent"`     // units the buyer paid: the accepted tasks' units
	Change          uint64        `json:"units_change"`    // units returned to the buyer as a token
	PaidOpen        uint64        `json:"paid_open"`       // credited to open workers
	PaidStealth     uint64        `json:"paid_stealth"`    // minted to stealth workers as tokens
	StealthBalances []uint64      `json:"stealth_balances"`
	Swapped         uint64        `json:"swapped"`     // units the stealth workers swapped at the gateway
	Transferred     uint64        `json:"transferred"` // units a stealth worker sent to a fresh wallet
	Circuits        int           `json:"circuits_open"`
	Relaying        int           `json:"circuit_legs_relayed"`
	RelayedBytes    uint64        `json:"bytes_relayed"`
	Supply          Supply        `json:"supply"`
	Gateway         GatewayView   `json:"gateway_view_of_stealth_workers"`
	Market          MarketReport  `json:"market,omitempty"`
	Tor             *TorView      `json:"tor,omitempty"` // with Options.Tor
	Checks          []Check       `json:"checks"`
	Took            time.Duration `json:"took_ns"`
}

// ErrCheckFailed: a statement of the summary did not hold.
var ErrCheckFailed = errors.New("demo: a check failed")

// Run plays the job story once: buy, submit, wait, verify, pay, swap,
// transfer, then reads the gateway's supply and its view of the stealth
// workers. It returns the summary; with ErrCheckFailed when a check of it
// failed, or nil and the first error that stopped the story.
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
	d.progress("workers paid: %d units credited to open workers, %d minted as tokens to stealth workers", s.PaidOpen, s.PaidStealth)
	if err := d.circulate(ctx, s); err != nil {
		return nil, err
	}
	d.traffic(s)
	if err := d.check(ctx, s); err != nil {
		return nil, err
	}
	s.Took = time.Since(start)
	return s, s.Verdict()
}

// Verdict is nil when every check of the summary holds, else
// ErrCheckFailed naming the first that does not.
func (s *Summary) Verdict() error {
	for _, c := range s.Checks {
		if !c.OK {
			return fmt.Errorf("%w: %s: %s", ErrCheckFailed, c.Name, c.Detail)
		}
	}
	if len(s.Checks) == 0 {
		return fmt.Errorf("%w: no checks were made", ErrCheckFailed)
	}
	return nil
}

// check records the summary's checks: the job, the money, the market's
// when it runs, then the supply and the gateway's view, read last.
func (d *Demo) check(ctx context.Context, s *Summary) error {
	paid := s.PaidOpen + s.PaidStealth
	s.Checks = append(s.Checks,
		Check{"every task validated", s.Accepted == s.Tasks && s.Tasks > 0,
			fmt.Sprintf("%d of %d accepted by 2 agreeing workers and matched trial division", s.Accepted, s.Tasks)},
		Check{"buyer's units accounted for", s.Spent+s.Change == s.Bought,
			fmt.Sprintf("spent %d + change %d = bought %d", s.Spent, s.Change, s.Bought)},
		Check{"workers paid what the buyer spent", paid == s.Spent,
			fmt.Sprintf("credit %d + tokens %d = %d, spent %d", s.PaidOpen, s.PaidStealth, paid, s.Spent)},
		Check{"stealth tokens spendable", s.PaidStealth > 0 && s.Swapped == s.PaidStealth,
			fmt.Sprintf("paid %d, swapped %d", s.PaidStealth, s.Swapped)})
	var err error
	// The market part moves units too (a purchase, its change, the
	// seller's withdrawal), so it runs before the ledger is read: the
	// summary's supply is the gateway's store as the demo leaves it.
	if marketPart != nil {
		if s.Market, err = marketPart(ctx, d); err != nil {
			return err
		}
		s.Checks = append(s.Checks, s.Market.Checks()...)
	}
	var c Check
	if s.Supply, c, err = d.supply(ctx); err != nil {
		return err
	}
	s.Checks = append(s.Checks, c, Check{"payouts covered by consumed units and allowed issuance",
		paid <= s.Supply.Consumed+s.Supply.DailyCap,
		fmt.Sprintf("paid %d ≤ consumed %d + daily cap %d", paid, s.Supply.Consumed, s.Supply.DailyCap)})
	d.progress("the gateway's ledger: %d units issued, %d consumed, %d outstanding; %s", s.Supply.Issued, s.Supply.Consumed, s.Supply.Outstanding, okWord(c.OK))
	if s.Gateway, c, err = d.gatewayView(); err != nil {
		return err
	}
	s.Checks = append(s.Checks, c)
	d.progress("what the gateway knows of the stealth workers: %s", c.Detail)
	if d.tor != nil {
		v, c := d.torView()
		s.Tor = &v
		s.Checks = append(s.Checks, c)
		d.progress("the stealth workers' links: %s", c.Detail)
	}
	return nil
}

func okWord(ok bool) string {
	if ok {
		return "the supply invariant holds"
	}
	return "the supply invariant FAILS"
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
	if s.Transferred == 0 {
		d.progress("the richest stealth worker holds 1 unit: it keeps it for the market instead of sending half to a fresh wallet")
	} else {
		d.progress("a stealth worker sent a fresh wallet %d of its units", s.Transferred)
	}
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

// Print writes the summary as "label: value" lines, then the checks.
func (s *Summary) Print(w io.Writer) {
	bal := make([]string, len(s.StealthBalances))
	for i, b := range s.StealthBalances {
		bal[i] = fmt.Sprint(b)
	}
	g := s.Gateway
	lines := [][2]string{
		{"job", s.Job},
		{"tasks validated", fmt.Sprintf("%d of %d (two workers agreed on each, and trial division confirms it)", s.Accepted, s.Tasks)},
		{"units bought", fmt.Sprintf("%d (a cash sale the gateway's operator recorded)", s.Bought)},
		{"units spent by the buyer", fmt.Sprintf("%d (the accepted tasks' units)", s.Spent)},
		{"change returned", fmt.Sprintf("%d (as a token: bought = spent + change)", s.Change)},
		{"paid to open workers", fmt.Sprintf("%d (account credit)", s.PaidOpen)},
		{"paid to stealth workers", fmt.Sprintf("%d (tokens; wallets hold %s)", s.PaidStealth, strings.Join(bal, " and "))},
		{"paid in all", fmt.Sprintf("%d = what the buyer spent: each accepted task's units paid once, split among the workers whose results agreed", s.PaidOpen+s.PaidStealth)},
		{"swapped by stealth workers", fmt.Sprintf("%d (spendable: the gateway swapped them)", s.Swapped)},
		{"sent to a fresh wallet", fmt.Sprintf("%d (units circulate as currency)", s.Transferred)},
		{"units issued", fmt.Sprintf("%d (every signature: the sale, the stealth payouts, and each swap's fresh outputs)", s.Supply.Issued)},
		{"units consumed", fmt.Sprintf("%d (spent: the buyer's escrow, swapped inputs)", s.Supply.Consumed)},
		{"units outstanding", fmt.Sprintf("%d = issued − consumed; %d issued today of a daily cap of %d", s.Supply.Outstanding, s.Supply.MintedToday, s.Supply.DailyCap)},
		{"circuits open", fmt.Sprintf("%d (relays carry %d circuit legs for others)", s.Circuits, s.Relaying)},
		{"relayed bytes", fmt.Sprintf("%d (%s of cells, counted by every relay)", s.RelayedBytes, mib(s.RelayedBytes))},
		{"gateway's stealth records", fmt.Sprintf("%d (of %d stealth workers: %d peer IDs in its stores, %d connections, %d addresses)",
			g.RecordsWithPeerID+g.Connections+g.KnownAddresses, g.StealthWorkers, g.RecordsWithPeerID, g.Connections, g.KnownAddresses)},
	}
	if s.Market != nil {
		lines = append(lines, s.Market.Lines()...)
	} else {
		lines = append(lines, [2]string{"market", "not part of this demo yet"})
	}
	if t := s.Tor; t != nil {
		lines = append(lines, [2]string{"stealth links over Tor", fmt.Sprintf("%d of %d links to stealth workers come from Tor exits (%d direct)", t.FromExits, t.Links, t.FromUs)})
	}
	lines = append(lines, [2]string{"took", s.Took.Round(time.Millisecond).String()})
	for _, l := range lines {
		fmt.Fprintf(w, "%-27s %s\n", l[0]+":", l[1])
	}
	for _, c := range s.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "check %s %s: %s\n", mark, c.Name, c.Detail)
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
