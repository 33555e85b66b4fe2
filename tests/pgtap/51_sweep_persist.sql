-- width_sweep_run commits each finished run: a sweep cancelled in another session keeps the runs it finished, each
-- complete (one row per target), and a new call with the same settings resumes from them.
BEGIN;
SELECT plan(7);

SELECT dblink_connect('sweeper', format('dbname=%s host=%s port=%s user=%s', current_database(),
                      current_setting('unix_socket_directories'), current_setting('port'), current_user));
SELECT dblink_exec('sweeper', 'DROP TABLE IF EXISTS public.morpheus_sweep_persist_runs, public.morpheus_sweep_persist_data');
SELECT dblink_exec('sweeper', 'CREATE TABLE public.morpheus_sweep_persist_data AS SELECT * FROM '
                              'morpheus.synthetic_classification(rows => 240, inputs => 6, classes => 3, seed => 11)');
-- Target 0 is never reached, so every run trains for max_epochs: about a tenth of a second each, over a dozen runs.
SELECT is(dblink_send_query('sweeper', $$CALL morpheus.width_sweep_run('public.morpheus_sweep_persist_runs',
  'public.morpheus_sweep_persist_data', param_budget => 400, depths => '{1,2}', batch_sizes => '{8,24}', seeds => '{1}',
  tuning_seeds => '{7}', target_losses => '{0.9,0}', max_epochs => 300, evals_per_epoch => 2)$$), 1,
  'a long sweep started in another session');
-- Wait (at most 60 s) for the first committed run, then cancel the call.
CREATE FUNCTION pg_temp.wait_for_rows() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint := 0; t0 timestamptz := clock_timestamp();
BEGIN
  WHILE clock_timestamp() - t0 < interval '60 s' LOOP
    IF to_regclass('public.morpheus_sweep_persist_runs') IS NOT NULL THEN
      EXECUTE 'SELECT count(*) FROM public.morpheus_sweep_persist_runs' INTO n;
      EXIT WHEN n > 0;
    END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
  RETURN n;
END $$;
SELECT ok(pg_temp.wait_for_rows() > 0, 'runs are committed while the call goes on');
SELECT ok(pg_cancel_backend(pid), 'cancel sent')
  FROM pg_stat_activity WHERE query LIKE 'CALL morpheus.width_sweep_run%' AND pid <> pg_backend_pid();
CREATE FUNCTION pg_temp.call_result() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM * FROM dblink_get_result('sweeper') AS t(r text);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN SQLSTATE;
END $$;
SELECT is(pg_temp.call_result(), '57014', 'the call was cancelled before it finished');
SELECT ok((SELECT count(*) > 0 FROM public.morpheus_sweep_persist_runs), 'the finished runs survived the cancel');
SELECT is_empty($$SELECT depth, batch_size, seed, role, learning_rate FROM public.morpheus_sweep_persist_runs
                  GROUP BY 1, 2, 3, 4, 5 HAVING count(*) <> 2$$, 'every kept run is complete: one row per target');
-- Resuming: the same call, cancelled again after one more run, keeps the old rows (none is written twice).
SELECT dblink_exec('sweeper', 'SET statement_timeout = ''1500ms''');
CREATE FUNCTION pg_temp.resume() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_exec('sweeper', $c$CALL morpheus.width_sweep_run('public.morpheus_sweep_persist_runs',
    'public.morpheus_sweep_persist_data', param_budget => 400, depths => '{1,2}', batch_sizes => '{8,24}', seeds => '{1}',
    tuning_seeds => '{7}', target_losses => '{0.9,0}', max_epochs => 300, evals_per_epoch => 2)$c$);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN 'cancelled';
END $$;
SELECT pg_temp.resume();
SELECT is_empty($$SELECT depth, batch_size, seed, role, learning_rate FROM public.morpheus_sweep_persist_runs
                  GROUP BY 1, 2, 3, 4, 5 HAVING count(*) <> 2$$, 'a resumed call does not run a finished run again');
SELECT dblink_exec('sweeper', 'RESET statement_timeout');
SELECT dblink_exec('sweeper', 'DROP TABLE public.morpheus_sweep_persist_runs, public.morpheus_sweep_persist_data');
SELECT dblink_disconnect('sweeper');
SELECT * FROM finish();
ROLLBACK;
