package ledger

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Cashu token V4 (NUT-00 "cashuB"): "cashuB" + base64url(CBOR(token)), where
// the CBOR map holds m (mint URL), u (unit), optional d (memo) and t, a list
// of {i: keyset ID bytes, p: proofs}; each proof is {a: amount, s: secret,
// c: C bytes, optional d: {e, s, r} DLEQ bytes, optional w: witness}.

// TokenPrefix starts every V4 token string.
const TokenPrefix = "cashuB"

// MaxTokenLen bounds the token strings Decode accepts.
const MaxTokenLen = 1 << 20

// Token is a decoded token: proofs of one mint and one unit.
type Token struct {
	Mint   string
	Unit   string
	Memo   string
	Proofs []Proof
}

// Amount is the sum of the proofs' amounts (saturating).
func (t Token) Amount() uint64 {
	var sum uint64
	for _, p := range t.Proofs {
		if sum+p.Amount < sum {
			return ^uint64(0)
		}
		sum += p.Amount
	}
	return sum
}

// Encode returns the token string. Proofs are grouped by keyset in order
// of first appearance. Padding is kept, as in the spec's vectors.
func (t Token) Encode() (string, error) {
	groups, order, err := groupByKeyset(t.Proofs)
	if err != nil {
		return "", err
	}
	var e cborEnc
	n := 3
	if t.Memo != "" {
		n++
	}
	e.mapHead(n)
	e.key("t")
	e.array(len(order))
	for _, id := range order {
		e.mapHead(2)
		e.key("i")
		e.bytes(groups[id].raw)
		e.key("p")
		e.array(len(groups[id].proofs))
		for _, p := range groups[id].proofs {
			encodeProof(&e, p)
		}
	}
	if t.Memo != "" {
		e.key("d")
		e.text(t.Memo)
	}
	e.key("m")
	e.text(t.Mint)
	e.key("u")
	e.text(t.Unit)
	return TokenPrefix + base64.URLEncoding.EncodeToString(e.buf), nil
}

type keysetGroup struct {
	raw    []byte
	proofs []Proof
}

func groupByKeyset(ps []Proof) (map[KeysetID]*keysetGroup, []KeysetID, error) {
	groups := map[KeysetID]*keysetGroup{}
	var order []KeysetID
	for _, p := range ps {
		g, ok := groups[p.ID]
		if !ok {
			raw, err := p.ID.Bytes()
			if err != nil {
				return nil, nil, err
			}
			g = &keysetGroup{raw: raw}
			groups[p.ID] = g
			order = append(order, p.ID)
		}
		g.proofs = append(g.proofs, p)
	}
	return groups, order, nil
}

func encodeProof(e *cborEnc, p Proof) {
	n := 3
	if p.DLEQ != nil {
		n++
	}
	if p.Witness != "" {
		n++
	}
	e.mapHead(n)
	e.key("a")
	e.uint(p.Amount)
	e.key("s")
	e.text(p.Secret)
	e.key("c")
	e.bytes(p.C[:])
	if d := p.DLEQ; d != nil {
		m := 2
		if d.R != nil {
			m++
		}
		e.key("d")
		e.mapHead(m)
		e.key("e")
		e.bytes(d.E[:])
		e.key("s")
		e.bytes(d.S[:])
		if d.R != nil {
			e.key("r")
			e.bytes(d.R[:])
		}
	}
	if p.Witness != "" {
		e.key("w")
		e.text(p.Witness)
	}
}

// DecodeToken parses a cashuB token string. Surrounding white space is
// ignored; base64 padding is optional and both alphabets are accepted.
func DecodeToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxTokenLen {
		return Token{}, fmt.Errorf("%w: token too long", ErrMalformed)
	}
	body, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok {
		return Token{}, fmt.Errorf("%w: token does not start with %q", ErrMalformed, TokenPrefix)
	}
	body = strings.TrimRight(body, "=")
	body = strings.NewReplacer("+", "-", "/", "_").Replace(body)
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Token{}, fmt.Errorf("%w: token is not base64url", ErrMalformed)
	}
	v, err := cborDecode(raw)
	if err != nil {
		return Token{}, err
	}
	return tokenFromCBOR(v)
}

func hexID(b []byte) KeysetID { return KeysetID(hex.EncodeToString(b)) }
