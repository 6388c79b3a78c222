package market

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Config configures a Market. The zero value of every optional field is a
// safe default.
type Config struct {
	// Store holds all state (required).
	Store Store
	// Mint is the gateway's mint (required).
	Mint Mint
	// MintURL is the mint URL written into tokens the market hands out;
	// empty means the BaseURL of an *HTTPMint.
	MintURL string
	// OperatorSecret unlocks the operator view; empty disables it, and
	// one shorter than MinOperatorSecret bytes is refused.
	OperatorSecret string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand supplies secrets and blinding factors; nil means crypto/rand.
	Rand io.Reader
	// EscrowTimeout releases an unconfirmed, undisputed order to the
	// seller; 0 means 14 days.
	EscrowTimeout time.Duration
	// SessionTTL is a login's lifetime; 0 means 7 days.
	SessionTTL time.Duration
	// Limits are the rate limits; zero fields take DefaultLimits.
	Limits Limits
	// MaxBody bounds request bodies; 0 means 64 KiB.
	MaxBody int64
	// ClaimGrace is how old a swap in flight must be before Recover
	// replays it, so a sweep never races a purchase still being served
	// (by this or another front-end); 0 means 2 minutes. It must exceed
	// the mint client's timeout.
	ClaimGrace time.Duration
}

// MinOperatorSecret is the shortest operator secret New accepts.
const MinOperatorSecret = 16

// Market is company B's marketplace. It is safe for concurrent use; all
// state is in the Store, so several Markets may share one PostgreSQL store.
type Market struct {
	cfg     Config
	keys    *keyring
	limits  *limiter
	csrfKey []byte
	h       http.Handler
}

// New returns a Market over cfg.Store.
func New(ctx context.Context, cfg Config) (*Market, error) {
	if cfg.Store == nil || cfg.Mint == nil {
		return nil, errors.New("market: Config.Store and Config.Mint are required")
	}
	if hm, ok := cfg.Mint.(*HTTPMint); ok && cfg.MintURL == "" {
		cfg.MintURL = hm.BaseURL
	}
	if cfg.MintURL == "" {
		return nil, errors.New("market: Config.MintURL is required")
	}
	if cfg.OperatorSecret != "" && len(cfg.OperatorSecret) < MinOperatorSecret {
		return nil, fmt.Errorf("market: the operator secret must be at least %d bytes", MinOperatorSecret)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.EscrowTimeout == 0 {
		cfg.EscrowTimeout = 14 * 24 * time.Hour
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 7 * 24 * time.Hour
	}
	if cfg.ClaimGrace == 0 {
		cfg.ClaimGrace = 2 * time.Minute
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 64 << 10
	}
	m := &Market{cfg: cfg, keys: newKeyring(cfg.Mint)}
	m.limits = newLimiter(cfg.Limits.withDefaults(), cfg.Now)
	key, err := m.siteKey(ctx)
	if err != nil {
		return nil, err
	}
	m.csrfKey = key
	m.h = m.routes()
	return m, nil
}

// ServeHTTP serves the site.
func (m *Market) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.h.ServeHTTP(w, r) }

func (m *Market) now() time.Time { return m.cfg.Now().UTC() }

// siteKey loads or creates the key CSRF tokens are derived from, shared
// by every front-end on the store.
func (m *Market) siteKey(ctx context.Context) ([]byte, error) {
	fresh, err := m.random(32)
	if err != nil {
		return nil, err
	}
	var key []byte
	err = m.cfg.Store.Update(ctx, func(tx Tx) error {
		k, err := tx.Get(bMeta, "csrfkey")
		if err != nil || k != nil {
			key = k
			return err
		}
		key = fresh
		return tx.Put(bMeta, "csrfkey", fresh)
	})
	return key, err
}

func (m *Market) random(n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(m.cfg.Rand, b)
	return b, err
}

// newID returns a random 16-hex-digit record ID.
func (m *Market) newID() (string, error) {
	b, err := m.random(8)
	if err != nil {
		return "", err
	}
	return hexs(b), nil
}
