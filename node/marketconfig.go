package node

import (
	"context"

	nmarket "cyclecash/node/market"
)

// MarketConfig is the config table [market] (role market only): the
// loopback address the site is served on (a hidden service maps its port
// 80 there), and its store.
type MarketConfig = nmarket.Config

// The market's control-API bodies, for `cyclecash market`.
type (
	MarketStatus     = nmarket.Status
	MarketCashout    = nmarket.Cashout
	MarketSettle     = nmarket.SettleRequest
	MarketCashSettle = nmarket.CashSettleRequest
)

// MarketCall is one round trip to the running market's operator endpoints
// on the control API (/v1/market/...), for `cyclecash market`.
func (c *Client) MarketCall(ctx context.Context, method, path string, in, out any) error {
	return c.roundTrip(ctx, method, path, in, out, nmarket.ErrNoMarket)
}

// MarketAddr is the loopback address the market's site is served on, or
// "" when the node has no role market.
func (n *Node) MarketAddr() string {
	if m := find[*nmarket.Service](n); m != nil {
		return m.Addr()
	}
	return ""
}
