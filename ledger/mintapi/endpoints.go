package mintapi

import (
	"net/http"
	"strconv"

	"cyclecash/ledger"
)

// KeysetKeys is one entry of NUT-01's keys response.
type KeysetKeys struct {
	ID          ledger.KeysetID         `json:"id"`
	Unit        string                  `json:"unit"`
	Active      bool                    `json:"active"`
	FinalExpiry int64                   `json:"final_expiry"`
	Keys        map[string]ledger.Point `json:"keys"`
}

// KeysResponse is NUT-01's keys response.
type KeysResponse struct {
	Keysets []KeysetKeys `json:"keysets"`
}

// KeysetInfo is one entry of NUT-02's keysets response.
type KeysetInfo struct {
	ID          ledger.KeysetID `json:"id"`
	Unit        string          `json:"unit"`
	Active      bool            `json:"active"`
	InputFeePPK int             `json:"input_fee_ppk"`
	FinalExpiry int64           `json:"final_expiry"`
}

// KeysetsResponse is NUT-02's keysets response.
type KeysetsResponse struct {
	Keysets []KeysetInfo `json:"keysets"`
}

func (h *Handler) keysetKeys(ks *ledger.Keyset) KeysetKeys {
	keys := make(map[string]ledger.Point, ledger.MaxOrder)
	for a, p := range ks.Keys() {
		keys[strconv.FormatUint(a, 10)] = p
	}
	return KeysetKeys{ID: ks.ID, Unit: ks.Unit, Active: h.mint.IsActive(ks), FinalExpiry: ks.FinalExpiry, Keys: keys}
}

// keys lists every active keyset, newest first (NUT-01).
func (h *Handler) keys(w http.ResponseWriter, r *http.Request) {
	kss, err := h.mint.Keysets()
	if err != nil {
		writeError(w, err)
		return
	}
	out := KeysResponse{Keysets: []KeysetKeys{}}
	for _, ks := range kss {
		if h.mint.IsActive(ks) {
			out.Keysets = append(out.Keysets, h.keysetKeys(ks))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) keysByID(w http.ResponseWriter, r *http.Request) {
	ks, err := h.mint.Keyset(ledger.KeysetID(r.PathValue("id")))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, KeysResponse{[]KeysetKeys{h.keysetKeys(ks)}})
}

func (h *Handler) keysets(w http.ResponseWriter, r *http.Request) {
	kss, err := h.mint.Keysets()
	if err != nil {
		writeError(w, err)
		return
	}
	out := KeysetsResponse{Keysets: []KeysetInfo{}}
	for _, ks := range kss {
		out.Keysets = append(out.Keysets, KeysetInfo{ID: ks.ID, Unit: ks.Unit, Active: h.mint.IsActive(ks), FinalExpiry: ks.FinalExpiry})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) info(w http.ResponseWriter, r *http.Request) {
	cfg := h.mint.Config()
	supported := map[string]bool{"supported": true}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": cfg.Name, "description": cfg.Description, "version": "cyclecash/ledger",
		"nuts": map[string]any{
			"4":  map[string]any{"methods": []map[string]string{{"method": "cu", "unit": ledger.Unit}}, "disabled": false},
			"5":  map[string]any{"methods": []any{}, "disabled": true},
			"7":  supported,
			"9":  supported,
			"12": supported,
			"20": supported,
		},
	})
}

// handle parses a body into a request of type Req, runs op and writes
// its answer.
func handle[Req, Resp any](h *Handler, op func(*http.Request, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := h.readBody(w, r, &req); err != nil {
			writeError(w, err)
			return
		}
		resp, err := op(r, req)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

func (h *Handler) swap(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req ledger.SwapRequest) (ledger.Signatures, error) {
		return h.mint.Swap(r.Context(), req)
	})(w, r)
}

func (h *Handler) checkState(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req CheckStateRequest) (CheckStateResponse, error) {
		st, err := h.mint.CheckState(r.Context(), req.Ys)
		return CheckStateResponse{st}, err
	})(w, r)
}

func (h *Handler) createQuote(w http.ResponseWriter, r *http.Request) {
	if !h.quotes.allow(r) {
		writeError(w, errRateLimited)
		return
	}
	handle(h, func(r *http.Request, req QuoteRequest) (ledger.Quote, error) {
		return h.mint.CreateLockedQuote(r.Context(), req.Amount, req.Unit, req.Pubkey)
	})(w, r)
}

func (h *Handler) getQuote(w http.ResponseWriter, r *http.Request) {
	q, err := h.mint.Quote(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (h *Handler) mintTokens(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req ledger.MintRequest) (ledger.Signatures, error) {
		return h.mint.MintTokens(r.Context(), req)
	})(w, r)
}

func (h *Handler) restore(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req RestoreRequest) (ledger.RestoreResponse, error) {
		return h.mint.Restore(r.Context(), req.Outputs)
	})(w, r)
}

func (h *Handler) reserve(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req ReserveRequest) (ledger.Reservation, error) {
		return h.mint.Reserve(r.Context(), req.Proofs)
	})(w, r)
}

func (h *Handler) consume(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req ConsumeRequest) (ledger.Signatures, error) {
		return h.mint.Consume(r.Context(), req.ID, req.Used, req.Change)
	})(w, r)
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	handle(h, func(r *http.Request, req ReleaseRequest) (map[string]string, error) {
		return map[string]string{"state": "RELEASED"}, h.mint.Release(r.Context(), req.ID)
	})(w, r)
}
