package work

import (
	"errors"
	"net/http"

	"cyclecash/node/service"
)

// Sentinel errors of the compute services.
var (
	// ErrNoCompute is returned for job or work requests to a node that is
	// not a gateway.
	ErrNoCompute = errors.New("node: not a gateway: this node schedules no compute")
	// ErrPayment reports tokens that do not cover a job's budget or that
	// the ledger refused.
	ErrPayment = errors.New("node: compute: payment refused")
	// ErrUnauthorized reports a work request without a valid session.
	ErrUnauthorized = errors.New("node: compute: no valid worker session")
	// ErrJob reports a job request the gateway rejected (bad manifest or
	// module, unknown job).
	ErrJob = errors.New("node: compute: job rejected")
)

// Wire error codes: the one table both sides read (30xxx: clear of the
// Cashu codes the ledger uses). A refusal is a service.ErrorBody; the
// client decodes the code back into the sentinel. A code the client does
// not know means ErrJob.
var codes = service.Codes{
	{Code: 30003, Err: ErrUnauthorized},
	{Code: 30002, Err: ErrPayment}, // before ErrJob: a refused payment is one, whatever else it wraps
	{Code: 30004, Err: ErrNoCompute},
	{Code: 30001, Err: ErrJob},
}

// CodeOf is the wire code of err: that of the first sentinel it wraps, or
// 0 (an internal failure).
func CodeOf(err error) int { return codes.Of(err) }

// Sentinel is the error of a wire code; unknown codes are ErrJob.
func Sentinel(code int) error {
	if err := codes.Sentinel(code); err != nil {
		return err
	}
	return ErrJob
}

// WriteError answers with err under HTTP status and its wire code. The
// message comes from this package's and the cores' errors; none carries a
// peer's address.
func WriteError(w http.ResponseWriter, err error, status int) {
	codes.Write(w, status, err)
}

// RemoteError is a gateway's refusal as the client sees it: its HTTP
// status, message and the sentinel its code names.
type RemoteError struct {
	Status int
	Msg    string
	err    error
}

func (e *RemoteError) Error() string { return "node: compute: gateway: " + e.Msg }

// Unwrap is the sentinel of the refusal's wire code.
func (e *RemoteError) Unwrap() error { return e.err }

// decodeError reads a refusal body (bounded by the caller).
func decodeError(status int, body []byte) *RemoteError {
	e := service.DecodeError(body)
	return &RemoteError{Status: status, Msg: e.Detail, err: Sentinel(e.Code)}
}
