package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
	"cyclecash/node"
)

// TestGatewayCrashSafety: a gateway process is SIGKILLed in the middle of
// a stream of swaps arriving over HTTP. Restarted on the same store, every
// swap happened entirely (input SPENT, output signed) or not at all (input
// UNSPENT, output unknown), each one the gateway acknowledged is there, and
// retrying every swap then succeeds: a lost answer never loses the units.
func TestGatewayCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills gateway processes")
	}
	t.Parallel()
	t.Run("bolt", func(t *testing.T) {
		t.Parallel()
		data := filepath.Join(t.TempDir(), "gw")
		crashAndCheck(t, func() *gateway { return startGateway(t, data, "") })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		data, dsn := filepath.Join(t.TempDir(), "gw"), pgDSN(t)
		crashAndCheck(t, func() *gateway {
			return startGateway(t, data, "", "--ledger-store", "postgres", "--ledger-postgres", dsn)
		})
	})
}

const crashSwaps = 120

func crashAndCheck(t *testing.T, start func() *gateway) {
	gw := start()
	f := &storetest.Fixture{T: t}
	ks, proofs := mintOnes(t, gw, f, crashSwaps)
	reqs := make([]ledger.SwapRequest, crashSwaps)
	for i := range reqs {
		_, outs := f.Outputs(ks, 1)
		reqs[i] = ledger.SwapRequest{Inputs: proofs[i : i+1], Outputs: outs}
	}
	done := streamAndKill(t, gw, reqs, 30)
	gw = start()
	spent := 0
	for i, r := range reqs {
		in, signed := swapState(t, gw, r)
		if (in == ledger.Spent) != signed {
			t.Fatalf("swap %d half done: input %s, output signed %v", i, in, signed)
		}
		if done[i] && in != ledger.Spent {
			t.Fatalf("swap %d was acknowledged but is lost", i)
		}
		if in == ledger.Spent {
			spent++
		}
	}
	t.Logf("killed after %d acknowledged swaps; %d on the store", count(done), spent)
	for i, r := range reqs {
		status, ans := post(t, gw.url+"/v1/swap", r)
		if status != 200 {
			t.Fatalf("retrying swap %d after the crash: %d %v", i, status, ans)
		}
	}
	if r := report(t, gw.data); r.Outstanding != crashSwaps || r.Keysets[0].Spent != crashSwaps {
		t.Fatalf("after retrying every swap: %+v", r)
	}
}

// mintOnes buys n units and mints them as n proofs of 1 over HTTP, with
// outputs made by the test from the gateway's keyset.
func mintOnes(t *testing.T, gw *gateway, f *storetest.Fixture, n int) (*ledger.Keyset, []ledger.Proof) {
	master, err := os.ReadFile(filepath.Join(gw.data, node.LedgerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	// The gateway's active keyset, not the test's idea of today: the two
	// differ when the test runs across UTC midnight.
	var infos []node.KeysetInfo
	if err := json.Unmarshal([]byte(mustCLI(t, "ledger", "--data", gw.data, "keysets", "--json")), &infos); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(infos, func(k node.KeysetInfo) bool { return k.Active })
	if i < 0 {
		t.Fatalf("no active keyset in %+v", infos)
	}
	day, err := time.Parse(time.DateOnly, infos[i].Day)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := ledger.DeriveKeyset(master, ledger.DayOf(day))
	if err != nil {
		t.Fatal(err)
	}
	if string(ks.ID) != infos[i].ID {
		t.Fatalf("derived keyset %s for %s, the gateway's is %s", ks.ID, infos[i].Day, infos[i].ID)
	}
	_, q := post(t, gw.url+"/v1/mint/quote/cu", map[string]any{"amount": n, "unit": "cu"})
	id, _ := q["quote"].(string)
	mustCLI(t, "ledger", "--data", gw.data, "quote", "pay", id)
	ones := make([]uint64, n)
	for i := range ones {
		ones[i] = 1
	}
	blanks, outs := f.Outputs(ks, ones...)
	var sigs ledger.Signatures
	postInto(t, gw.url+"/v1/mint/cu", ledger.MintRequest{Quote: id, Outputs: outs}, &sigs)
	return ks, f.Unblind(ks, blanks, sigs.Signatures)
}

// streamAndKill sends the swaps from four clients at once and SIGKILLs
// the gateway once after acknowledgements; it returns which were acknowledged.
func streamAndKill(t *testing.T, gw *gateway, reqs []ledger.SwapRequest, after int32) []bool {
	done := make([]bool, len(reqs))
	var acked atomic.Int32
	var once sync.Once
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if swapOK(gw.url, reqs[i]) {
					done[i] = true
					if acked.Add(1) >= after {
						once.Do(gw.kill)
					}
				}
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	once.Do(gw.kill)
	if int(acked.Load()) == len(reqs) {
		t.Fatal("every swap finished before the kill; the test proved nothing")
	}
	return done
}

// swapState returns the state of a swap's input and whether its output
// was signed, as the gateway reports them.
func swapState(t *testing.T, gw *gateway, r ledger.SwapRequest) (ledger.State, bool) {
	y, err := r.Inputs[0].Y()
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ States []ledger.ProofState }
	postInto(t, gw.url+"/v1/checkstate", map[string]any{"Ys": []ledger.Point{y}}, &st)
	var rs ledger.RestoreResponse
	postInto(t, gw.url+"/v1/restore", map[string]any{"outputs": r.Outputs}, &rs)
	if len(rs.Outputs) == 1 && !reflect.DeepEqual(rs.Outputs[0], r.Outputs[0]) {
		t.Fatalf("restore answered another output")
	}
	return st.States[0].State, len(rs.Signatures) == 1
}

func postInto(t *testing.T, url string, body, out any) {
	t.Helper()
	status, ans := post(t, url, body)
	b, _ := json.Marshal(ans)
	if status != 200 || json.Unmarshal(b, out) != nil {
		t.Fatalf("POST %s: %d %s", url, status, b)
	}
}

// swapOK posts a swap without failing the test: the gateway may die
// under it.
func swapOK(url string, r ledger.SwapRequest) bool {
	b, _ := json.Marshal(r)
	resp, err := httpPost(url+"/v1/swap", b)
	if err != nil {
		return false
	}
	return resp == 200
}

func count(bs []bool) (n int) {
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
