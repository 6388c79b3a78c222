-- Ledger schema, version 1. Unspent proofs have no row: a row in proofs
-- means PENDING or SPENT. Totals are aggregates, not counters, so that
-- concurrent swaps on several gateways never contend on a hot row.
CREATE TABLE responses (
    key  bytea PRIMARY KEY,
    body bytea NOT NULL
);
CREATE TABLE proofs (
    y      bytea PRIMARY KEY,
    keyset text NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    state  text NOT NULL CHECK (state IN ('PENDING', 'SPENT')),
    escrow text NOT NULL DEFAULT ''
);
CREATE INDEX proofs_keyset_state ON proofs (keyset, state);
CREATE TABLE signatures (
    b      bytea PRIMARY KEY,
    keyset text NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    body   bytea NOT NULL
);
CREATE INDEX signatures_keyset ON signatures (keyset);
CREATE TABLE quotes (
    id   text PRIMARY KEY,
    body jsonb NOT NULL
);
CREATE TABLE escrows (
    id   text PRIMARY KEY,
    body jsonb NOT NULL
);
CREATE TABLE minted (
    day    bigint PRIMARY KEY,
    amount bigint NOT NULL
);
