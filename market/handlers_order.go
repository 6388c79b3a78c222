package market

import "net/http"

func (m *Market) buy(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := DecodeBuy(r.PostForm)
	if err != nil {
		return err
	}
	var o Order
	it := Item{Listing: id, Qty: in.Qty, Price: in.Price}
	if in.FromBalance {
		o, err = m.BuyWithBalance(r.Context(), v.sess.Account, it, in.Nonce)
	} else {
		o, err = m.BuyWithToken(r.Context(), v.sess.Account, it, in.Token)
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/o/"+o.ID)
}

type orderData struct {
	O       Order
	IsBuyer bool
	Msgs    []Message
}

func (m *Market) orderPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := m.OrderFor(r.Context(), v.sess.Account, id)
	if err != nil {
		return err
	}
	if o.Buyer == v.sess.Account {
		o.Change = m.live(r.Context(), HandoutChange, id, o.Change)
	}
	msgs, err := m.Messages(r.Context(), id)
	if err != nil {
		return err
	}
	m.render(w, r, "order", page{Title: "Order", Data: orderData{O: o, IsBuyer: o.Buyer == v.sess.Account, Msgs: msgs}})
	return nil
}

func (m *Market) confirm(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := m.Confirm(r.Context(), v.sess.Account, id); err != nil {
		return err
	}
	return seeOther(w, r, "/o/"+id)
}

func (m *Market) dispute(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason, err := DecodeDispute(r.PostForm)
	if err != nil {
		return err
	}
	if err := m.Dispute(r.Context(), v.sess.Account, id, reason); err != nil {
		return err
	}
	return seeOther(w, r, "/o/"+id)
}

func (m *Market) message(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	text, err := DecodeMessage(r.PostForm)
	if err != nil {
		return err
	}
	if err := m.PostMessage(r.Context(), v.sess.Account, id, text); err != nil {
		return err
	}
	return seeOther(w, r, "/o/"+id)
}
