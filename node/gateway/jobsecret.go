package gateway

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// The job credential. Submit answers with the job's ID and a random
// 256-bit secret; status, results and cancel require the secret as the
// request's bearer token. The gateway stores only its SHA-256 and compares
// in constant time; workers are told the job ID in their leases, never
// the secret, so holding a job ID grants nothing. A wrong secret and an
// unknown job get the same answer. The change token is released once:
// the first answer to the holder carries it and the gateway forgets it.

// newJobSecret returns a fresh secret and the hash stored in jobMeta.
func newJobSecret() (secret, hash string) {
	var b [32]byte
	rand.Read(b[:])
	secret = hex.EncodeToString(b[:])
	return secret, secretHash(secret)
}

func secretHash(secret string) string {
	sum := sha256.Sum256([]byte("cyclecash job secret\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// authJob checks r's bearer token against job id's secret.
func (g *Gateway) authJob(r *http.Request, id string) error {
	tok, _ := work.Bearer(r)
	var meta jobMeta
	ok := false
	if err := g.store.View(func(tx compute.Tx) (err error) {
		ok, err = getJSON(tx, tableJobMeta, id, &meta)
		return err
	}); err != nil {
		return err
	}
	want := []byte(meta.SecretHash)
	got := []byte(secretHash(tok))
	if !ok || len(want) != len(got) || subtle.ConstantTimeCompare(want, got) != 1 {
		return fmt.Errorf("%w: unknown job", work.ErrJob)
	}
	return nil
}

// releaseChange hands the settled change to the holder once: st carries
// it, and the gateway's record of it is dropped.
func (g *Gateway) releaseChange(st *work.JobStatus) error {
	if st.Change == "" {
		return nil
	}
	return g.updateMeta(st.ID, func(m *jobMeta) {
		if m.Change == "" {
			st.Change = "" // another request took it
		}
		m.Change, m.ChangeReleased = "", m.ChangeReleased || m.Change != ""
	})
}
