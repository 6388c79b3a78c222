-- Compute queue schema, version 1. The queue encodes its records itself
-- (compute.Store is a key-value space of named tables), so one table holds
-- them all; keys are bytea so they order bytewise, as in bbolt.
CREATE TABLE kv (
    tbl   text  NOT NULL,
    key   bytea NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (tbl, key)
);
