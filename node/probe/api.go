package probe

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"cyclecash/node/service"
)

// maxProbeBody bounds a probe request body.
const maxProbeBody = 4 << 10

var errMalformed = errors.New("node: probe: malformed request")

// handleProbe serves POST /v1/probe: a ProbeRequest in, []ProbeResult out.
func (p *Prober) handleProbe(w http.ResponseWriter, r *http.Request) {
	var req ProbeRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxProbeBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		service.WriteError(w, http.StatusBadRequest, errMalformed, 0)
		return
	}
	res, err := p.Probe(r.Context(), req)
	if err != nil {
		service.WriteError(w, http.StatusBadRequest, err, 0)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(res)
}
