package demo

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/proxy"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// The market part of the story (DESIGN section 10): a stealth worker
// spends the units it earned at company B's market. A seller lists a
// sample item; the worker pays it with a token from its wallet (with a
// unit of change), confirms, and the seller withdraws the price as a
// token a fresh wallet receives. The site is reached by its .mesh
// address, through the buyer node's SOCKS5 proxy and a rendezvous; the
// market's node serves the site on loopback only.

// MarketSummary is what the market part established; every figure was
// checked before it was recorded.
type MarketSummary struct {
	Listing     string `json:"listing"`   // the listing the stealth worker bought
	Order       string `json:"order"`     // the order, released to the seller
	Price       uint64 `json:"price"`     // units the order cost
	Paid        uint64 `json:"paid"`      // units of the token the worker pasted
	Change      uint64 `json:"change"`    // units returned as change, received back by the worker
	Withdrawn   uint64 `json:"withdrawn"` // units the seller withdrew, received by a fresh wallet
	Spent       bool   `json:"spent"`     // the worker's token is SPENT at the gateway
	ReplayError string `json:"replay_error"`
	Mesh        string `json:"mesh"`       // the market's hidden-service address
	Rendezvous  uint64 `json:"rendezvous"` // introductions the market's service answered` // what the market said to the same token pasted again
}

// marketConfig makes a node the market: a relay serving the site on a
// loopback port that its hidden service "market" maps .mesh:80 to (as
// Tor's HiddenServicePort does). The port is picked here because the
// mapping names it before the market listens.
func marketConfig(c *node.Config) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.Roles = []string{"relay", "market"}
	c.Market.Listen = port
	c.HiddenServices = []node.HSServiceConfig{{Name: "market", Ports: []string{"80 " + port}}}
	return nil
}

