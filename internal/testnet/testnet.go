// Package testnet starts N real cyclecash nodes in one process on
// 127.0.0.1: real TCP, real libp2p, real DHT. Tests, the demo and the
// benchmarks build on it.
//
// Policy: nothing is faked. The only concessions to a single machine are
// explicit: loopback relays count as distinct subnets (PathRules
// LoopbackDistinct), timers are shortened, and each node's resource limits
// are sized so 30 nodes fit in one process.
package testnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"cyclecash/node"
)

// Options shape a test network; zero values mean the defaults noted.
type Options struct {
	N            int                         // number of nodes (required)
	Roles        func(i int) []string        // roles of node i; nil = relay only
	Configure    func(i int, c *node.Config) // last word on node i's config
	Logger       *slog.Logger                // nil = silent
	GatherEvery  time.Duration               // 0 = 3s
	RefreshEvery time.Duration               // 0 = 10s
	QUIC         bool                        // also listen on QUIC
}

// Net is a running test network.
type Net struct {
	Nodes  []*node.Node
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	dir    string
	opts   Options
}

// Start creates the nodes under dir (one data directory each), starts them
// and bootstraps nodes 1..N-1 through node 0. It returns once every node
// runs; use WaitDirectory to wait for the directories to fill.
func Start(dir string, opts Options) (*Net, error) {
	if opts.N < 1 {
		return nil, errors.New("testnet: Options.N must be at least 1")
	}
	ctx, cancel := context.WithCancel(context.Background())
	net := &Net{ctx: ctx, cancel: cancel, dir: dir, opts: opts}
	var boot []string
	for i := range opts.N {
		n, err := node.New(opts.config(dir, i, boot), opts.logger(i))
		if err != nil {
			net.Close()
			return nil, fmt.Errorf("testnet: node %d: %w", i, err)
		}
		if i == 0 {
			boot = n.P2PAddrs()
		}
		net.Nodes = append(net.Nodes, n)
		net.wg.Add(1)
		go func() { defer net.wg.Done(); n.Run(ctx) }()
	}
	return net, nil
}

func (o Options) config(dir string, i int, boot []string) node.Config {
	listen := []string{"/ip4/127.0.0.1/tcp/0"}
	if o.QUIC {
		listen = append(listen, "/ip4/127.0.0.1/udp/0/quic-v1")
	}
	c := node.Config{
		DataDir:            filepath.Join(dir, fmt.Sprintf("n%02d", i)),
		Listen:             listen,
		Bootstrap:          boot,
		API:                "127.0.0.1:0",
		MemoryMB:           64,
		MaxConns:           96,
		Bandwidth:          uint64(1+i%4) << 20,
		DescriptorLifetime: time.Hour,
		RepublishEvery:     20 * time.Minute,
		GatherEvery:        or(o.GatherEvery, 3*time.Second),
		RefreshEvery:       or(o.RefreshEvery, 10*time.Second),
		LoopbackDistinct:   true,
	}
	if o.Roles != nil {
		c.Roles = o.Roles(i)
	}
	if o.Configure != nil {
		o.Configure(i, &c)
	}
	return c
}

// Capture, when set, receives every log line at debug level of every node
// of a network started without Options.Logger, and OwnAddrs collects the
// control API addresses of those networks' nodes (their own, not peers').
// The package's tests set it to scan the logs of all their networks.
var (
	Capture  io.Writer
	ownMu    sync.Mutex
	ownAddrs = map[string]bool{}
)

// OwnAddrs lists the control API addresses of the nodes closed so far.
func OwnAddrs() []string {
	ownMu.Lock()
	defer ownMu.Unlock()
	out := make([]string, 0, len(ownAddrs))
	for a := range ownAddrs {
		out = append(out, a)
	}
	return out
}

func (o Options) logger(i int) *slog.Logger {
	if o.Logger == nil {
		if Capture == nil {
			return nil
		}
		return slog.New(slog.NewTextHandler(Capture, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", i)
	}
	return o.Logger.With("node", i)
}

func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Add starts one more node bootstrapping through node boot of the network,
// configured like the others and then by configure; Close stops it too.
func (n *Net) Add(boot int, configure func(c *node.Config)) (*node.Node, error) {
	i := len(n.Nodes)
	c := n.opts.config(n.dir, i, n.Nodes[boot].P2PAddrs())
	if configure != nil {
		configure(&c)
	}
	nd, err := node.New(c, n.opts.logger(i))
	if err != nil {
		return nil, fmt.Errorf("testnet: node %d: %w", i, err)
	}
	n.Nodes = append(n.Nodes, nd)
	n.wg.Add(1)
	go func() { defer n.wg.Done(); nd.Run(n.ctx) }()
	return nd, nil
}

// WaitDirectory waits until every node's directory holds at least min
// descriptors, or ctx ends.
func (n *Net) WaitDirectory(ctx context.Context, min int) error {
	for {
		worst := -1
		for _, nd := range n.Nodes {
			if l := nd.Overlay().Directory().Len(); worst < 0 || l < worst {
				worst = l
			}
		}
		if worst >= min {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testnet: smallest directory holds %d descriptors, want %d: %w", worst, min, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Close stops every node and waits for them.
func (n *Net) Close() error {
	ownMu.Lock()
	for _, nd := range n.Nodes {
		if a := nd.APIAddr(); a != "" {
			ownAddrs[a] = true
		}
	}
	ownMu.Unlock()
	n.cancel()
	n.wg.Wait()
	var errs []error
	for _, nd := range n.Nodes {
		errs = append(errs, nd.Close())
	}
	return errors.Join(errs...)
}
