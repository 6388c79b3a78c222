package onion

import "fmt"

// EXTEND payload (relay data), from the client to the hop that extends:
//
//	create    57 bytes  the CREATE payload for the next hop (version, key ID, Noise msg 1)
//	idLen      1 byte   length of the next hop's identity, ≤ MaxIdentityLen
//	identity  idLen     opaque identity of the next hop (link specifier)
//
// EXTENDED carries the next hop's CREATED payload (Noise message 2) back.

func appendExtend(dst []byte, create [createPayloadLen]byte, identity []byte) []byte {
	dst = append(dst, create[:]...)
	dst = append(dst, byte(len(identity)))
	return append(dst, identity...)
}

// parseExtend splits an EXTEND payload. The returned slices alias data.
func parseExtend(data []byte) (create []byte, identity []byte, err error) {
	if len(data) < createPayloadLen+1 {
		return nil, nil, fmt.Errorf("%w: short EXTEND", ErrMalformed)
	}
	n := int(data[createPayloadLen])
	rest := data[createPayloadLen+1:]
	if n == 0 || n > MaxIdentityLen || n != len(rest) {
		return nil, nil, fmt.Errorf("%w: EXTEND identity length", ErrMalformed)
	}
	return data[:createPayloadLen], rest, nil
}

// parseBegin checks a BEGIN payload: a target service name.
func parseBegin(data []byte) (string, error) {
	if len(data) == 0 || len(data) > MaxTargetLen {
		return "", fmt.Errorf("%w: BEGIN target length %d", ErrMalformed, len(data))
	}
	return string(data), nil
}

// reasonOf reads the one-byte reason of END, TRUNCATED or DESTROY.
func reasonOf(data []byte) DestroyReason {
	if len(data) == 0 {
		return ReasonNone
	}
	return DestroyReason(data[0])
}
