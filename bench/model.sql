-- Models benchmark (not a test): scoring and training by relation against their peers, interleaved rounds, medians.
--   psql -v n=1000000 -v rounds=5 -f bench/model.sql    (bench/model.sh runs it on a throwaway cluster)
\set ON_ERROR_STOP 1
\pset footer off
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS morpheus;
CREATE TABLE pts AS SELECT i AS id, sin(i)::float8 AS x1, cos(i * 0.7)::float8 AS x2, (i % 7)::float8 AS x3,
                           (1 + 2 * sin(i) - cos(i * 0.7) + 0.3 * (i % 7) + 0.1 * sin(i * 13))::float8 AS y
                    FROM generate_series(1, :n) i;
VACUUM ANALYZE pts;
CREATE TABLE m AS SELECT morpheus.linreg_train('pts', label => 'y', features => '{x1,x2,x3}') AS m;
CREATE TABLE w AS SELECT (m).parameters AS p FROM m;
CREATE TABLE results (run text, round int, ms float8);
CREATE FUNCTION pg_temp.timed(run text, round int, q text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  INSERT INTO results VALUES (run, round, extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;
-- one warm-up round, then :rounds interleaved rounds
SELECT pg_temp.timed(r, g, q) FROM generate_series(0, :rounds) g, (VALUES
  ('scan: sum(x1 + x2 + x3)', 'SELECT sum(x1 + x2 + x3) FROM pts'),
  ('SQL arithmetic w x + b', 'SELECT sum(x1 * p[1] + x2 * p[2] + x3 * p[3] + p[4]) FROM pts, w'),
  ('predict(model, ARRAY[...]) per row', 'SELECT sum(morpheus.predict(m, ARRAY[x1, x2, x3])) FROM pts, m'),
  ('predict(model, ''pts'') relation', 'SELECT sum(prediction) FROM m, morpheus.predict(m, ''pts'')'),
  ('linreg(x, y) arrays built by array_agg', 'SELECT (morpheus.linreg(x => (SELECT array_agg(ARRAY[x1, x2, x3, 1] ORDER BY id) FROM pts), y => (SELECT array_agg(y ORDER BY id) FROM pts))).converged'),
  ('linreg_train(''pts'') with statistics', 'SELECT (morpheus.linreg_train(''pts'', label => ''y'', features => ''{x1,x2,x3}'')).converged')) v(r, q)
ORDER BY g, r;
SELECT run, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1e6 / :n)::numeric, 1) AS ns_per_row
FROM results WHERE round > 0 GROUP BY run ORDER BY median_ms;
WITH med AS (SELECT run, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM results WHERE round > 0 GROUP BY run)
SELECT round(((SELECT ms FROM med WHERE run LIKE 'predict(model, ARRAY%') / (SELECT ms FROM med WHERE run LIKE 'SQL arith%'))::numeric, 2) AS predict_per_row_vs_sql,
       round(((SELECT ms FROM med WHERE run LIKE 'predict(model, ''pts%') / (SELECT ms FROM med WHERE run LIKE 'SQL arith%'))::numeric, 2) AS predict_relation_vs_sql,
       round(((SELECT ms FROM med WHERE run LIKE 'SQL arith%') / (SELECT ms FROM med WHERE run LIKE 'scan%'))::numeric, 2) AS sql_vs_scan,
       round(((SELECT ms FROM med WHERE run LIKE 'linreg_train%') / (SELECT ms FROM med WHERE run LIKE 'linreg(x, y)%'))::numeric, 2) AS train_relation_vs_arrays;
