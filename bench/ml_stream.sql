-- Streaming ML benchmark (not a test): run by bench/ml_stream.sh on a throwaway cluster.
-- A synthetic star schema: entity table ent (n_big rows: id, features float8[4], fk1 -> a1 (1000 x 8), fk2 -> a2
-- (100 x 4), y, label) and ent_small, its first n_small rows. Each timed call runs in a fresh backend so its peak
-- resident memory (VmHWM from /proc) belongs to that call alone.
\set ON_ERROR_STOP 1
\pset footer off
\pset tuples_only off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS morpheus;
DROP TABLE IF EXISTS ent, ent_small, a1, a2, results;
CREATE TABLE a1 AS SELECT r AS key, ARRAY(SELECT sin(r * j) FROM generate_series(1, 8) j)::float8[] AS features
  FROM generate_series(1, 1000) r;
CREATE TABLE a2 AS SELECT r AS key, ARRAY(SELECT cos(r * j * 0.37) FROM generate_series(1, 4) j)::float8[] AS features
  FROM generate_series(1, 100) r;
SELECT clock_timestamp() AS g0 \gset
CREATE UNLOGGED TABLE ent AS
  SELECT id, features, fk1, fk2, y, (y > 0)::int::float8 AS label FROM (
    SELECT i AS id, ARRAY[sin(i), cos(i * 0.7), sin(i * 0.11), 1]::float8[] AS features,
           (1 + (i::bigint * 7919) % 1000)::int AS fk1, (1 + (i::bigint * 31) % 100)::int AS fk2,
           sin(i) - 2 * cos(i * 0.7) + sin(i * 1.3) * 0.1 + (random() - 0.5) AS y
    FROM generate_series(1, :n_big) i) g;
VACUUM ANALYZE ent;
CREATE UNLOGGED TABLE ent_small AS SELECT * FROM ent WHERE id <= :n_small;
VACUUM ANALYZE ent_small;
SELECT round(extract(epoch FROM clock_timestamp() - :'g0'::timestamptz)) AS generate_s,
       pg_size_pretty(pg_total_relation_size('ent')) AS ent_size,
       pg_size_pretty(pg_total_relation_size('ent_small')) AS ent_small_size;
CREATE TABLE results (run text, n bigint, ms float8, passes int, iterations int, hwm_kb bigint, coefficients float8[]);

\set attrs 'ARRAY[''SELECT key, features FROM a1'', ''SELECT key, features FROM a2'']'
\set fks 'ARRAY[''fk1'', ''fk2'']'
\set keys 'ARRAY[''key'', ''key'']'

-- baseline: a fresh backend that ran one trivial query
\c
SELECT pg_backend_pid() AS pid \gset
SELECT 1 AS one \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('fresh backend', 0, 0, 0, 0, :hwm, NULL);

-- streamed, big table: linreg normal (2 passes), logreg L-BFGS (3 iterations)
\set tbl ent
\c
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.linreg_stream(
  'SELECT features, fk1, fk2, y FROM ent', label => 'y', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys, batch_rows => 100000) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('linreg_stream normal', :n_big, :ms, (:passes), :it, :hwm, :'coef');

\c
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.linreg_stream(
  'SELECT features, fk1, fk2, y FROM ent', label => 'y', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys, batch_rows => 10000) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('linreg_stream normal, batch_rows 10000', :n_big, :ms, (:passes), :it, :hwm, :'coef');

\c
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it FROM (SELECT morpheus.logreg_stream(
  'SELECT features, fk1, fk2, label FROM ent', intercept => false, attributes => :attrs, foreign_keys => :fks,
  attribute_keys => :keys, batch_rows => 100000, max_iterations => 3) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('logreg_stream lbfgs', :n_big, :ms, (:passes), :it, :hwm, NULL);

\set tbl ent_small
-- small table: streamed and in memory (linreg_train / logreg_train on the same relations)
\c
SET synchronize_seqscans = off;
SET max_parallel_workers_per_gather = 0;  -- as the streamed runs, one process reads the rows
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.linreg_stream(
  'SELECT features, fk1, fk2, y FROM ent_small', label => 'y', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('linreg_stream normal', :n_small, :ms, (:passes), :it, :hwm, :'coef');

\c
SET synchronize_seqscans = off;
SET max_parallel_workers_per_gather = 0;  -- as the streamed runs, one process reads the rows
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.linreg_train(
  'SELECT features, fk1, fk2, y FROM ent_small', label => 'y', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('linreg in memory', :n_small, :ms, (:passes), :it, :hwm, :'coef');

\c
SET synchronize_seqscans = off;
SET max_parallel_workers_per_gather = 0;  -- as the streamed runs, one process reads the rows
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.logreg_stream(
  'SELECT features, fk1, fk2, label FROM ent_small', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys, max_iterations => 3) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('logreg_stream lbfgs', :n_small, :ms, (:passes), :it, :hwm, :'coef');

\c
SET synchronize_seqscans = off;
SET max_parallel_workers_per_gather = 0;  -- as the streamed runs, one process reads the rows
SELECT pg_backend_pid() AS pid \gset
SELECT seq_scan AS scans0 FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
SELECT clock_timestamp() AS t0 \gset
SELECT (m).iterations AS it, (m).parameters AS coef FROM (SELECT morpheus.logreg_train(
  'SELECT features, fk1, fk2, label FROM ent_small', intercept => false, attributes => :attrs,
  foreign_keys => :fks, attribute_keys => :keys, max_iterations => 3) AS m) s \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
SELECT pg_stat_force_next_flush() AS flushed \gset
SELECT seq_scan - :scans0 AS passes FROM pg_stat_user_tables WHERE relname = :'tbl' \gset
\set hwm `awk '/VmHWM/ {print $2}' /proc/:pid/status`
INSERT INTO results VALUES ('logreg in memory', :n_small, :ms, (:passes), :it, :hwm, :'coef');

\echo
\echo 'Runs (hwm = peak resident memory of the backend, including the shared buffers it touched):'
SELECT run, n, round(ms::numeric) AS ms, iterations,
       CASE WHEN passes > 0 THEN round((ms / passes)::numeric) END AS ms_per_pass,
       CASE WHEN passes > 0 THEN round(n * passes / (ms / 1000)) END AS rows_per_s,
       round(hwm_kb / 1024.0) AS peak_mb
  FROM results ORDER BY n DESC, run;
\echo 'Table sizes (MB):'
SELECT round(pg_total_relation_size('ent') / 1048576.0) AS ent_mb, round(pg_total_relation_size('ent_small') / 1048576.0) AS ent_small_mb,
       current_setting('shared_buffers') AS shared_buffers;
\echo 'Small table: in memory vs streamed (ratio > 1: streaming is faster / smaller):'
SELECT split_part(m.run, ' ', 1) AS algorithm, round(m.ms::numeric) AS memory_ms, round(s.ms::numeric) AS stream_ms,
       round((m.ms / s.ms)::numeric, 2) AS time_ratio, round(m.hwm_kb / 1024.0) AS memory_peak_mb,
       round(s.hwm_kb / 1024.0) AS stream_peak_mb, round((m.hwm_kb::numeric / s.hwm_kb), 2) AS memory_ratio,
       (SELECT max(abs(a - b)) / (1 + max(abs(b))) FROM unnest(s.coefficients, m.coefficients) u(a, b)) AS coef_rel_diff
  FROM results m JOIN results s ON s.n = m.n AND s.run LIKE split_part(m.run, ' ', 1) || '_stream%'
 WHERE m.run LIKE '% in memory';
