// Package mintapi serves a ledger.Mint over HTTP at the Cashu paths
// (NUT-01 keys, NUT-02 keysets, NUT-03 swap, NUT-04 mint with method and
// unit "cu", NUT-06 info, NUT-07 checkstate, NUT-09 restore) with Cashu's
// JSON shapes and error format {"detail", "code"}, so standard Cashu
// wallets work against a gateway when they use unit "cu". The compute
// escrow is also served under /v1/cyclecash/escrow/ for out-of-process use.
//
// Policy: request bodies are limited (1 MiB by default) and parsed by one
// fuzzed function; quote creation is rate-limited per client; error details are the ledger's own messages, which never
// carry secrets, and internal failures are reported without detail. The
// handler does not log and does not listen: the caller mounts it.
package mintapi

import (
	"errors"
	"net/http"
	"time"

	"cyclecash/ledger"
)

// DefaultMaxBody is the default request size limit.
const DefaultMaxBody = 1 << 20

// Options tune the handler; the zero value is the default.
type Options struct {
	// MaxBody limits request bodies; 0 means DefaultMaxBody.
	MaxBody int64
	// QuotesPerMinute and QuoteBurst limit quote creation per client; 0
	// means DefaultQuotesPerMinute and DefaultQuoteBurst. MaxClients bounds
	// the clients tracked (0 means DefaultMaxClients).
	QuotesPerMinute, QuoteBurst, MaxClients int
	// Now is the rate limiter's clock; nil means time.Now.
	Now func() time.Time
	// Escrow enables /v1/cyclecash/escrow/{reserve,consume,release}; it is
	// off by default because it lets a caller consume reserved units.
	Escrow bool
}

// Handler serves the mint.
type Handler struct {
	mint    *ledger.Mint
	maxBody int64
	mux     *http.ServeMux
	quotes  *limiter
}

var _ http.Handler = (*Handler)(nil)

// New returns the HTTP handler for m.
func New(m *ledger.Mint, opt Options) *Handler {
	h := &Handler{mint: m, maxBody: opt.MaxBody, mux: http.NewServeMux(),
		quotes: newLimiter(opt.QuotesPerMinute, opt.QuoteBurst, opt.MaxClients, opt.Now)}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	h.mux.HandleFunc("GET /v1/info", h.info)
	h.mux.HandleFunc("GET /v1/keys", h.keys)
	h.mux.HandleFunc("GET /v1/keys/{id}", h.keysByID)
	h.mux.HandleFunc("GET /v1/keysets", h.keysets)
	h.mux.HandleFunc("POST /v1/swap", h.swap)
	h.mux.HandleFunc("POST /v1/checkstate", h.checkState)
	h.mux.HandleFunc("POST /v1/mint/quote/cu", h.createQuote)
	h.mux.HandleFunc("GET /v1/mint/quote/cu/{id}", h.getQuote)
	h.mux.HandleFunc("POST /v1/mint/cu", h.mintTokens)
	h.mux.HandleFunc("POST /v1/restore", h.restore)
	if opt.Escrow {
		h.mux.HandleFunc("POST /v1/cyclecash/escrow/reserve", h.reserve)
		h.mux.HandleFunc("POST /v1/cyclecash/escrow/consume", h.consume)
		h.mux.HandleFunc("POST /v1/cyclecash/escrow/release", h.release)
	}
	return h
}

// ServeHTTP dispatches to the Cashu endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// ErrorBody is Cashu's error response.
type ErrorBody struct {
	Detail string `json:"detail"`
	Code   int    `json:"code"`
}

// errTooLarge is reported for bodies over the limit.
var errTooLarge = errors.New("ledger: request too large")

func writeError(w http.ResponseWriter, err error) {
	status, body := http.StatusBadRequest, ErrorBody{Detail: err.Error(), Code: ledger.ErrorCode(err)}
	switch {
	case errors.Is(err, errTooLarge):
		status, body.Code = http.StatusRequestEntityTooLarge, 11014
	case errors.Is(err, ledger.ErrConflict):
		status = http.StatusServiceUnavailable
	case errors.Is(err, errRateLimited), errors.Is(err, ledger.ErrTooManyQuotes):
		status = http.StatusTooManyRequests
	case errors.Is(err, ledger.ErrUnknownQuote), errors.Is(err, ledger.ErrUnknownEscrow):
		status = http.StatusNotFound
	case errors.Is(err, ledger.ErrBadRequest):
	case body.Code == 0:
		status, body.Detail = http.StatusInternalServerError, "internal error"
	}
	writeJSON(w, status, body)
}