// freePort is a loopback address nothing listens on right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo: picking the market's port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// marketMesh waits until the market's hidden service has published its
// descriptor and returns its .mesh address.
func (d *Demo) marketMesh(ctx context.Context) (string, error) {
	for {
		if st := d.market.HiddenServices(); len(st) == 1 && st[0].Published > 0 && st[0].IntroPoints > 0 {
			return st[0].Address, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("demo: the market's hidden service never published its descriptor: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// SpendAtMarket plays the market part with the stealth worker holding
// the most units.
func (d *Demo) SpendAtMarket(ctx context.Context) (*MarketSummary, error) {
	if d.market == nil {
		return nil, errors.New("demo: no market node")
	}
	wl, err := d.richestStealth()
	if err != nil {
		return nil, err
	}
	s := &MarketSummary{Price: max(wl.Balance()/2, 1)}
	s.Paid = min(wl.Balance(), s.Price+1)
	mesh, err := d.marketMesh(ctx)
	if err != nil {
		return nil, err
	}
	d.progress("the market is the hidden service %s; its shoppers reach it through the buyer node's SOCKS5 proxy", mesh)
	seller, buyer := d.newShopper(mesh), d.newShopper(mesh)
	if err := seller.signup(ctx); err != nil {
		return nil, err
	}
	if err := buyer.signup(ctx); err != nil {
		return nil, err
	}
	if s.Listing, err = seller.list(ctx, s.Price); err != nil {
		return nil, err
	}
	d.progress("the market lists %q for %d units; a stealth worker pays it from its earnings", "Prime table", s.Price)
	tok, err := wl.Send(ctx, s.Paid, "market")
	if err != nil {
		return nil, fmt.Errorf("demo: stealth worker sending %d units: %w", s.Paid, err)
	}
	page, err := buyer.buy(ctx, s.Listing, s.Price, tok)
	if err != nil {
		return nil, err
	}
	s.Order = strings.TrimPrefix(buyer.path, "/o/")
	if err := d.takeChange(ctx, wl, page, s); err != nil {
		return nil, err
	}
	if s.Spent, err = spentAt(ctx, d.gw, tok); err != nil || !s.Spent {
		return nil, fmt.Errorf("demo: the worker's token is not SPENT at the gateway (%v)", err)
	}
	if _, err := buyer.buy(ctx, s.Listing, s.Price, tok); err == nil {
		return nil, errors.New("demo: the market took the same token twice")
	} else {
		s.ReplayError = err.Error()
	}
	if err := buyer.confirm(ctx, s.Order); err != nil {
		return nil, err
	}
	if s.Withdrawn, err = d.withdrawTo(ctx, seller, s.Price); err != nil {
		return nil, err
	}
	d.progress("order %s released; the seller withdrew %d units into a fresh wallet", s.Order, s.Withdrawn)
	s.Mesh = mesh
	if st := d.market.HiddenServices(); len(st) == 1 {
		s.Rendezvous = st[0].Served
	}
	return s, nil
}

// richestStealth opens the wallet of the stealth worker holding most.
func (d *Demo) richestStealth() (*wallet.Wallet, error) {
	var best *wallet.Wallet
	for _, w := range d.stealth {
		wl, err := stealthWallet(w)
		if err != nil {
			return nil, err
		}
		if best == nil || wl.Balance() > best.Balance() {
			best = wl
		}
	}
	if best == nil || best.Balance() == 0 {
		return nil, errors.New("demo: no stealth worker holds units to spend")
	}
	return best, nil
}

// takeChange receives the order's change (if any) back into the wallet.
func (d *Demo) takeChange(ctx context.Context, wl *wallet.Wallet, page string, s *MarketSummary) error {
	if s.Paid == s.Price {
		return nil
	}
	change, ok := field(page, `(?s)id="change" readonly>([^<]+)<`)
	if !ok {
		return errors.New("demo: the order page shows no change")
	}
	got, err := wl.Receive(ctx, change)
	if err != nil || got != s.Paid-s.Price {
		return fmt.Errorf("demo: change of %d units received as %d: %v", s.Paid-s.Price, got, err)
	}
	s.Change = got
	return nil
}

// withdrawTo withdraws the seller's balance and receives it in a fresh
// wallet that reaches the gateway through the buyer node's circuits.
func (d *Demo) withdrawTo(ctx context.Context, seller *shopper, amount uint64) (uint64, error) {
	page, err := seller.post(ctx, "/withdraw", url.Values{"amount": {fmt.Sprint(amount)}})
	if err != nil {
		return 0, err
	}
	tok, ok := field(page, `(?s)id="token" readonly>([^<]+)<`)
	if !ok {
		return 0, errors.New("demo: the withdrawal page shows no token")
	}
	hc, err := meshClient(d.buyer)
	if err != nil {
		return 0, err
	}
	to, err := wallet.Create(filepath.Join(d.opts.Dir, "seller-wallet"), meshLedger, hc, nil)
	if err != nil {
		return 0, fmt.Errorf("demo: seller wallet: %w", err)
	}
	got, err := to.Receive(ctx, tok)
	if err != nil || got != amount {
		return 0, fmt.Errorf("demo: the seller's wallet received %d of %d units: %v", got, amount, err)
	}
	return got, nil
}

// spentAt reports whether every proof of token is SPENT at the gateway.
func spentAt(ctx context.Context, gw *node.Node, token string) (bool, error) {
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		return false, err
	}
	ys := make([]ledger.Point, len(tok.Proofs))
	for i, p := range tok.Proofs {
		if ys[i], err = p.Y(); err != nil {
			return false, err
		}
	}
	states, err := gw.Ledger().Mint().CheckState(ctx, ys)
	if err != nil {
		return false, err
	}
	for _, st := range states {
		if st.State != ledger.Spent {
			return false, nil
		}
	}
	return len(states) == len(ys), nil
}

// shopper is one visitor of the site with a cookie jar.
type shopper struct {
	base string
	c    *http.Client
	path string // of the last page, after redirects
}

// newShopper is a browser-like client of the market at its .mesh
// address: every connection is a SOCKS5 CONNECT by name to the buyer
// node's proxy, so the shopper's address never reaches the market.
func (d *Demo) newShopper(mesh string) *shopper {
	jar, _ := cookiejar.New(nil)
	dialer, _ := proxy.SOCKS5("tcp", d.buyer.SocksAddr().String(), nil, proxy.Direct)
	tr := &http.Transport{DialContext: dialer.(proxy.ContextDialer).DialContext}
	return &shopper{base: "http://" + mesh, c: &http.Client{Jar: jar, Transport: tr, Timeout: 2 * time.Minute}}
}

var (
	csrfRe  = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	errorRe = regexp.MustCompile(`id="error">([^<]*)<`)
)

func field(page, re string) (string, bool) {
	m := regexp.MustCompile(re).FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

func (s *shopper) do(req *http.Request) (string, error) {
	resp, err := s.c.Do(req)
	if err != nil {
		return "", fmt.Errorf("demo: market: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	s.path = resp.Request.URL.Path
	if err == nil && resp.StatusCode != http.StatusOK {
		msg := "status " + resp.Status
		if m := errorRe.FindSubmatch(b); m != nil {
			msg = html.UnescapeString(string(m[1]))
		}
		err = errors.New(msg)
	}
	return string(b), err
}

// post submits a form as its page would: with the CSRF token and a nonce.
func (s *shopper) post(ctx context.Context, path string, form url.Values) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/signup", nil)
	page, err := s.do(req)
	m := csrfRe.FindStringSubmatch(page)
	if err != nil || m == nil {
		return "", fmt.Errorf("demo: market: no form token (%v)", err)
	}
	form.Set("csrf", m[1])
	form.Set("nonce", fmt.Sprintf("%016x", time.Now().UnixNano()))
	req, _ = http.NewRequestWithContext(ctx, "POST", s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

func (s *shopper) signup(ctx context.Context) error {
	_, err := s.post(ctx, "/signup", url.Values{})
	return err
}

func (s *shopper) list(ctx context.Context, price uint64) (string, error) {
	_, err := s.post(ctx, "/sell", url.Values{"title": {"Prime table to 10^6"}, "description": {"Counted by the stealth network."},
		"category": {"compute"}, "price": {fmt.Sprint(price)}, "quantity": {"1"}})
	if err == nil && !strings.HasPrefix(s.path, "/l/") {
		err = errors.New("demo: market: the listing was not created")
	}
	return strings.TrimPrefix(s.path, "/l/"), err
}

func (s *shopper) buy(ctx context.Context, listing string, price uint64, token string) (string, error) {
	return s.post(ctx, "/l/"+listing+"/buy", url.Values{"qty": {"1"}, "price": {fmt.Sprint(price)}, "token": {token}, "pay": {"token"}})
}

func (s *shopper) confirm(ctx context.Context, order string) error {
	page, err := s.post(ctx, "/o/"+order+"/confirm", url.Values{})
	if st, _ := field(page, `id="state">(\w+)<`); err == nil && st != "released" {
		err = fmt.Errorf("demo: market: order %s is %q after confirmation", order, st)
	}
	return err
}

func init() {
	marketPart = func(ctx context.Context, d *Demo) (MarketReport, error) {
		return d.SpendAtMarket(ctx)
	}
}

// Lines are the market's lines in the demo's summary.
func (s *MarketSummary) Lines() [][2]string {
	return [][2]string{
		{"market order", fmt.Sprintf("%s: %d units for listing %s, paid with %d, %d change back", s.Order, s.Price, s.Listing, s.Paid, s.Change)},
		{"seller withdrew", fmt.Sprintf("%d units, received by a fresh wallet", s.Withdrawn)},
		{"same token again", s.ReplayError},
		{"market site", fmt.Sprintf("%s (hidden service, %d rendezvous)", s.Mesh, s.Rendezvous)},
	}
}

// Checks are the market's checked statements: each was established by
// SpendAtMarket against the gateway, not assumed.
func (s *MarketSummary) Checks() []Check {
	return []Check{
		{"the market's payment is SPENT at the gateway", s.Spent, fmt.Sprintf("order %s", s.Order)},
		{"the market refuses a token twice", s.ReplayError != "", s.ReplayError},
		{"price + change = what the buyer paid", s.Price+s.Change == s.Paid, fmt.Sprintf("%d + %d = %d", s.Price, s.Change, s.Paid)},
		{"the seller withdrew the price", s.Withdrawn == s.Price, fmt.Sprintf("withdrew %d of %d", s.Withdrawn, s.Price)},
		{"shoppers reached the market through its hidden service", s.Rendezvous > 0 && strings.HasSuffix(s.Mesh, ".mesh"),
			fmt.Sprintf("%d introductions answered by %s", s.Rendezvous, s.Mesh)},
	}
}
