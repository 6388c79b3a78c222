package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/storetest"
)

// swapRows: durable 4-in, 4-out swaps per second on the bolt store,
// beside the signature work of the same swaps without the store (the
// crypto bound), both from storetest.BenchSwap in one run.
func swapRows(ctx context.Context, o Options) ([]Row, error) {
	if err := setBenchTime(fmt.Sprintf("%dx", o.samples(20, 300, 2000))); err != nil {
		return nil, err
	}
	st, err := boltstore.Open(filepath.Join(o.Dir, "swap-ledger.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var failed bool
	res := testing.Benchmark(func(b *testing.B) {
		storetest.BenchSwap(b, st)
		failed = b.Failed()
	})
	swaps, bound := res.Extra["swaps/s"], res.Extra["bound/s"]
	if failed || swaps <= 0 || bound <= 0 {
		return nil, errors.New("the swap benchmark failed")
	}
	return []Row{row("ledger: durable swap (4 in, 4 out, bolt)", "swaps/s", swaps, "its signature work alone", bound,
		"", 0, false)}, nil
}

var benchFlags sync.Once

// setBenchTime sets the iteration count testing.Benchmark uses: the
// testing package reads it from its -test.benchtime flag, registered on
// the command line's flag set by testing.Init outside a test binary.
func setBenchTime(v string) error {
	benchFlags.Do(func() {
		if flag.Lookup("test.benchtime") == nil {
			testing.Init()
		}
	})
	return flag.Set("test.benchtime", v)
}
