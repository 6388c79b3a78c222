package market

import (
	"context"
	"fmt"
	"time"
)

// MaxMessage bounds a message's length in bytes.
const MaxMessage = 2000

// MaxMessagesPerOrder bounds an order's thread, so no party can fill the
// store through one cheap order.
const MaxMessagesPerOrder = 200

// Message is a note between an order's buyer and seller, kept as plain
// text and escaped when shown.
type Message struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// PostMessage adds a message to an order; only its buyer and seller may.
func (m *Market) PostMessage(ctx context.Context, who, order, text string) error {
	id, err := m.newID()
	if err != nil {
		return err
	}
	now := m.now()
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		var o Order
		if err := must(tx, bOrder, order, &o); err != nil {
			return err
		}
		if who != o.Buyer && who != o.Seller {
			return ErrNotFound
		}
		n := 0
		err := tx.Scan(bMessage, order+"/", func(string, []byte) error { n++; return nil })
		if err != nil {
			return err
		}
		if n >= MaxMessagesPerOrder {
			return badf("this order has reached its %d messages", MaxMessagesPerOrder)
		}
		key := fmt.Sprintf("%s/%020d/%s", order, now.UnixNano(), id)
		return putJSON(tx, bMessage, key, Message{From: who, Text: text, At: now})
	})
}

// Messages returns an order's messages, oldest first.
func (m *Market) Messages(ctx context.Context, order string) ([]Message, error) {
	var out []Message
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bMessage, order+"/", func(_ string, v *Message) error {
			out = append(out, *v)
			return nil
		})
	})
	return out, err
}
