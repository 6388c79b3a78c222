package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"cyclecash/node"
)

// cmdProbe is the mesh's traceroute and speed test: the running node builds
// circuits to a destination and moves data through its echo service.
func cmdProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", stderr)
	var api apiFlags
	api.register(fs)
	to := fs.String("to", "role:gateway", "destination: a peer ID or role:NAME")
	hops := fs.Int("hops", 3, "relays before the destination (1-7)")
	count := fs.Int("count", 1, "circuits to build, one after another")
	size := fs.Int("size", 1<<20, "bytes to echo through each circuit")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	client, err := api.client("probe")
	if err != nil {
		return err
	}
	req := node.ProbeRequest{To: *to, Hops: *hops, Count: *count, Size: *size}
	res, err := client.Probe(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printProbe(stdout, res)
	}
	if n := failed(res); n > 0 || len(res) == 0 {
		// The same exit status with or without --json: a script that
		// parses the JSON must not mistake a dead mesh for a live one.
		return fmt.Errorf("probe: %d of %d circuits failed", n, len(res))
	}
	return nil
}

func printProbe(w io.Writer, res []node.ProbeResult) {
	fmt.Fprintf(w, "%-8s %-5s %10s %9s %10s %11s  %s\n", "circuit", "hops", "build_ms", "rtt_ms", "echo MiB/s", "1-way MiB/s", "destination")
	for _, r := range res {
		if r.Error != "" {
			fmt.Fprintf(w, "%-8d %-5d failed: %s\n", r.Circuit, r.Hops, r.Error)
			continue
		}
		fmt.Fprintf(w, "%-8d %-5d %10.2f %9.2f %10.2f %11.2f  %s\n", r.Circuit, r.Hops, r.BuildMS, r.RTTMS, r.MiBPerSecond, r.OneWay, r.Destination)
	}
}

func failed(res []node.ProbeResult) int {
	n := 0
	for _, r := range res {
		if r.Error != "" {
			n++
		}
	}
	return n
}
