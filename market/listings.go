package market

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Listing is something an account sells.
type Listing struct {
	ID          string    `json:"id"`
	Seller      string    `json:"seller"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Price       uint64    `json:"price"`
	Quantity    uint64    `json:"quantity"`
	Created     time.Time `json:"created"`
	Withdrawn   bool      `json:"withdrawn,omitempty"`
}

// ListingInput is a listing form's content.
type ListingInput struct {
	Title, Description, Category string
	Price, Quantity              uint64
}

// Categories are the listing categories.
var Categories = []string{"compute", "software", "data", "services", "goods", "other"}

// Query is a search.
type Query struct {
	Text               string
	Category           string
	MinPrice, MaxPrice uint64 // MaxPrice 0 means no bound
	Page               int    // from 0
}

// PageSize is the number of listings on a search page.
const PageSize = 20

// CreateListing adds a listing by seller.
func (m *Market) CreateListing(ctx context.Context, seller string, in ListingInput) (Listing, error) {
	id, err := m.newID()
	if err != nil {
		return Listing{}, err
	}
	l := Listing{ID: id, Seller: seller, Created: m.now()}
	l.apply(in)
	err = m.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := mustAccount(tx, seller); err != nil {
			return err
		}
		return putJSON(tx, bListing, id, l)
	})
	return l, err
}

func (l *Listing) apply(in ListingInput) {
	l.Title, l.Description, l.Category = in.Title, in.Description, in.Category
	l.Price, l.Quantity = in.Price, in.Quantity
}

// EditListing replaces a listing's content; only its seller may.
func (m *Market) EditListing(ctx context.Context, seller, id string, in ListingInput) error {
	return m.updateListing(ctx, seller, id, func(l *Listing) error {
		if l.Withdrawn {
			return ErrWithdrawn
		}
		l.apply(in)
		return nil
	})
}

// WithdrawListing takes a listing off the market.
func (m *Market) WithdrawListing(ctx context.Context, seller, id string) error {
	return m.updateListing(ctx, seller, id, func(l *Listing) error { l.Withdrawn = true; return nil })
}

func (m *Market) updateListing(ctx context.Context, seller, id string, fn func(*Listing) error) error {
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		var l Listing
		if err := must(tx, bListing, id, &l); err != nil {
			return err
		}
		if l.Seller != seller {
			return ErrNotYours
		}
		if err := fn(&l); err != nil {
			return err
		}
		return putJSON(tx, bListing, id, l)
	})
}

// Listing returns one listing.
func (m *Market) Listing(ctx context.Context, id string) (Listing, error) {
	var l Listing
	err := m.cfg.Store.View(ctx, func(tx Tx) error { return must(tx, bListing, id, &l) })
	return l, err
}

// Search returns one page of the matching listings, newest first, and
// whether a further page exists. Withdrawn listings never match.
func (m *Market) Search(ctx context.Context, q Query) ([]Listing, bool, error) {
	terms := strings.Fields(strings.ToLower(q.Text))
	var all []Listing
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bListing, "", func(_ string, l *Listing) error {
			if !l.Withdrawn && q.matches(*l, terms) {
				all = append(all, *l)
			}
			return nil
		})
	})
	slices.SortFunc(all, func(a, b Listing) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	from := min(q.Page*PageSize, len(all))
	to := min(from+PageSize, len(all))
	return all[from:to], to < len(all), err
}

func (q Query) matches(l Listing, terms []string) bool {
	if q.Category != "" && l.Category != q.Category {
		return false
	}
	if l.Price < q.MinPrice || (q.MaxPrice > 0 && l.Price > q.MaxPrice) {
		return false
	}
	text := strings.ToLower(l.Title + " " + l.Description)
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// SellerListings returns every listing of a seller, withdrawn included.
func (m *Market) SellerListings(ctx context.Context, seller string) ([]Listing, error) {
	var out []Listing
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bListing, "", func(_ string, l *Listing) error {
			if l.Seller == seller {
				out = append(out, *l)
			}
			return nil
		})
	})
	return out, err
}
