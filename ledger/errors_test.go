package ledger

import (
	"errors"
	"testing"
)

// TestCashuCodesShared: every sentinel in the Cashu table has a code of
// its own except the three error_codes.md folds into 10001 ("Proof
// verification failed"), so a decoded code names one sentinel, or, for
// 10001, exactly ErrInvalidProof, ErrBadDLEQ and ErrMalformed (the
// sharing the comment on codes documents, and no more).
func TestCashuCodesShared(t *testing.T) {
	t.Parallel()
	shared := []error{ErrInvalidProof, ErrBadDLEQ, ErrMalformed}
	by := map[int][]error{}
	for _, c := range codes {
		by[c.code] = append(by[c.code], c.err)
		if got := ErrorCode(c.err); got != c.code {
			t.Errorf("%v: ErrorCode %d, table %d", c.err, got, c.code)
		}
	}
	for code, errs := range by {
		if code == 10001 {
			if len(errs) != len(shared) {
				t.Errorf("10001 held by %v, want %v", errs, shared)
			}
			for i := range shared {
				if i >= len(errs) || !errors.Is(errs[i], shared[i]) {
					t.Errorf("10001 held by %v, want %v", errs, shared)
					break
				}
			}
		} else if len(errs) != 1 {
			t.Errorf("code %d shared by %v", code, errs)
		}
	}
}
