-- Running totals per keyset (issued: signatures; spent: SPENT proofs),
-- kept by statement triggers in the transaction that changes the rows, so
-- the supply cap reads one row per keyset instead of summing both tables.
CREATE TABLE keyset_totals (
    keyset text PRIMARY KEY,
    issued bigint NOT NULL DEFAULT 0,
    spent  bigint NOT NULL DEFAULT 0
);
INSERT INTO keyset_totals (keyset, issued, spent)
    SELECT keyset, sum(i), sum(s) FROM (
        SELECT keyset, amount AS i, 0 AS s FROM signatures
        UNION ALL
        SELECT keyset, 0, amount FROM proofs WHERE state = 'SPENT'
    ) t GROUP BY keyset;

CREATE FUNCTION keyset_totals_add(ks text[], di bigint[], ds bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO keyset_totals AS k (keyset, issued, spent)
        SELECT u.k, sum(u.i), sum(u.s) FROM unnest(ks, di, ds) AS u(k, i, s) GROUP BY u.k ORDER BY u.k
    ON CONFLICT (keyset) DO UPDATE SET issued = k.issued + EXCLUDED.issued, spent = k.spent + EXCLUDED.spent;
$$;

CREATE FUNCTION keyset_totals_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keyset_totals_add(array_agg(keyset), array_agg(amount), array_agg(0::bigint)) FROM new_rows HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_totals AFTER INSERT ON signatures
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION keyset_totals_signed();

CREATE FUNCTION keyset_totals_spent_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keyset_totals_add(array_agg(keyset), array_agg(0::bigint), array_agg(amount))
        FROM new_rows WHERE state = 'SPENT' HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER proofs_totals_insert AFTER INSERT ON proofs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION keyset_totals_spent_in();

-- A roll-up of an expired keyset (RollUp) deletes its rows and keeps its
-- totals: it sets cyclecash.rollup for its transaction.
CREATE FUNCTION keyset_totals_spent_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('cyclecash.rollup', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM keyset_totals_add(array_agg(keyset), array_agg(0::bigint), array_agg(-amount))
        FROM old_rows WHERE state = 'SPENT' HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER proofs_totals_delete AFTER DELETE ON proofs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION keyset_totals_spent_out();

CREATE FUNCTION keyset_totals_spent_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keyset_totals_add(array_agg(k), array_agg(0::bigint), array_agg(d)) FROM (
        SELECT keyset AS k, amount AS d FROM new_rows WHERE state = 'SPENT'
        UNION ALL
        SELECT keyset, -amount FROM old_rows WHERE state = 'SPENT'
    ) t HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER proofs_totals_update AFTER UPDATE ON proofs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION keyset_totals_spent_moved();
