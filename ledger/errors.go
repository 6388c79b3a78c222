package ledger

import "errors"

// Sentinel errors returned by Mint operations. Callers branch on them with
// errors.Is; ErrorCode maps each to the Cashu error code (error_codes.md in
// the NUTs repository) that the HTTP API reports. Messages never contain
// secrets.
var (
	// ErrInvalidProof: an input's signature C does not match k·Y.
	ErrInvalidProof = errors.New("ledger: proof verification failed")
	// ErrAlreadySpent: an input was spent before.
	ErrAlreadySpent = errors.New("ledger: token already spent")
	// ErrPending: an input is reserved by an escrow.
	ErrPending = errors.New("ledger: token is pending")
	// ErrOutputsSigned: a blinded message B_ was signed before.
	ErrOutputsSigned = errors.New("ledger: blinded message already signed")
	// ErrUnbalanced: input and output amounts differ.
	ErrUnbalanced = errors.New("ledger: transaction unbalanced")
	// ErrAmount: an amount is zero, not a power of two, or out of range.
	ErrAmount = errors.New("ledger: amount outside of limit range")
	// ErrDuplicateInputs: the same input appears twice.
	ErrDuplicateInputs = errors.New("ledger: duplicate inputs provided")
	// ErrDuplicateOutputs: the same blinded message appears twice.
	ErrDuplicateOutputs = errors.New("ledger: duplicate outputs provided")
	// ErrUnit: the unit is not "cu".
	ErrUnit = errors.New("ledger: unit not supported")
	// ErrTooMany: too many inputs (or Ys) in one request.
	ErrTooMany = errors.New("ledger: too many inputs")
	// ErrTooManyOutputs: too many outputs in one request.
	ErrTooManyOutputs = errors.New("ledger: too many outputs")
	// ErrUnknownKeyset: no keyset with that ID.
	ErrUnknownKeyset = errors.New("ledger: keyset not known")
	// ErrKeysetInactive: the mint will not sign with that keyset for this
	// request: it is not active, or it expires later than the inputs'
	// earliest-expiring keyset (a swap never extends a unit's life).
	ErrKeysetInactive = errors.New("ledger: keyset inactive for these outputs")
	// ErrExpired: the keyset of an input has passed its final expiry.
	ErrExpired = errors.New("ledger: keyset expired")
	// ErrQuoteNotPaid: minting against a quote that is not paid.
	ErrQuoteNotPaid = errors.New("ledger: quote not paid")
	// ErrQuoteIssued: minting against a quote already issued.
	ErrQuoteIssued = errors.New("ledger: quote already issued")
	// ErrQuoteExpired: the quote expired before it was paid.
	ErrQuoteExpired = errors.New("ledger: quote expired")
	// ErrUnknownQuote: no quote with that ID (no code in error_codes.md:
	// HTTP 404, code 0; 20007 means expired).
	ErrUnknownQuote = errors.New("ledger: quote not known")
	// ErrQuoteSignature: a locked quote's mint request lacks a valid
	// NUT-20 signature.
	ErrQuoteSignature = errors.New("ledger: signature for mint request invalid")
	// ErrQuotePubkeyRequired: the mint requires quotes locked to a key.
	ErrQuotePubkeyRequired = errors.New("ledger: pubkey required for mint quote")
	// ErrTooManyQuotes: the unpaid quotes are at their cap (HTTP 429, no
	// code in error_codes.md).
	ErrTooManyQuotes = errors.New("ledger: too many unpaid quotes, try later")
	// ErrSupplyCap: issuing would exceed today's supply cap.
	ErrSupplyCap = errors.New("ledger: supply cap reached")
	// ErrBadRequest: a request body is not valid JSON for its endpoint
	// (error_codes.md has no code for it: HTTP 400, code 0).
	ErrBadRequest = errors.New("ledger: malformed request")
	// ErrMalformed: a point, scalar, hex string or token is malformed.
	ErrMalformed = errors.New("ledger: malformed input")
	// ErrBadDLEQ: a DLEQ proof does not verify.
	ErrBadDLEQ = errors.New("ledger: dleq proof invalid")
	// ErrUnknownEscrow: no escrow with that ID, or it is already settled.
	ErrUnknownEscrow = errors.New("ledger: escrow not known or settled")
	// ErrConflict: a store transaction could not be serialized after retries.
	ErrConflict = errors.New("ledger: store conflict, retry")
)

// codes maps sentinels to Cashu error codes (NUT error_codes.md).
// error_codes.md has one code for a proof that fails to verify, 10001
// ("Proof verification failed"), and none for a bad DLEQ or a malformed
// point, scalar or token, so ErrInvalidProof, ErrBadDLEQ and ErrMalformed
// all answer 10001: a stock Cashu wallet reads 10001 as "this proof is
// bad", and a code of our own would mean nothing to it. The price is that
// a decoded 10001 matches all three sentinels (errors.Is); only the
// message tells them apart (wallet.APIError, the market's mint client).
var codes = []struct {
	err  error
	code int
}{
	{ErrInvalidProof, 10001},
	{ErrAlreadySpent, 11001},
	{ErrPending, 11002},
	{ErrOutputsSigned, 11003},
	{ErrUnbalanced, 11005},
	{ErrAmount, 11006},
	{ErrDuplicateInputs, 11007},
	{ErrDuplicateOutputs, 11008},
	{ErrUnit, 11013},
	{ErrTooMany, 11014},
	{ErrTooManyOutputs, 11015},
	{ErrUnknownKeyset, 12001},
	{ErrKeysetInactive, 12002},
	{ErrExpired, 12003},
	{ErrQuoteNotPaid, 20001},
	{ErrQuoteIssued, 20002},
	{ErrSupplyCap, 20003},
	{ErrQuoteExpired, 20007},
	{ErrQuoteSignature, 20008},
	{ErrQuotePubkeyRequired, 20009},
	{ErrBadDLEQ, 10001},
	{ErrMalformed, 10001},
}

// ErrorCode returns the Cashu error code for err, or 0 when no code of
// error_codes.md applies (unknown quote or escrow, a malformed request) or
// err is not one of the sentinels.
func ErrorCode(err error) int {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return 0
}
