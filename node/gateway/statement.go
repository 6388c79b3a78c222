package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// Open workers are paid in cash, weekly, by the operator. Their credit
// (tableCredits) is what is owed; each credit, claw-back and recorded
// payout is also added to the worker's week (tableWeeks
// "<worker>/<Monday>") in the transaction that moves the credit, so the
// statement and the credit never disagree after a crash. A payout is
// recorded under its ID (tablePaidOut) in the transaction that debits
// the credit, so recording it twice pays once, and it can never pay more
// than is owed.

// weekOf is the Monday of t's UTC week.
func weekOf(t time.Time) string {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return t.AddDate(0, 0, -d).Format(time.DateOnly)
}

// addWeek applies fn to worker's current week.
func (g *Gateway) addWeek(tx compute.Tx, worker string, fn func(*work.Week)) error {
	wk := work.Week{Week: weekOf(g.now())}
	key := worker + "/" + wk.Week
	if _, err := getJSON(tx, tableWeeks, key, &wk); err != nil {
		return err
	}
	fn(&wk)
	return putJSON(tx, tableWeeks, key, wk)
}

func (g *Gateway) noteEarned(tx compute.Tx, worker string, units uint64) error {
	return g.addWeek(tx, worker, func(w *work.Week) { w.Tasks++; w.Earned += units })
}

func (g *Gateway) noteClawed(tx compute.Tx, worker string, units uint64) error {
	return g.addWeek(tx, worker, func(w *work.Week) { w.Clawed += units })
}

// statement is worker's account by week.
func (g *Gateway) statement(worker string) (work.Statement, error) {
	st := work.Statement{Worker: worker}
	err := g.store.View(func(tx compute.Tx) error {
		acct, err := g.account(tx, worker)
		if err != nil {
			return err
		}
		st.Owed = acct.Credit
		return tx.Scan(tableWeeks, worker+"/", func(_ string, b []byte) error {
			var w work.Week
			if err := json.Unmarshal(b, &w); err != nil {
				return fmt.Errorf("node: compute: corrupt %s record: %w", tableWeeks, err)
			}
			st.Weeks = append(st.Weeks, w)
			return nil
		})
	})
	return st, err
}

// recordPayout debits p.Units from p.Worker's credit, once per p.ID.
func (g *Gateway) recordPayout(p work.CashPayout) (work.Statement, error) {
	if p.ID == "" || p.Units == 0 || p.Worker == "" || len(p.ID) > 128 {
		return work.Statement{}, ErrPayoutMalformed
	}
	err := g.store.Update(func(tx compute.Tx) error {
		var had work.CashPayout
		if ok, err := getJSON(tx, tablePaidOut, p.ID, &had); err != nil || ok && had == p {
			return err // recorded before: nothing more to pay
		} else if ok {
			return ErrPayoutReused
		}
		acct, err := g.account(tx, p.Worker)
		if err != nil {
			return err
		}
		if acct.Credit < p.Units {
			return fmt.Errorf("%w: %d owed", ErrPayoutTooMuch, acct.Credit)
		}
		acct.Credit -= p.Units
		if err := putJSON(tx, tableCredits, p.Worker, acct); err != nil {
			return err
		}
		if err := g.addWeek(tx, p.Worker, func(w *work.Week) { w.Paid += p.Units }); err != nil {
			return err
		}
		return putJSON(tx, tablePaidOut, p.ID, p)
	})
	if err != nil {
		return work.Statement{}, err
	}
	return g.statement(p.Worker)
}

// owed lists every worker with credit, for the operator's payout run.
func (g *Gateway) owed() ([]work.Statement, error) {
	var ids []string
	err := g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableCredits, "", func(id string, b []byte) error {
			var a work.Account
			if _, err := getJSON(tx, tableCredits, id, &a); err == nil && a.Credit > 0 {
				if s, err := g.stealth(tx, id); err == nil && !s {
					ids = append(ids, id)
				}
			}
			return nil
		})
	})
	var out []work.Statement
	for _, id := range ids {
		if err != nil {
			break
		}
		var st work.Statement
		st, err = g.statement(id)
		out = append(out, st)
	}
	return out, err
}

func (g *Gateway) handleStatement(w http.ResponseWriter, r *http.Request, worker string) {
	st, err := g.statement(worker)
	if err != nil {
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	writeJSON(w, st)
}
