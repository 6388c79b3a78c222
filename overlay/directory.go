package overlay

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Directory is a node's cache of verified relay descriptors. It is safe for
// concurrent use. Only Add puts descriptors in, and Add verifies first, so
// everything Directory returns was valid when it arrived.
type Directory struct {
	now func() time.Time

	mu       sync.Mutex
	byPeer   map[peer.ID]*Descriptor
	rejected map[string]int // rejection reason -> count
}

// NewDirectory returns an empty directory; now may be nil for time.Now.
func NewDirectory(now func() time.Time) *Directory {
	if now == nil {
		now = time.Now
	}
	return &Directory{now: now, byPeer: map[peer.ID]*Descriptor{}, rejected: map[string]int{}}
}

// Add verifies raw as the descriptor of want (any peer when want is empty)
// and stores it unless the directory already holds a descriptor of that
// peer with an equal or higher seq. It reports whether the cache changed.
// A descriptor identical to the one held is not an error.
func (d *Directory) Add(raw []byte, want peer.ID) (bool, error) {
	desc, err := VerifyDescriptor(raw, want, d.now())
	if err != nil {
		d.reject(err)
		return false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byPeer[desc.Peer]; !ok && len(d.byPeer) >= MaxDirectoryEntries {
		d.pruneLocked(d.now())
		if len(d.byPeer) >= MaxDirectoryEntries {
			d.rejected[reasonOf(ErrDirectoryFull)]++
			return false, ErrDirectoryFull
		}
	}
	if old, ok := d.byPeer[desc.Peer]; ok {
		if old.Seq == desc.Seq && old.Sig == desc.Sig {
			return false, nil
		}
		if old.Seq >= desc.Seq {
			d.rejected[reasonOf(ErrStale)]++
			return false, ErrStale
		}
	}
	d.byPeer[desc.Peer] = desc
	return true, nil
}

func (d *Directory) reject(err error) {
	d.mu.Lock()
	d.rejected[reasonOf(err)]++
	d.mu.Unlock()
}

// reasonOf names the sentinel behind err, for rejection counters.
func reasonOf(err error) string {
	for _, s := range []error{ErrDirectoryFull, ErrDescriptorTooLarge, ErrDescriptorMalformed, ErrBadSignature,
		ErrWrongPeer, ErrExpired, ErrTooFarFuture, ErrStale, ErrBadKey} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "overlay: other"
}

// Get returns the live descriptor of p, if held.
func (d *Directory) Get(p peer.ID) (*Descriptor, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	desc, ok := d.byPeer[p]
	if !ok || !d.now().Before(desc.Expiry) {
		return nil, false
	}
	return desc, true
}

// Live returns every unexpired descriptor, sorted by peer ID, and drops the
// expired ones from the cache.
func (d *Directory) Live() []*Descriptor {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pruneLocked(now)
	out := make([]*Descriptor, 0, len(d.byPeer))
	for _, desc := range d.byPeer {
		out = append(out, desc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer < out[j].Peer })
	return out
}

// pruneLocked drops expired descriptors; d.mu held.
func (d *Directory) pruneLocked(now time.Time) {
	for p, desc := range d.byPeer {
		if !now.Before(desc.Expiry) {
			delete(d.byPeer, p)
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
