package service

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

// A Codes table gives an error the code of the first sentinel it wraps
// (order decides for an error wrapping two), 0 for none, and writes that
// code in the refusal body; Sentinel inverts it.
func TestCodes(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	codes := Codes{{Code: 7, Err: errA}, {Code: 9, Err: errB}}
	for _, c := range []struct {
		err  error
		want int
	}{
		{errA, 7},
		{fmt.Errorf("context: %w", errB), 9},
		{errors.Join(errB, errA), 7}, // both: the first row wins
		{errors.New("other"), 0},
	} {
		if got := codes.Of(c.err); got != c.want {
			t.Errorf("Of(%v) = %d, want %d", c.err, got, c.want)
		}
		rec := httptest.NewRecorder()
		codes.Write(rec, 409, c.err)
		if b := DecodeError(rec.Body.Bytes()); rec.Code != 409 || b.Code != c.want || b.Detail != c.err.Error() {
			t.Errorf("Write(%v): status %d, body %+v", c.err, rec.Code, b)
		}
	}
	if codes.Sentinel(9) != errB || codes.Sentinel(8) != nil {
		t.Error("Sentinel does not invert the table")
	}
}
