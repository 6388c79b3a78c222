package work

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
)

// TestWireErrorCodes: a gateway's refusal crosses the wire as a code and
// comes back as its sentinel, whatever HTTP status carried it (a payment
// refusal answered 400 is still ErrPayment, not ErrJob); an internal
// failure and an unknown code are ErrJob; the message survives.
func TestWireErrorCodes(t *testing.T) {
	t.Parallel()
	ln := NewListener()
	defer ln.Close()
	var send error
	var status int
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, send, status)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c := NewClient(func(context.Context) (net.Conn, error) {
		a, b := net.Pipe()
		go ln.Put(b)
		return a, nil
	}, 1)
	for _, tc := range []struct {
		err    error
		status int
		want   error
	}{
		{fmt.Errorf("%w: tokens hold 3 units", ErrPayment), http.StatusBadRequest, ErrPayment},
		{fmt.Errorf("%w: %w", ErrJob, ErrPayment), http.StatusBadRequest, ErrPayment},
		{ErrUnauthorized, http.StatusUnauthorized, ErrUnauthorized},
		{ErrNoCompute, http.StatusNotFound, ErrNoCompute},
		{fmt.Errorf("%w: unknown job", ErrJob), http.StatusNotFound, ErrJob},
		{errors.New("disk on fire"), http.StatusInternalServerError, ErrJob},
	} {
		send, status = tc.err, tc.status
		_, err := c.Call(context.Background(), "GET", Prefix+"x", "", nil, &struct{}{})
		var re *RemoteError
		if !errors.Is(err, tc.want) || !errors.As(err, &re) || re.Status != tc.status || re.Msg != tc.err.Error() {
			t.Errorf("%v (status %d): got %v, want %v", tc.err, tc.status, err, tc.want)
		}
		for _, other := range []error{ErrPayment, ErrUnauthorized, ErrNoCompute} {
			if other != tc.want && errors.Is(err, other) {
				t.Errorf("%v decoded as %v too", tc.err, other)
			}
		}
	}
	if Sentinel(99999) != ErrJob || CodeOf(errors.New("x")) != 0 {
		t.Error("unknown codes must be ErrJob; unknown errors code 0")
	}
}
