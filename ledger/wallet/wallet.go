// Package wallet is the cyclecash e-cash wallet: it keeps proofs in a
// directory, derives every secret and blinding factor from one seed
// (NUT-13) so a lost wallet can be restored from the gateway (NUT-09), and
// talks to one gateway over HTTP: buy and mint units, send them as cashuB
// tokens, receive (check DLEQ offline, then swap so the sender can no
// longer spend), balance and status.
//
// Policy: the wallet file is written atomically with mode 0600 in a 0700
// directory; the seed never leaves it except through Seed for backup. The
// HTTP client and base URL are injected; nothing logs.
package wallet

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"cyclecash/ledger"
)

// FileName is the wallet file inside the wallet directory.
const FileName = "wallet.json"

// ErrNoWallet is returned by Open when the directory holds no wallet.
var ErrNoWallet = errors.New("wallet: no wallet in directory")

// ErrInsufficient is returned when the balance cannot cover a send.
var ErrInsufficient = errors.New("wallet: insufficient balance")

// Wallet is an open wallet. Methods are safe for concurrent use.
type Wallet struct {
	mu     sync.Mutex
	dir    string
	client *http.Client
	st     state
	keys   map[ledger.KeysetID]*keysetKeys
}

// state is the wallet file's content.
type state struct {
	Gateway  string                     `json:"gateway"`
	Seed     []byte                     `json:"seed"`
	Counters map[ledger.KeysetID]uint64 `json:"counters"`
	Proofs   []ledger.Proof             `json:"proofs"`
	Pending  []*pendingOp               `json:"pending,omitempty"`
	// QuoteKeys holds the secret key each bought quote is locked to
	// (NUT-20), until the quote is minted.
	QuoteKeys map[string]ledger.Scalar `json:"quote_keys,omitempty"`
}

// Create makes a new wallet in dir for the gateway at baseURL with a fresh
// 64-byte seed from rand (nil means crypto/rand); client nil means
// http.DefaultClient.
func Create(dir, baseURL string, client *http.Client, rnd io.Reader) (*Wallet, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	seed := make([]byte, 64)
	if _, err := io.ReadFull(rnd, seed); err != nil {
		return nil, err
	}
	return CreateWithSeed(dir, baseURL, client, seed)
}

// CreateWithSeed makes a wallet from a known seed (to restore one).
func CreateWithSeed(dir, baseURL string, client *http.Client, seed []byte) (*Wallet, error) {
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		return nil, fmt.Errorf("wallet: %s already holds a wallet", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	w := newWallet(dir, client)
	w.st = state{Gateway: strings.TrimRight(baseURL, "/"), Seed: seed, Counters: map[ledger.KeysetID]uint64{}}
	return w, w.save()
}

// Open loads the wallet in dir.
func Open(dir string, client *http.Client) (*Wallet, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoWallet
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	w := newWallet(dir, client)
	if err := json.Unmarshal(b, &w.st); err != nil {
		return nil, fmt.Errorf("wallet: corrupt wallet file: %w", err)
	}
	if w.st.Counters == nil {
		w.st.Counters = map[ledger.KeysetID]uint64{}
	}
	return w, nil
}

func newWallet(dir string, client *http.Client) *Wallet {
	if client == nil {
		client = http.DefaultClient
	}
	return &Wallet{dir: dir, client: client, keys: map[ledger.KeysetID]*keysetKeys{}}
}

// Seed returns the wallet's seed, for backup.
func (w *Wallet) Seed() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]byte(nil), w.st.Seed...)
}

// Gateway returns the gateway base URL.
func (w *Wallet) Gateway() string { return w.st.Gateway }

// Balance returns the sum of the proofs held.
func (w *Wallet) Balance() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ledger.Token{Proofs: w.st.Proofs}.Amount()
}

// Proofs returns a copy of the proofs held.
func (w *Wallet) Proofs() []ledger.Proof {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]ledger.Proof(nil), w.st.Proofs...)
}

// Quotes returns the IDs of the quotes this wallet bought and has not
// minted yet, sorted: after a restart its owner finds in them what it was
// waiting to be paid.
func (w *Wallet) Quotes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]string, 0, len(w.st.QuoteKeys))
	for id := range w.st.QuoteKeys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// ForgetQuote drops the key of a bought quote that will never be paid
// (its payer refused it), so Quotes no longer lists it.
func (w *Wallet) ForgetQuote(id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.st.QuoteKeys[id]; !ok {
		return nil
	}
	delete(w.st.QuoteKeys, id)
	return w.save()
}

// save writes the wallet file atomically (temp file, fsync, rename): on
// any failure the previous wallet file is left as it was.
func (w *Wallet) save() error {
	b, err := json.MarshalIndent(w.st, "", " ")
	if err != nil {
		return err
	}
	if err := writeAtomic(w.dir, FileName, b); err != nil {
		return fmt.Errorf("wallet: saving: %w", err)
	}
	return nil
}
