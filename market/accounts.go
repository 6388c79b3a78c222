package market

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"
)

// Account is an anonymous account. Key is its public name (what buyers see
// of a seller); the secret that logs in is never stored, only its hash.
type Account struct {
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
	Balance uint64    `json:"balance"`
}

// Session is a login, stored under the hash of its cookie.
type Session struct {
	Account  string    `json:"account,omitempty"`
	Operator bool      `json:"operator,omitempty"`
	Expires  time.Time `json:"expires"`
}

// NewAccount is what account creation shows once.
type NewAccount struct {
	Key, Secret, Phrase string
}

// operatorAccount is B's own account: units B bought for cash and sells
// for cash.
const operatorAccount = "operator"

func hexs(b []byte) string { return hex.EncodeToString(b) }

func unhex(s string) ([]byte, error) { return hex.DecodeString(s) }

func tagged(tag string, b []byte) string {
	h := sha256.New()
	h.Write([]byte(tag))
	h.Write(b)
	return hexs(h.Sum(nil))
}

func accountKey(secret []byte) string { return tagged("cyclecash market account key\x00", secret)[:24] }
func authHash(secret []byte) string   { return tagged("cyclecash market auth\x00", secret) }
func sessionKey(cookie string) string { return tagged("cyclecash market session\x00", []byte(cookie)) }

// CreateAccount makes an account with a fresh random secret.
func (m *Market) CreateAccount(ctx context.Context) (NewAccount, error) {
	if err := m.limits.allow(actSignup); err != nil {
		return NewAccount{}, err
	}
	secret, err := m.random(secretLen)
	if err != nil {
		return NewAccount{}, err
	}
	a := Account{Key: accountKey(secret), Created: m.now()}
	err = m.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.Put(bAuth, authHash(secret), []byte(a.Key)); err != nil {
			return err
		}
		return putJSON(tx, bAccount, a.Key, a)
	})
	return NewAccount{Key: a.Key, Secret: hexs(secret), Phrase: phrase(secret)}, err
}

// Login checks an account secret (hex or phrase) and returns a new session
// cookie value.
func (m *Market) Login(ctx context.Context, secretText string) (string, error) {
	if err := m.limits.allow(actLogin); err != nil {
		return "", err
	}
	secret, err := parseSecret(secretText)
	if err != nil {
		return "", err
	}
	var key string
	err = m.cfg.Store.View(ctx, func(tx Tx) error {
		k, err := tx.Get(bAuth, authHash(secret))
		if err == nil && k == nil {
			err = ErrBadSecret
		}
		key = string(k)
		return err
	})
	if err != nil {
		return "", err
	}
	return m.newSession(ctx, Session{Account: key})
}

// OperatorLogin checks the operator secret and returns a session cookie.
func (m *Market) OperatorLogin(ctx context.Context, secret string) (string, error) {
	if err := m.limits.allow(actLogin); err != nil {
		return "", err
	}
	if m.cfg.OperatorSecret == "" || !equalHash(secret, m.cfg.OperatorSecret) {
		return "", ErrBadOperatorKey
	}
	return m.newSession(ctx, Session{Operator: true})
}

func equalHash(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

func (m *Market) newSession(ctx context.Context, s Session) (string, error) {
	raw, err := m.random(32)
	if err != nil {
		return "", err
	}
	cookie := hexs(raw)
	s.Expires = m.now().Add(m.cfg.SessionTTL)
	err = m.cfg.Store.Update(ctx, func(tx Tx) error { return putJSON(tx, bSession, sessionKey(cookie), s) })
	return cookie, err
}

// session returns the unexpired session of a cookie, or the zero Session.
func (m *Market) session(ctx context.Context, cookie string) Session {
	var s Session
	if cookie == "" {
		return s
	}
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		_, err := getJSON(tx, bSession, sessionKey(cookie), &s)
		return err
	})
	if err != nil || !m.now().Before(s.Expires) {
		return Session{}
	}
	return s
}

// Logout ends the session of a cookie.
func (m *Market) Logout(ctx context.Context, cookie string) error {
	return m.cfg.Store.Update(ctx, func(tx Tx) error { return tx.Delete(bSession, sessionKey(cookie)) })
}

// Account returns an account by key.
func (m *Market) Account(ctx context.Context, key string) (Account, error) {
	var a Account
	err := m.cfg.Store.View(ctx, func(tx Tx) error { return must(tx, bAccount, key, &a) })
	return a, err
}

// credit adds n units to an account's balance inside tx.
func credit(tx Tx, key string, n int64) error {
	var a Account
	if _, err := getJSON(tx, bAccount, key, &a); err != nil {
		return err
	}
	a.Key = key
	if n < 0 && a.Balance < uint64(-n) {
		return ErrInsufficient
	}
	a.Balance = uint64(int64(a.Balance) + n)
	return putJSON(tx, bAccount, key, a)
}

// SessionAccount returns the account a session cookie is logged in as,
// or "" (for the node's own tooling and tests).
func (m *Market) SessionAccount(ctx context.Context, cookie string) string {
	return m.session(ctx, cookie).Account
}

// dropSessions deletes expired sessions.
func (m *Market) dropSessions(ctx context.Context) error {
	now := m.now()
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		return scanJSON(tx, bSession, "", func(k string, s *Session) error {
			if now.Before(s.Expires) {
				return nil
			}
			return tx.Delete(bSession, k)
		})
	})
}
