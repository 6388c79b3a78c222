package hs

// The clear fields of the descriptors a service publishes together, for
// this period and the next, must not link them: their blinded keys are
// unlinkable, and a revision or expiry shared to the second would undo
// that for every directory holding both. Tor hides its revision counter by
// order-preserving encryption under a per-period key (rend-spec-v3 §2.4,
// proposal 288); ours adds a per-period secret offset instead:
//
//	revision(p) = offset(p) + seconds since the start of the period before p
//	offset(p)   = HKDF-SHA256(IKM = identity seed, info = revisionDomain ‖
//	              INT_8(period number) ‖ INT_8(period length s))[:8] >> 2
//
// (the seconds are ≥ 0 for the current and the next period, and grow with
// the clock, so a restarted service still publishes higher revisions; the
// shift leaves room so the sum never wraps). The seed is expanded by
// SHA-512 for Ed25519 and by HKDF with its own info here, so the two uses
// never meet. The expiry is rounded to the hour, shared by every service
// publishing in the same hour.

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

const revisionDomain = "cyclecash hs descriptor revision offset v1"

func (k *IdentityKey) revisionOffset(p Period) uint64 {
	info := binary.BigEndian.AppendUint64([]byte(revisionDomain), p.Num)
	info = binary.BigEndian.AppendUint64(info, p.seconds())
	b, err := hkdf.Key(sha256.New, k.seed[:], nil, string(info), 8)
	if err != nil {
		panic(err) // 8 bytes never fail
	}
	return binary.BigEndian.Uint64(b) >> 2
}

// nextRevision returns the revision of p's descriptor published at now,
// above every earlier one of p, and forgets periods already over.
func (s *Service) nextRevision(p Period, now time.Time) uint64 {
	since := max(now.Unix()-p.Start().Unix()+int64(p.seconds()), 0)
	rev := max(s.cfg.Identity.revisionOffset(p)+uint64(since), s.revisions[p.Num]+1)
	s.revisions[p.Num] = rev
	for n := range s.revisions {
		if n+1 < p.Num {
			delete(s.revisions, n)
		}
	}
	return rev
}

// coarseExpiry is now + lifetime rounded down to the hour, or to half the
// lifetime when that is shorter, so it stays in the future.
func coarseExpiry(now time.Time, lifetime time.Duration) time.Time {
	g := max(min(time.Hour, lifetime/2).Truncate(time.Second), time.Second)
	return now.Add(lifetime).Truncate(g)
}
