-- Running totals per keyset (issued: signatures; spent: SPENT proofs),
-- kept by the statements that change those rows (each in one statement
-- with the change, tx.go), so the supply cap never sums both tables.
-- Writers only append to keyset_deltas (no index, nothing read), so
-- concurrent swaps of one day's keyset take no predicate locks on a shared
-- row and do not abort each other's serializable transactions; Prune
-- (PruneResponses) folds the deltas into keyset_totals, so Totals reads
-- one row per keyset plus the deltas since the last prune.
CREATE TABLE keyset_totals (
    keyset text PRIMARY KEY,
    issued bigint NOT NULL DEFAULT 0,
    spent  bigint NOT NULL DEFAULT 0
);
CREATE TABLE keyset_deltas (
    keyset text NOT NULL,
    issued bigint NOT NULL,
    spent  bigint NOT NULL
);
INSERT INTO keyset_totals (keyset, issued, spent)
    SELECT keyset, sum(i), sum(s) FROM (
        SELECT keyset, amount AS i, 0 AS s FROM signatures
        UNION ALL
        SELECT keyset, 0, amount FROM proofs WHERE state = 'SPENT'
    ) t GROUP BY keyset;
