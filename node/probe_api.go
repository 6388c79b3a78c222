package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxProbeBody bounds a probe request body.
const maxProbeBody = 4 << 10

// handleProbe serves POST /v1/probe: a ProbeRequest in, []ProbeResult out.
func (n *Node) handleProbe(w http.ResponseWriter, r *http.Request) {
	var req ProbeRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxProbeBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "node: probe: malformed request", http.StatusBadRequest)
		return
	}
	res, err := n.Probe(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, res)
}

// Probe asks the node to probe circuits (see Node.Probe). It may take as
// long as the probe does: only ctx bounds it.
func (c *Client) Probe(ctx context.Context, req ProbeRequest) ([]ProbeResult, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/probe", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("node: probe: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	long := *c.http
	long.Timeout = 0
	var out []ProbeResult
	return out, c.do(hr, &long, &out)
}
