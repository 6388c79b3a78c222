package overlay

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Directory is a node's cache of verified relay descriptors. It is safe for
// concurrent use. Only Add puts descriptors in, and Add verifies first (the
// signature, the addresses and the identity's proof of work), so
// everything Directory returns was valid when it arrived. Admission is
// bounded by quotas per /16 and per family and by a total size; when full,
// relays that were never reached make room first (dirquota.go).
type Directory struct {
	now func() time.Time

	mu       sync.Mutex
	policy   DirectoryPolicy
	byPeer   map[peer.ID]*dirEntry
	groups   map[string]int // subnet or family group -> entries in it
	rejected map[string]int // rejection reason -> count
	// nextExpiry is no later than the earliest expiry held, so pruning
	// scans only when something may have expired (Add stays O(1)).
	nextExpiry time.Time
}

type dirEntry struct {
	desc    *Descriptor
	reached time.Time // last first-hand proof that it answers (MarkReached)
}

// NewDirectory returns an empty directory with the default policy; now may
// be nil for time.Now.
func NewDirectory(now func() time.Time) *Directory {
	if now == nil {
		now = time.Now
	}
	return &Directory{now: now, byPeer: map[peer.ID]*dirEntry{}, groups: map[string]int{}, rejected: map[string]int{}}
}

// SetPolicy changes quotas and difficulty for descriptors added from now on.
func (d *Directory) SetPolicy(p DirectoryPolicy) {
	d.mu.Lock()
	d.policy = p
	d.mu.Unlock()
}

// Add verifies raw as the descriptor of want (any peer when want is empty)
// and stores it unless the directory already holds a descriptor of that
// peer with an equal or higher seq, or quotas keep it out. It reports
// whether the cache changed. A descriptor identical to the one held is not
// an error.
func (d *Directory) Add(raw []byte, want peer.ID) (bool, error) {
	desc, err := VerifyDescriptor(raw, want, d.now())
	if err == nil {
		d.mu.Lock()
		err = CheckPoW(desc, powBits(d.policy.PoWBits))
		d.mu.Unlock()
	}
	if err != nil {
		d.reject(err)
		return false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	changed, err := d.addLocked(desc)
	if err != nil {
		d.rejected[reasonOf(err)]++
	}
	return changed, err
}

func (d *Directory) addLocked(desc *Descriptor) (bool, error) {
	now := d.now()
	old, held := d.byPeer[desc.Peer]
	if held {
		if old.desc.Seq == desc.Seq && old.desc.Sig == desc.Sig {
			return false, nil
		}
		if old.desc.Seq >= desc.Seq {
			return false, ErrStale
		}
		desc.FirstSeen = old.desc.FirstSeen
		d.remove(desc.Peer)
	} else {
		desc.FirstSeen = now
		d.pruneLocked(now)
	}
	e := &dirEntry{desc: desc}
	if held {
		e.reached = old.reached
	}
	if err := d.admit(e, now); err != nil {
		if held { // a new seq that moved into a full group: keep the old one
			d.insert(old)
		}
		return false, err
	}
	d.insert(e)
	return true, nil
}

func (d *Directory) reject(err error) {
	d.mu.Lock()
	d.rejected[reasonOf(err)]++
	d.mu.Unlock()
}

// reasonOf names the sentinel behind err, for rejection counters.
func reasonOf(err error) string {
	for _, s := range []error{ErrDirectoryFull, ErrQuota, ErrDescriptorTooLarge, ErrDescriptorMalformed,
		ErrBadSignature, ErrWrongPeer, ErrExpired, ErrTooFarFuture, ErrStale, ErrBadKey, ErrInsufficientWork,
		ErrAddrNotIP} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "overlay: other"
}

// MarkReached records first-hand evidence that p answers: this node holds
// a link to it, or a circuit through it completed its handshake.
func (d *Directory) MarkReached(p peer.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.byPeer[p]; ok {
		e.reached = d.now()
	}
}

// Get returns the live descriptor of p, if held.
func (d *Directory) Get(p peer.ID) (*Descriptor, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.byPeer[p]
	if !ok || !d.now().Before(e.desc.Expiry) {
		return nil, false
	}
	return e.desc, true
}

// Live returns every unexpired descriptor, sorted by peer ID, and drops the
// expired ones from the cache.
func (d *Directory) Live() []*Descriptor {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pruneLocked(now)
	out := make([]*Descriptor, 0, len(d.byPeer))
	for _, e := range d.byPeer {
		out = append(out, e.desc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer < out[j].Peer })
	return out
}

// pruneLocked drops expired descriptors; d.mu held.
func (d *Directory) pruneLocked(now time.Time) {
	if now.Before(d.nextExpiry) {
		return
	}
	d.nextExpiry = time.Time{}
	for p, e := range d.byPeer {
		if !now.Before(e.desc.Expiry) {
			d.remove(p)
		} else if d.nextExpiry.IsZero() || e.desc.Expiry.Before(d.nextExpiry) {
			d.nextExpiry = e.desc.Expiry
		}
	}
}

// Len is the number of live descriptors.
func (d *Directory) Len() int { return len(d.Live()) }

// Rejections returns a copy of the rejection counters by reason.
func (d *Directory) Rejections() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]int, len(d.rejected))
	for k, v := range d.rejected {
		out[k] = v
	}
	return out
}
