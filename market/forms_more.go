package market

import "net/url"

// DecodeSecret reads the login form.
func DecodeSecret(v url.Values) (string, error) {
	s, err := text(v, "secret", 1, 400, false)
	if err != nil {
		return "", badf("secret must be the account secret or its recovery phrase")
	}
	return s, nil
}

// DecodeMessage reads an order message.
func DecodeMessage(v url.Values) (string, error) { return text(v, "text", 1, MaxMessage, true) }

// DecodeDispute reads a dispute's reason.
func DecodeDispute(v url.Values) (string, error) { return text(v, "reason", 1, MaxFreeText, true) }

// AmountInput is the withdraw form.
type AmountInput struct {
	Amount uint64
	Nonce  string
}

// DecodeWithdraw reads the withdraw form.
func DecodeWithdraw(v url.Values) (AmountInput, error) {
	var in AmountInput
	var err error
	if in.Amount, err = number(v, "amount", 1, maxUnits, 0); err != nil {
		return in, err
	}
	if in.Amount == 0 {
		return in, badf("amount must be a whole number from 1 to %d", uint64(maxUnits))
	}
	in.Nonce, err = nonce(v)
	return in, err
}

// SellInput is the sell-units-for-cash form.
type SellInput struct {
	Amount uint64
	Token  string
	Payout string
}

// DecodeSell reads the sell-for-cash form.
func DecodeSell(v url.Values) (SellInput, error) {
	var in SellInput
	var err error
	if in.Amount, err = number(v, "amount", 1, maxUnits, 0); err != nil || in.Amount == 0 {
		return in, orErr(err, badf("amount must be a whole number from 1 to %d", uint64(maxUnits)))
	}
	if in.Token, err = tokenField(v); err != nil {
		return in, err
	}
	in.Payout, err = text(v, "payout", 1, MaxFreeText, true)
	return in, err
}

// CashBuyInput is the buy-units-for-cash form.
type CashBuyInput struct {
	Offer  string
	Amount uint64
	Note   string
	Nonce  string
}

// DecodeCashBuy reads the buy-for-cash form.
func DecodeCashBuy(v url.Values) (CashBuyInput, error) {
	var in CashBuyInput
	var err error
	if in.Offer, err = recordID(v, "offer"); err != nil {
		return in, err
	}
	if in.Amount, err = number(v, "amount", 1, maxUnits, 0); err != nil || in.Amount == 0 {
		return in, orErr(err, badf("amount must be a whole number from 1 to %d", uint64(maxUnits)))
	}
	if in.Note, err = text(v, "note", 0, MaxFreeText, true); err != nil {
		return in, err
	}
	in.Nonce, err = nonce(v)
	return in, err
}

// OfferInput is the operator's offer form.
type OfferInput struct {
	Price    string
	Min, Max uint64
	Terms    string
}

// DecodeOffer reads the operator's offer form.
func DecodeOffer(v url.Values) (OfferInput, error) {
	var in OfferInput
	var err error
	if in.Price, err = text(v, "price", 1, MaxTitle, false); err != nil {
		return in, err
	}
	if in.Min, err = number(v, "min", 1, maxUnits, 1); err != nil {
		return in, err
	}
	if in.Max, err = number(v, "max", 1, maxUnits, maxUnits); err != nil {
		return in, err
	}
	if in.Max < in.Min {
		return in, badf("max must not be below min")
	}
	in.Terms, err = text(v, "terms", 0, MaxFreeText, true)
	return in, err
}

// Decision is an operator's settlement form.
type Decision struct {
	ID   string
	Yes  bool // release (order) or paid (cash request)
	Note string
}

// DecodeDecision reads the operator's settle form.
func DecodeDecision(v url.Values) (Decision, error) {
	var d Decision
	var err error
	if d.ID, err = recordID(v, "id"); err != nil {
		return d, err
	}
	switch v.Get("decision") {
	case "release", "paid":
		d.Yes = true
	case "refund", "refused":
	default:
		return d, badf("decision must be release, refund, paid or refused")
	}
	d.Note, err = text(v, "note", 0, MaxFreeText, true)
	return d, err
}

// recordID reads an ID field: 1 to 64 lower-case hex digits or letters.
func recordID(v url.Values, name string) (string, error) {
	s := v.Get(name)
	if !validID(s) {
		return "", badf("%s is not a valid id", name)
	}
	return s, nil
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
