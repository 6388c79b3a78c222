package market

import "net/http"

func (m *Market) signupPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	m.render(w, r, "signup", page{Title: "New account"})
	return nil
}

// signup creates the account, logs it in and shows the secret once (the
// answer to the POST itself, so no later page can show it again).
func (m *Market) signup(w http.ResponseWriter, r *http.Request, v *visit) error {
	na, err := m.CreateAccount(r.Context())
	if err != nil {
		return err
	}
	// Not through Login: its rate limit must not swallow a secret that
	// exists now and is shown only on this page.
	cookie, err := m.newSession(r.Context(), Session{Account: na.Key})
	if err != nil {
		return err
	}
	m.setCookie(w, cookie)
	v.cookie, v.sess, v.csrf = cookie, Session{Account: na.Key}, m.csrfToken(cookie)
	m.render(w, r, "created", page{Title: "Your account", Data: na})
	return nil
}

func (m *Market) loginPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	m.render(w, r, "login", page{Title: "Log in"})
	return nil
}

func (m *Market) login(w http.ResponseWriter, r *http.Request, v *visit) error {
	secret, err := DecodeSecret(r.PostForm)
	if err != nil {
		return err
	}
	cookie, err := m.Login(r.Context(), secret)
	if err != nil {
		return err
	}
	m.setCookie(w, cookie) // a fresh cookie: no session fixation
	return seeOther(w, r, "/account")
}

func (m *Market) logout(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := m.Logout(r.Context(), v.cookie); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return seeOther(w, r, "/")
}

type accountData struct {
	A           Account
	Orders      []Order
	Listings    []Listing
	Withdrawals []Withdrawal
	Pending     uint64
}

func (m *Market) accountPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	a, err := m.Account(ctx, v.sess.Account)
	if err != nil {
		return err
	}
	d := accountData{A: a}
	if d.Orders, err = m.Orders(ctx, a.Key); err != nil {
		return err
	}
	if d.Listings, err = m.SellerListings(ctx, a.Key); err != nil {
		return err
	}
	if d.Withdrawals, d.Pending, err = m.Withdrawals(ctx, a.Key); err != nil {
		return err
	}
	m.render(w, r, "account", page{Title: "Account", Data: d})
	return nil
}

func (m *Market) withdraw(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := DecodeWithdraw(r.PostForm)
	if err != nil {
		return err
	}
	wd, err := m.Withdraw(r.Context(), v.sess.Account, in.Amount, in.Nonce)
	if err != nil {
		return err
	}
	return seeOther(w, r, "/w/"+wd.ID)
}

func (m *Market) withdrawalPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wd, err := m.Withdrawal(r.Context(), v.sess.Account, id)
	if err != nil {
		return err
	}
	m.render(w, r, "withdrawal", page{Title: "Withdrawal", Data: wd})
	return nil
}

// received erases a handed-out token its owner has put in a wallet.
func (m *Market) received(kind, back string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := m.Received(r.Context(), v.sess.Account, kind, id); err != nil {
			return err
		}
		return seeOther(w, r, back+id)
	}
}
