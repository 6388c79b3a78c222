package gateway

import (
	"fmt"
	"net/http"
	"strings"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// A stealth worker claims its credit by offering a mint quote for it
// (POST offer). The gateway pays the quote at once if the credit covers
// it (payOffer: debit first, crash-safe) and refuses it otherwise, so a
// worker holds at most the offers it is being paid for. An offer today's
// supply cap refused is held (answered like a paid one, but not listed in
// Paid) and paid by the sweep on a later day. Offering the same quote
// again is harmless: a paid or held one answers the account, a dead one is
// refused again.

func (g *Gateway) handleOffer(w http.ResponseWriter, r *http.Request, worker string) {
	var req work.OfferRequest
	if err := readJSON(r, &req); err != nil || req.Quote == "" || strings.Contains(req.Quote, "/") {
		work.WriteError(w, fmt.Errorf("%w: bad offer", work.ErrJob), http.StatusBadRequest)
		return
	}
	if modeOf(r) != work.WorkerStealth {
		work.WriteError(w, fmt.Errorf("%w: only stealth workers offer quotes", work.ErrPayment), http.StatusConflict)
		return
	}
	o, err := g.openOffer(worker, req.Quote)
	if err == nil && (o.State == "" || o.State == "paying") {
		if err = g.payOffer(r.Context(), worker, o); err == nil {
			o, err = g.openOffer(worker, req.Quote)
		}
	}
	if err == nil && o.State == "" && !o.Held {
		err = g.setOffer(worker, o, "dead", 0) // the credit does not cover it
		o.State = "dead"
	}
	switch {
	case err != nil:
		work.WriteError(w, err, http.StatusInternalServerError) // a debited offer is finished by the sweep
	case o.State == "dead":
		work.WriteError(w, fmt.Errorf("%w: offer not paid: more than the credit, or not a payable quote", work.ErrPayment), http.StatusConflict)
	default:
		g.handleAccount(w, r, worker)
	}
}

// openOffer returns worker's offer of quote, recording it first if new.
func (g *Gateway) openOffer(worker, quote string) (offer, error) {
	o := offer{Quote: quote}
	err := g.store.Update(func(tx compute.Tx) error {
		ok, err := getJSON(tx, tableOffers, worker+"/"+quote, &o)
		if err != nil || ok {
			return err
		}
		o.At = g.now().UnixNano()
		return putJSON(tx, tableOffers, worker+"/"+quote, o)
	})
	return o, err
}
