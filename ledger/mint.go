package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"
)

// Config configures a Mint. The zero value (apart from Master) is a safe
// default: real clock, crypto/rand, and zero capacity, so nothing can be
// minted until a capacity is configured.
type Config struct {
	// Master is the secret every keyset is derived from (≥ 32 bytes).
	Master []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand supplies quote IDs and DLEQ nonces; nil means crypto/rand.
	Rand io.Reader
	// Capacity returns Ĉ, the projected validated capacity (units) of the
	// next 30 days, which bounds issuance; nil means CapacityUnits.
	Capacity func(now time.Time) uint64
	// CapacityUnits is a fixed Ĉ used when Capacity is nil.
	CapacityUnits uint64
	// Name and Description appear in /v1/info.
	Name, Description string
	// QuoteTTL is how long an unpaid quote lives; 0 means 24 hours.
	QuoteTTL time.Duration
	// ResponseTTL is how long a request's answer is kept for an identical
	// retry (NUT-19 style); 0 means DefaultResponseTTL.
	ResponseTTL time.Duration
	// MaxIO bounds inputs and outputs per request; 0 means 256.
	MaxIO int
	// RequireQuotePubkey refuses quotes not locked to a key (NUT-20).
	RequireQuotePubkey bool
	// MaxUnpaidQuotes caps the live unpaid quotes; 0 means
	// DefaultMaxUnpaidQuotes.
	MaxUnpaidQuotes int
	// URL is the mint's public URL, put in the tokens it hands out (an
	// escrow's change); empty when the gateway has no public Cashu API.
	URL string
}

// Mint runs the ledger's operations over a Store. It is safe for
// concurrent use; all state lives in the store, keysets in a cache derived
// from the master secret.
type Mint struct {
	cfg   Config
	store Store
	mu    sync.Mutex
	byDay map[int64]*Keyset
	byID  map[KeysetID]*Keyset
	// lastPrune is when CreateQuote last pruned (guarded by mu).
	lastPrune time.Time
}

// New returns a Mint over store.
func New(cfg Config, store Store) (*Mint, error) {
	if len(cfg.Master) < 32 {
		return nil, errors.New("ledger: Config.Master must hold at least 32 bytes")
	}
	if store == nil {
		return nil, errors.New("ledger: store is nil")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.QuoteTTL == 0 {
		cfg.QuoteTTL = 24 * time.Hour
	}
	if cfg.ResponseTTL == 0 {
		cfg.ResponseTTL = DefaultResponseTTL
	}
	if cfg.MaxIO == 0 {
		cfg.MaxIO = 256
	}
	if cfg.MaxUnpaidQuotes == 0 {
		cfg.MaxUnpaidQuotes = DefaultMaxUnpaidQuotes
	}
	return &Mint{cfg: cfg, store: store, byDay: map[int64]*Keyset{}, byID: map[KeysetID]*Keyset{}}, nil
}

// ChangeToken wraps proofs (an escrow's change, unblinded by the caller)
// into a token that names this mint's URL.
func (m *Mint) ChangeToken(proofs []Proof, memo string) Token {
	return Token{Mint: m.cfg.URL, Unit: Unit, Memo: memo, Proofs: proofs}
}

// Store returns the mint's store.
func (m *Mint) Store() Store { return m.store }

// Config returns the mint's configuration with defaults filled in.
func (m *Mint) Config() Config { return m.cfg }

func (m *Mint) now() time.Time { return m.cfg.Now().UTC() }

// capacity returns Ĉ at now.
func (m *Mint) capacity(now time.Time) uint64 {
	if m.cfg.Capacity != nil {
		return m.cfg.Capacity(now)
	}
	return m.cfg.CapacityUnits
}

// requestKey is the idempotency key of a request: SHA256 over the
// operation name and the request's canonical JSON encoding.
func requestKey(op string, req any) [32]byte {
	b, _ := json.Marshal(req) // request types always encode
	h := sha256.New()
	h.Write([]byte(op))
	h.Write([]byte{0})
	h.Write(b)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// cached returns the stored answer to a request already served.
func (m *Mint) cached(ctx context.Context, key [32]byte, out any) (bool, error) {
	var body []byte
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		body, err = tx.Response(key)
		return err
	})
	if err != nil || body == nil {
		return false, err
	}
	return true, json.Unmarshal(body, out)
}

// commit runs fn in one Update: if the request was answered before, that
// answer is decoded into out and fn is skipped; otherwise fn runs and resp
// is stored as the answer. The stored bytes are what callers get.
func (m *Mint) commit(ctx context.Context, key [32]byte, resp, out any, fn func(Tx) error) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	var answer []byte
	err = m.store.Update(ctx, func(tx Tx) error {
		answer = nil
		prev, err := tx.Response(key)
		if err != nil || prev != nil {
			answer = prev
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		answer = body
		return tx.PutResponse(key, body, m.now().Unix())
	})
	if err != nil {
		return err
	}
	return json.Unmarshal(answer, out)
}
