package market

import "net/http"

type cashData struct {
	Offers []Offer
	Sells  []SellRequest
	Buys   []BuyRequest
}

func (m *Market) cashPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	var d cashData
	var err error
	if d.Offers, err = m.Offers(r.Context(), false); err != nil {
		return err
	}
	if v.sess.Account != "" {
		if d.Sells, d.Buys, err = m.CashRequests(r.Context(), v.sess.Account); err != nil {
			return err
		}
	}
	m.render(w, r, "cash", page{Title: "Cash", Data: d})
	return nil
}

func (m *Market) sellCash(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := DecodeSell(r.PostForm)
	if err != nil {
		return err
	}
	if _, err := m.SellForCash(r.Context(), v.sess.Account, in.Amount, in.Token, in.Payout); err != nil {
		return err
	}
	return seeOther(w, r, "/cash")
}

func (m *Market) buyCash(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := DecodeCashBuy(r.PostForm)
	if err != nil {
		return err
	}
	if _, err := m.BuyForCash(r.Context(), v.sess.Account, in.Offer, in.Amount, in.Note, in.Nonce); err != nil {
		return err
	}
	return seeOther(w, r, "/cash")
}

type opData struct {
	T        Totals
	Disputes []Order
	Sells    []SellRequest
	Buys     []BuyRequest
	Offers   []Offer
}

func (m *Market) opPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if !v.sess.Operator {
		m.render(w, r, "oplogin", page{Title: "Operator"})
		return nil
	}
	ctx, op := r.Context(), m.Operator()
	var d opData
	var err error
	if d.T, err = op.Report(ctx); err != nil {
		return err
	}
	if d.Disputes, err = op.Orders(ctx, true); err != nil {
		return err
	}
	if d.Sells, d.Buys, err = op.CashoutList(ctx); err != nil {
		return err
	}
	if d.Offers, err = m.Offers(ctx, true); err != nil {
		return err
	}
	m.render(w, r, "op", page{Title: "Operator", Data: d})
	return nil
}

func (m *Market) opLogin(w http.ResponseWriter, r *http.Request, v *visit) error {
	secret, err := DecodeSecret(r.PostForm)
	if err != nil {
		return err
	}
	cookie, err := m.OperatorLogin(r.Context(), secret)
	if err != nil {
		return err
	}
	m.setCookie(w, cookie)
	return seeOther(w, r, "/op")
}

func (m *Market) opSettle(w http.ResponseWriter, r *http.Request, v *visit) error {
	d, err := DecodeDecision(r.PostForm)
	if err != nil {
		return err
	}
	if err := m.Operator().Settle(r.Context(), d.ID, d.Yes); err != nil {
		return err
	}
	return seeOther(w, r, "/op")
}

func (m *Market) opCash(w http.ResponseWriter, r *http.Request, v *visit) error {
	d, err := DecodeDecision(r.PostForm)
	if err != nil {
		return err
	}
	if err := m.Operator().CashoutSettle(r.Context(), d.ID, d.Yes, d.Note); err != nil {
		return err
	}
	return seeOther(w, r, "/op")
}

func (m *Market) opOffer(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := DecodeOffer(r.PostForm)
	if err != nil {
		return err
	}
	if _, err := m.Operator().PostOffer(r.Context(), in); err != nil {
		return err
	}
	return seeOther(w, r, "/op")
}

func (m *Market) opOfferWithdraw(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := recordID(r.PostForm, "id")
	if err != nil {
		return err
	}
	if err := m.Operator().WithdrawOffer(r.Context(), id); err != nil {
		return err
	}
	return seeOther(w, r, "/op")
}
