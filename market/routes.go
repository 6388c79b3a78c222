package market

import "net/http"

type handlerFunc func(w http.ResponseWriter, r *http.Request, v *visit) error

// routes lists every page and form of the site.
func (m *Market) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f handlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := f(w, r, visitOf(r)); err != nil {
				m.fail(w, r, err)
			}
		})
	}
	mux.HandleFunc("GET /style.css", serveCSS)
	h("GET /{$}", m.home)
	h("GET /signup", m.signupPage)
	h("POST /signup", m.signup)
	h("GET /login", m.loginPage)
	h("POST /login", m.login)
	h("POST /logout", m.logout)
	h("GET /l/{id}", m.listingPage)
	h("GET /sell", m.auth(m.newListingPage))
	h("POST /sell", m.auth(m.newListing))
	h("GET /l/{id}/edit", m.auth(m.editPage))
	h("POST /l/{id}/edit", m.auth(m.edit))
	h("POST /l/{id}/withdraw", m.auth(m.withdrawListing))
	h("POST /l/{id}/buy", m.auth(m.buy))
	h("GET /o/{id}", m.auth(m.orderPage))
	h("POST /o/{id}/confirm", m.auth(m.confirm))
	h("POST /o/{id}/dispute", m.auth(m.dispute))
	h("POST /o/{id}/message", m.auth(m.message))
	h("GET /account", m.auth(m.accountPage))
	h("POST /withdraw", m.auth(m.withdraw))
	h("GET /w/{id}", m.auth(m.withdrawalPage))
	h("POST /w/{id}/received", m.auth(m.received(HandoutWithdraw, "/w/")))
	h("POST /o/{id}/change-received", m.auth(m.received(HandoutChange, "/o/")))
	h("GET /cash", m.cashPage)
	h("POST /cash/sell", m.auth(m.sellCash))
	h("POST /cash/buy", m.auth(m.buyCash))
	h("GET /op", m.opPage)
	h("POST /op/login", m.opLogin)
	h("POST /op/settle", m.op(m.opSettle))
	h("POST /op/cash", m.op(m.opCash))
	h("POST /op/offer", m.op(m.opOffer))
	h("POST /op/offer/withdraw", m.op(m.opOfferWithdraw))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { m.fail(w, r, ErrNotFound) })
	return m.wrap(mux)
}

func (m *Market) auth(f handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		if v.sess.Account == "" {
			return ErrLoginRequired
		}
		return f(w, r, v)
	}
}

func (m *Market) op(f handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		if !v.sess.Operator {
			return ErrOperator
		}
		return f(w, r, v)
	}
}

func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// pathID reads the {id} path segment.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !validID(id) {
		return "", ErrNotFound
	}
	return id, nil
}
