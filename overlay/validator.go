package overlay

import (
	"time"

	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Validator checks /relay/<peerID> records for the DHT: every value stored or
// returned must be a descriptor signed by that peer, live now, with IP
// literal addresses and the network's proof of work; of several values for
// one key the highest sequence number wins.
type Validator struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// PoWBits is the network's proof-of-work difficulty; 0 = DefaultPoWBits.
	PoWBits uint8
}

var _ record.Validator = Validator{}

func (v Validator) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// Validate implements record.Validator. The DHT hands it the full key
// including the namespace.
func (v Validator) Validate(key string, value []byte) error {
	p, err := PeerFromKey(key)
	if err != nil {
		return err
	}
	_, err = v.verify(value, p)
	return err
}

func (v Validator) verify(value []byte, p peer.ID) (*Descriptor, error) {
	d, err := VerifyDescriptor(value, p, v.now())
	if err != nil {
		return nil, err
	}
	if err := CheckPoW(d, powBits(v.PoWBits)); err != nil {
		return nil, err
	}
	return d, nil
}

// Select implements record.Validator: the valid value with the highest seq.
func (v Validator) Select(key string, values [][]byte) (int, error) {
	p, err := PeerFromKey(key)
	if err != nil {
		return 0, err
	}
	best, bestSeq := -1, uint64(0)
	for i, val := range values {
		d, err := v.verify(val, p)
		if err != nil {
			continue
		}
		if best < 0 || d.Seq > bestSeq {
			best, bestSeq = i, d.Seq
		}
	}
	if best < 0 {
		return 0, ErrBadSignature
	}
	return best, nil
}
