-- Unpaid quotes are pruned once expired; this partial index finds them
-- without scanning the paid and issued ones.
CREATE INDEX quotes_unpaid_expiry ON quotes (((body->>'expiry')::bigint))
    WHERE body->>'state' = 'UNPAID';
