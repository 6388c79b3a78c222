package hs

// DHT indices, after rend-spec-v3 §2.2.3's hs_index, without the hash ring:
//
//	index(replica) = SHA3-256(indexDomain ‖ blinded ‖ INT_8(replica) ‖
//	                          INT_8(period length s) ‖ INT_8(period number))
//
// Each replica lands in an unrelated part of the DHT keyspace, so no one
// group of nodes holds every copy. Only a party that knows the blinded key
// (the address, or the descriptor itself) can compute an index.

import (
	"crypto/sha3"
	"encoding/binary"
)

const (
	// Replicas is how many DHT indices a descriptor is stored under.
	Replicas    = 2
	indexDomain = "cyclecash hsdir index v1"
)

// Index is a descriptor's DHT index for one replica.
type Index [32]byte

// IndexOf returns the index of replica r of (blinded, p).
func IndexOf(blinded BlindedKey, p Period, r int) Index {
	h := sha3.New256()
	h.Write([]byte(indexDomain))
	h.Write(blinded[:])
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(r)))
	h.Write(binary.BigEndian.AppendUint64(nil, p.seconds()))
	h.Write(binary.BigEndian.AppendUint64(nil, p.Num))
	return Index(h.Sum(nil))
}

// Indices returns the Replicas indices of (blinded, p).
func Indices(blinded BlindedKey, p Period) []Index {
	out := make([]Index, Replicas)
	for r := range out {
		out[r] = IndexOf(blinded, p, r)
	}
	return out
}

// StoredAt reports whether idx is one of o's own indices: a descriptor
// stored under any other key is refused, or one service could squat on
// another's index.
func (o *Outer) StoredAt(idx Index) bool {
	for _, i := range Indices(o.Blinded, o.Period) {
		if i == idx {
			return true
		}
	}
	return false
}
