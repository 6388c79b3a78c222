package tor

import (
	"fmt"
	"strings"
)

// circuitTo finds the circuit carrying our open stream to target, from
// GETINFO stream-status ("StreamID Status CircuitID Target" lines).
func (t *Tor) circuitTo(target string) (string, error) {
	v, err := t.getInfo("stream-status")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(v, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[1] == "SUCCEEDED" && f[3] == target {
			return f[2], nil
		}
	}
	return "", fmt.Errorf("no stream to the target in %q", v)
}
