package hs

import (
	"fmt"
	"time"
)

// MaxLifetime bounds how far past now a descriptor may claim to live, so a
// directory never keeps one beyond the next period.
func MaxLifetime(length time.Duration) time.Duration { return 2 * length }

// CheckTime checks o against now and the network's period length: the
// period length must be the network's, the period the current one or a
// neighbour (clients and services near a boundary, with some clock skew,
// use either), and the expiry in the future but within MaxLifetime.
func (o *Outer) CheckTime(now time.Time, length time.Duration) error {
	cur := PeriodAt(now, length)
	if o.Period.Length != cur.Length {
		return fmt.Errorf("%w: period length %v, want %v", ErrWrongPeriod, o.Period.Length, cur.Length)
	}
	if o.Period.Num+1 < cur.Num || o.Period.Num > cur.Num+1 {
		return fmt.Errorf("%w: period %d, now %d", ErrWrongPeriod, o.Period.Num, cur.Num)
	}
	if !o.Expiry.After(now) {
		return ErrExpired
	}
	if o.Expiry.Sub(now) > MaxLifetime(cur.Length) {
		return fmt.Errorf("%w: expiry too far ahead", ErrWrongPeriod)
	}
	return nil
}

// CheckRevision refuses next unless it is the same service and period as
// held and has a higher revision: a directory or client keeping held must
// not go back to an older descriptor someone replays.
func CheckRevision(held, next *Outer) error {
	if held == nil {
		return nil
	}
	if held.Blinded != next.Blinded || held.Period != next.Period {
		return fmt.Errorf("%w: not the same service period", ErrWrongPeriod)
	}
	if next.Revision <= held.Revision {
		return fmt.Errorf("%w: %d after %d", ErrOldRevision, next.Revision, held.Revision)
	}
	return nil
}

// Open is the client's whole check of a descriptor fetched for the service
// pub: signature, the blinded key of pub for the descriptor's period (so a
// descriptor of another service, or of this one for another period, is
// refused), time, and decryption.
func Open(b []byte, pub PublicKey, now time.Time, length time.Duration) (*Descriptor, error) {
	o, err := VerifyOuter(b)
	if err != nil {
		return nil, err
	}
	if err := o.CheckTime(now, length); err != nil {
		return nil, err
	}
	want, err := pub.Blind(o.Period)
	if err != nil {
		return nil, err
	}
	if want != o.Blinded {
		return nil, fmt.Errorf("%w: blinded key is not the address's for period %d", ErrWrongPeriod, o.Period.Num)
	}
	return o.decrypt(pub)
}

func (o *Outer) decrypt(pub PublicKey) (*Descriptor, error) {
	nonce := o.raw[outerHeaderLen : outerHeaderLen+nonceLen]
	ctEnd := outerHeaderLen + nonceLen + ctLen
	aead := descriptorAEAD(pub, o.Blinded, o.Period)
	inner, err := aead.Open(nil, nonce, o.raw[outerHeaderLen+nonceLen:ctEnd], o.raw[:outerHeaderLen+nonceLen])
	if err != nil {
		return nil, ErrDecrypt
	}
	d := &Descriptor{Blinded: o.Blinded, Period: o.Period, Revision: o.Revision, Expiry: o.Expiry}
	if err := d.parseInner(inner); err != nil {
		return nil, err
	}
	return d, nil
}
