package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cyclecash/node"
)

func cmdInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("init", stderr)
	data := fs.String("data", "", "data directory to create (required)")
	force := fs.Bool("force", false, "overwrite an existing node.toml (keys are never overwritten)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("init: --data DIR is required")
	}
	abs, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	if err := dataDirUnusable("init", abs); err != nil {
		return err
	}
	cfg := node.Defaults()
	cfg.DataDir = abs
	path := filepath.Join(abs, "node.toml")
	if _, err := os.Stat(path); err == nil && !*force {
		return fmt.Errorf("init: %s exists (use --force to rewrite it)", path)
	}
	id, err := node.InitKeys(abs)
	if err != nil {
		return err
	}
	text, err := renderConfig(cfg)
	if err != nil {
		return err
	}
	if err := node.WriteFileAtomic(path, text, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "peer %s\nconfig %s\n", id, path)
	return nil
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	var f nodeFlags
	f.register(fs)
	check := fs.Bool("check", false, "check the configuration and exit: the node is set up as for a start (keys, stores, listeners) and closed at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := f.load(fs)
	if err != nil {
		return err
	}
	log, err := node.NewLogger(stderr, cfg.WithDefaults().LogLevel)
	if err != nil {
		return err
	}
	n, err := node.New(cfg, log)
	if err != nil {
		return err
	}
	defer n.Close()
	if *check {
		fmt.Fprintf(stdout, "config ok: peer %s\n", n.ID())
		return nil
	}
	if n.CreatedIdentity() {
		log.Info("created a new identity", "data", cfg.DataDir)
	}
	fmt.Fprintf(stdout, "peer %s\n", n.ID())
	for _, a := range n.P2PAddrs() {
		fmt.Fprintf(stdout, "listen %s\n", a)
	}
	if a := n.LedgerAddr(); a != "" {
		fmt.Fprintf(stdout, "ledger http://%s\n", a)
	}
	if a := n.MarketAddr(); a != "" {
		fmt.Fprintln(stdout, marketLine(a, marketMesh(cfg.HiddenServices, n.HiddenServices(), a)))
	}
	for _, h := range n.HiddenServices() {
		fmt.Fprintf(stdout, "hidden service %s %s\n", h.Name, h.Address)
	}
	if st := n.SocksStatus(); st.State != "off" {
		fmt.Fprintf(stdout, "socks %s %s\n", st.Addr, st.State)
	}
	fmt.Fprintf(stdout, "api %s\n", n.APIAddr())
	if a := n.MetricsAddr(); a != "" {
		fmt.Fprintf(stdout, "metrics http://%s/metrics\n", a)
	}
	fmt.Fprintf(stdout, "dashboard %s\n", n.DashboardURL())
	log.Info("node running", "peer", n.ID(), "roles", strings.Join(cfg.WithDefaults().Roles, ","))
	err = n.Run(ctx)
	log.Info("node stopped")
	return err
}

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", stderr)
	var api apiFlags
	api.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	client, err := api.client("status")
	if err != nil {
		return err
	}
	st, err := client.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStatus(stdout, st)
	return nil
}

func printStatus(w io.Writer, st *node.Status) {
	fmt.Fprintf(w, "peer       %s\nroles      %s\nuptime     %s\n", st.Peer, strings.Join(st.Roles, ", "), st.Uptime)
	for _, a := range st.Addrs {
		fmt.Fprintf(w, "address    %s\n", a)
	}
	fmt.Fprintf(w, "dht peers  %d\ndirectory  %d relays\n", st.RoutingTable, st.Directory)
	fmt.Fprintf(w, "circuits   %d open, relaying %d for others\n", len(st.Circuits), st.Relaying)
	fmt.Fprintf(w, "socks      %s %s\n", st.Socks.State, st.Socks.Addr)
	for _, h := range st.HiddenServices {
		fmt.Fprintf(w, "hidden     %s %s, %d intro points, %d served\n", h.Name, h.Address, h.IntroPoints, h.Served)
	}
	for _, c := range st.Circuits {
		fmt.Fprintf(w, "circuit    %d hops, %s old, %d streams, %d B sent, %d B received\n", c.Hops, c.Age, c.Streams, c.Sent, c.Received)
	}
	for reason, n := range st.Rejected {
		fmt.Fprintf(w, "rejected   %d × %s\n", n, reason)
	}
	for i, g := range st.Guards {
		state := "in directory"
		if !g.InDirectory {
			state = "not seen"
		}
		fmt.Fprintf(w, "guard %d    %s, %s, until %s\n", i+1, g.Peer, state, g.Expires.Format("2006-01-02"))
	}
	fmt.Fprint(w, st.GuardText())
	if d := st.RelayDefence; d.CreatesHandled > 0 {
		refused := d.CreateQueueFull + d.PeerRateRefused + d.SubnetRateRefused + d.PeerCapRefused + d.CircuitCapRefused
		fmt.Fprintf(w, "defences   %d CREATEs answered, %d refused; %d circuits closed (window %d, unwindowed %d, memory %d)\n",
			d.CreatesHandled, refused, d.WindowViolations+d.UnwindowedClosed+d.OOMClosed, d.WindowViolations, d.UnwindowedClosed, d.OOMClosed)
	}
	if t := st.Tor; t != nil {
		fmt.Fprintf(w, "tor        %s, bootstrap %d%% %s %s\n", t.Phase, t.Percent, t.Error, t.Issue)
		for _, o := range t.Onions {
			fmt.Fprintf(w, "onion      %s %s\n", o.Name, o.Addr)
		}
	}
}
