package wallet

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Deterministic secrets, NUT-13 "HMAC-SHA256 Derivation", which the spec
// prescribes for keysets with version 01 IDs (the BIP32 path
// m/129372'/0'/keyset_int'/counter'/{0,1} is only for legacy 00 IDs):
//
//	msg    = "Cashu_KDF_HMAC_SHA256" ‖ keyset_id bytes ‖ counter (u64 BE)
//	secret = HMAC-SHA256(seed, msg ‖ 0x00), used as its lower-case hex
//	r      = HMAC-SHA256(seed, msg ‖ 0x01) mod N, refused if zero

const kdfDomain = "Cashu_KDF_HMAC_SHA256"

// Derive returns the secret and blinding factor for a keyset and counter.
func Derive(seed []byte, id ledger.KeysetID, counter uint64) (string, secp256k1.ModNScalar, error) {
	var r secp256k1.ModNScalar
	idb, err := id.Bytes()
	if err != nil {
		return "", r, err
	}
	msg := append([]byte(kdfDomain), idb...)
	msg = binary.BigEndian.AppendUint64(msg, counter)
	sec := kdf(seed, msg, 0)
	rb := kdf(seed, msg, 1)
	r.SetBytes(&rb) // reduces mod N, as the spec's "% N"
	if r.IsZero() {
		return "", r, ledger.ErrMalformed
	}
	return hex.EncodeToString(sec[:]), r, nil
}

func kdf(seed, msg []byte, kind byte) [32]byte {
	m := hmac.New(sha256.New, seed)
	m.Write(msg)
	m.Write([]byte{kind})
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// SeedFromMnemonic is BIP39's seed: PBKDF2-HMAC-SHA512 over the mnemonic
// with salt "mnemonic"+passphrase, 2048 rounds, 64 bytes. The words are not
// checked against a word list.
func SeedFromMnemonic(mnemonic, passphrase string) []byte {
	seed, _ := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"+passphrase), 2048, 64)
	return seed
}
