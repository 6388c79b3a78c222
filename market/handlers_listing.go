package market

import (
	"net/http"
	"net/url"
	"strconv"
)

type homeData struct {
	Q          Query
	Categories []string
	Results    []Listing
	Prev, Next string
}

func (m *Market) home(w http.ResponseWriter, r *http.Request, v *visit) error {
	q, err := DecodeQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, more, err := m.Search(r.Context(), q)
	if err != nil {
		return err
	}
	d := homeData{Q: q, Categories: Categories, Results: res}
	if q.Page > 0 {
		d.Prev = pageURL(r.URL.Query(), q.Page-1)
	}
	if more {
		d.Next = pageURL(r.URL.Query(), q.Page+1)
	}
	m.render(w, r, "home", page{Title: "Search", Data: d})
	return nil
}

func pageURL(q url.Values, p int) string {
	q.Set("page", strconv.Itoa(p))
	return "/?" + q.Encode()
}

type listingData struct {
	L          Listing
	Mine       bool
	Categories []string
}

func (m *Market) listingPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	l, err := m.listingFromPath(r)
	if err != nil {
		return err
	}
	m.render(w, r, "listing", page{Title: l.Title, Data: listingData{L: l, Mine: l.Seller == v.sess.Account}})
	return nil
}

func (m *Market) listingFromPath(r *http.Request) (Listing, error) {
	id, err := pathID(r)
	if err != nil {
		return Listing{}, err
	}
	return m.Listing(r.Context(), id)
}

func (m *Market) newListingPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	m.render(w, r, "edit", page{Title: "Sell", Data: listingData{L: Listing{Quantity: 1}, Categories: Categories}})
	return nil
}

func (m *Market) newListing(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := DecodeListing(r.PostForm)
	if err != nil {
		return err
	}
	l, err := m.CreateListing(r.Context(), v.sess.Account, in)
	if err != nil {
		return err
	}
	return seeOther(w, r, "/l/"+l.ID)
}

func (m *Market) editPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	l, err := m.listingFromPath(r)
	if err != nil {
		return err
	}
	if l.Seller != v.sess.Account {
		return ErrNotYours
	}
	m.render(w, r, "edit", page{Title: "Edit", Data: listingData{L: l, Categories: Categories}})
	return nil
}

func (m *Market) edit(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := DecodeListing(r.PostForm)
	if err != nil {
		return err
	}
	if err := m.EditListing(r.Context(), v.sess.Account, id, in); err != nil {
		return err
	}
	return seeOther(w, r, "/l/"+id)
}

func (m *Market) withdrawListing(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := m.WithdrawListing(r.Context(), v.sess.Account, id); err != nil {
		return err
	}
	return seeOther(w, r, "/l/"+id)
}
