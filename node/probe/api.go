package probe

import (
	"encoding/json"
	"io"
	"net/http"
)

// maxProbeBody bounds a probe request body.
const maxProbeBody = 4 << 10

// handleProbe serves POST /v1/probe: a ProbeRequest in, []ProbeResult out.
func (p *Prober) handleProbe(w http.ResponseWriter, r *http.Request) {
	var req ProbeRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxProbeBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		WriteAPIError(w, http.StatusBadRequest, ErrMalformed)
		return
	}
	res, err := p.Probe(r.Context(), req)
	if err != nil {
		WriteAPIError(w, http.StatusBadRequest, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(res)
}
