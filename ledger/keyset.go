package ledger

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Keysets: one per UTC day, one key per power-of-two amount 1 … 2^31
// (NUT-01, NUT-02).

const (
	// MaxOrder is the number of keys in a keyset: amounts 2^0 … 2^31.
	MaxOrder = 32
	// Lifetime is how long a keyset's units are accepted after its day
	// starts; the keyset ID commits to the resulting final expiry.
	Lifetime = 30 * 24 * time.Hour
	day      = 24 * time.Hour
)

// KeysetID is a keyset ID in lower-case hex; this ledger issues version
// 01 IDs (NUT-02 "Keyset ID version 01"): 33 bytes, 66 hex digits.
type KeysetID string

// Bytes returns the raw ID, or an error if it is not hex.
func (id KeysetID) Bytes() ([]byte, error) {
	b, err := hex.DecodeString(string(id))
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%w: keyset id is not hex", ErrMalformed)
	}
	return b, nil
}

// DeriveKeysetID computes a version 01 keyset ID as the current NUT-02
// ("Keyset ID V2") defines it: SHA256 over the UTF-8 string
// "amount:pubkeyhex,amount:pubkeyhex,…" (amounts ascending, lower-case hex
// of the compressed keys), then "|unit:<unit>", then "|input_fee_ppk:<n>"
// when the fee is non-zero, then "|final_expiry:<unix seconds>" when the
// expiry is non-zero; prefixed with the version byte 01.
func DeriveKeysetID(keys map[uint64]Point, unit string, inputFeePPK, finalExpiry int64) KeysetID {
	amounts := make([]uint64, 0, len(keys))
	for a := range keys {
		amounts = append(amounts, a)
	}
	sort.Slice(amounts, func(i, j int) bool { return amounts[i] < amounts[j] })
	h := sha256.New()
	for i, a := range amounts {
		if i > 0 {
			h.Write([]byte{','})
		}
		p := keys[a]
		h.Write([]byte(strconv.FormatUint(a, 10) + ":" + hex.EncodeToString(p[:])))
	}
	h.Write([]byte("|unit:" + unit))
	if inputFeePPK != 0 {
		h.Write([]byte("|input_fee_ppk:" + strconv.FormatInt(inputFeePPK, 10)))
	}
	if finalExpiry != 0 {
		h.Write([]byte("|final_expiry:" + strconv.FormatInt(finalExpiry, 10)))
	}
	return KeysetID("01" + hex.EncodeToString(h.Sum(nil)))
}

// Keyset holds a day's private and public keys.
type Keyset struct {
	ID          KeysetID
	Unit        string
	Day         int64 // days since the Unix epoch, UTC
	FinalExpiry int64 // Unix seconds: start of Day + Lifetime
	priv        [MaxOrder]secp256k1.ModNScalar
	pub         [MaxOrder]*secp256k1.PublicKey
}

// DayOf returns the UTC day number of t.
func DayOf(t time.Time) int64 { return t.Unix() / int64(day/time.Second) }

// DeriveKeyset derives the keyset of a UTC day from the master secret:
// k_i = HKDF-SHA256(master, salt "cyclecash/ledger/keyset/v1", info day‖i‖try),
// retried with the next try in the negligible case the output is not a valid
// scalar. Deterministic, so the master secret alone restores every keyset.
func DeriveKeyset(master []byte, dayNum int64) (*Keyset, error) {
	ks := &Keyset{Unit: Unit, Day: dayNum, FinalExpiry: (dayNum*int64(day/time.Second) + int64(Lifetime/time.Second))}
	pubs := make(map[uint64]Point, MaxOrder)
	for i := range MaxOrder {
		k, err := deriveKey(master, dayNum, i)
		if err != nil {
			return nil, err
		}
		ks.priv[i] = k
		ks.pub[i] = secp256k1.NewPrivateKey(&k).PubKey()
		pubs[1<<i] = PointOf(ks.pub[i])
	}
	ks.ID = DeriveKeysetID(pubs, ks.Unit, 0, ks.FinalExpiry)
	return ks, nil
}

func deriveKey(master []byte, dayNum int64, i int) (secp256k1.ModNScalar, error) {
	var k secp256k1.ModNScalar
	info := make([]byte, 10)
	binary.BigEndian.PutUint64(info, uint64(dayNum))
	info[8] = byte(i)
	for try := range 256 {
		info[9] = byte(try)
		out, err := hkdf.Key(sha256.New, master, []byte("cyclecash/ledger/keyset/v1"), string(info), 32)
		if err != nil {
			return k, err
		}
		if overflow := k.SetByteSlice(out); !overflow && !k.IsZero() {
			return k, nil
		}
	}
	return k, fmt.Errorf("ledger: key derivation failed")
}

// AmountIndex returns i with amount == 2^i, or ErrAmount.
func AmountIndex(amount uint64) (int, error) {
	if amount == 0 || amount&(amount-1) != 0 || amount > 1<<(MaxOrder-1) {
		return 0, fmt.Errorf("%w: %d is not a power of two up to 2^31", ErrAmount, amount)
	}
	return bits.TrailingZeros64(amount), nil
}

// PublicKey returns the public key for amount.
func (ks *Keyset) PublicKey(amount uint64) (*secp256k1.PublicKey, error) {
	i, err := AmountIndex(amount)
	if err != nil {
		return nil, err
	}
	return ks.pub[i], nil
}

// Keys returns the public keys by amount, as NUT-01 lists them.
func (ks *Keyset) Keys() map[uint64]Point {
	out := make(map[uint64]Point, MaxOrder)
	for i, p := range ks.pub {
		out[1<<i] = PointOf(p)
	}
	return out
}

// Expired reports whether the keyset's units are refused at time now.
func (ks *Keyset) Expired(now time.Time) bool { return now.Unix() >= ks.FinalExpiry }

// VerifyProof checks a proof's signature C == k·Y with the key for its
// amount (NUT-00), and returns Y.
func (ks *Keyset) VerifyProof(p Proof) (Point, error) {
	y, err := HashToCurve([]byte(p.Secret))
	if err != nil {
		return Point{}, err
	}
	return PointOf(y), ks.verifyY(y, p)
}

// verifyY is VerifyProof for a Y already computed.
func (ks *Keyset) verifyY(y *secp256k1.PublicKey, p Proof) error {
	i, err := AmountIndex(p.Amount)
	if err != nil {
		return err
	}
	c, err := p.C.Key()
	if err != nil {
		return err
	}
	if !mul(&ks.priv[i], y).IsEqual(c) {
		return ErrInvalidProof
	}
	return nil
}
