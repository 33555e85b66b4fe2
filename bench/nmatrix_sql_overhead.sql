-- SQL overhead of the nmatrix operators: the same shape as the last line of bench/nmatrix_bench (n_S = 1e6, d_S = 4,
-- n_R = 1e5, d_R = 16), called through SQL on a stored value. Run: psql -X -f bench/nmatrix_sql_overhead.sql
-- (in a database with the morpheus extension). Compare each timing with the "core only" line of nmatrix_bench.
\timing off
SET search_path = public, morpheus;
DROP TABLE IF EXISTS nm_bench;
CREATE TEMP TABLE nm_bench AS
  SELECT nm_join(nmatrix(s => (SELECT array_agg(ARRAY[random(), random(), random(), random()]) FROM generate_series(1, 1000000))),
                 fk => (SELECT array_agg(1 + (i % 100000)) FROM generate_series(0, 999999) i),
                 r => (SELECT array_agg(ARRAY[random(), random(), random(), random(), random(), random(), random(), random(),
                                              random(), random(), random(), random(), random(), random(), random(), random()])
                       FROM generate_series(1, 100000))) AS t;
SELECT pg_size_pretty(pg_column_size(t)::bigint) AS stored_size FROM nm_bench;
-- the dense operands live in the table too, so that no call parses a 1e6-element literal
ALTER TABLE nm_bench ADD COLUMN x float8[], ADD COLUMN y float8[];
UPDATE nm_bench SET x = (SELECT array_agg(ARRAY[1.0::float8]) FROM generate_series(1, 20)),
                    y = ARRAY[(SELECT array_agg(1.0::float8) FROM generate_series(1, 1000000))];
\timing on
-- deserialization alone (detoast + validate + copy into the core's structures)
SELECT nrow(t) FROM nm_bench;
SELECT nrow(t) FROM nm_bench;
-- LMM, RMM, crossprod, row_sums through SQL (the result conversion is included; count the cells to keep output small)
SELECT cardinality(t %*% x) FROM nm_bench;
SELECT cardinality(t %*% x) FROM nm_bench;
SELECT cardinality(y %*% t) FROM nm_bench;
SELECT cardinality(y %*% t) FROM nm_bench;
SELECT cardinality(crossprod(t)) FROM nm_bench;
SELECT cardinality(crossprod(t)) FROM nm_bench;
SELECT cardinality(row_sums(t)) FROM nm_bench;
SELECT cardinality(row_sums(t)) FROM nm_bench;
-- The iterative pattern (an ML loop in PL/pgSQL): the value is detoasted once into a variable, then every call reads
-- it in place (storage layout v2). Mean ms per call over 10 calls, after one warm-up call. Results go straight into
-- cardinality(): assigning a 1e6-element result to a float8[] variable would make PL/pgSQL expand it (deconstruct
-- every element), which is not the operator's cost. y is the one input that is large (8 MB): a float8[] variable is
-- held expanded, so every call flattens it back (a copy PostgreSQL makes before the function runs).
\timing off
DO $$
DECLARE
  t morpheus.nmatrix;
  x float8[] := (SELECT array_agg(ARRAY[1.0::float8]) FROM generate_series(1, 20));
  y float8[] := ARRAY[(SELECT array_agg(1.0::float8) FROM generate_series(1, 1000000))];
  r float8[];
  n bigint;
  t0 timestamptz;
BEGIN
  SELECT nm_bench.t INTO t FROM nm_bench;
  n := morpheus.nrow(t);
  t0 := clock_timestamp();
  FOR i IN 1..10 LOOP n := morpheus.nrow(t); END LOOP;
  RAISE NOTICE 'in a variable: nrow (read only) % ms per call', round(extract(epoch FROM clock_timestamp() - t0)::numeric * 100, 2);
  n := cardinality(t OPERATOR(morpheus.%*%) x);
  t0 := clock_timestamp();
  FOR i IN 1..10 LOOP n := cardinality(t OPERATOR(morpheus.%*%) x); END LOOP;
  RAISE NOTICE 'in a variable: LMM % ms per call', round(extract(epoch FROM clock_timestamp() - t0)::numeric * 100, 1);
  r := y OPERATOR(morpheus.%*%) t;
  t0 := clock_timestamp();
  FOR i IN 1..10 LOOP r := y OPERATOR(morpheus.%*%) t; END LOOP;
  RAISE NOTICE 'in a variable: RMM % ms per call', round(extract(epoch FROM clock_timestamp() - t0)::numeric * 100, 1);
  r := morpheus.crossprod(t);
  t0 := clock_timestamp();
  FOR i IN 1..10 LOOP r := morpheus.crossprod(t); END LOOP;
  RAISE NOTICE 'in a variable: crossprod % ms per call', round(extract(epoch FROM clock_timestamp() - t0)::numeric * 100, 1);
  n := cardinality(morpheus.row_sums(t));
  t0 := clock_timestamp();
  FOR i IN 1..10 LOOP n := cardinality(morpheus.row_sums(t)); END LOOP;
  RAISE NOTICE 'in a variable: row_sums % ms per call', round(extract(epoch FROM clock_timestamp() - t0)::numeric * 100, 1);
END $$;
