-- width_sweep_run commits each finished run: a sweep cancelled in another session keeps the runs it finished, each
-- complete, and a new call with the same settings resumes from them without training a finished run again.
BEGIN;
SELECT plan(9);

SELECT dblink_connect('sweeper', format('dbname=%s host=%s port=%s user=%s', current_database(),
                      current_setting('unix_socket_directories'), current_setting('port'), current_user));
SELECT dblink_exec('sweeper', 'DROP TABLE IF EXISTS public.morpheus_sweep_persist_runs, public.morpheus_sweep_persist_data');
SELECT dblink_exec('sweeper', 'CREATE TABLE public.morpheus_sweep_persist_data AS SELECT * FROM '
                              'morpheus.synthetic_classification(rows => 2000, inputs => 20, classes => 3, seed => 11)');
-- Target 0 is never reached, so every run trains for max_epochs: tens of seconds in all, a fraction of one per run.
CREATE FUNCTION pg_temp.sweep_call() RETURNS text LANGUAGE sql AS $$
  SELECT $c$CALL morpheus.width_sweep_run('public.morpheus_sweep_persist_runs', 'public.morpheus_sweep_persist_data',
    param_budget => 5000, depths => '{1,2,3}', batch_sizes => '{4,16}', seeds => '{1}', tuning_seeds => '{7}',
    target_losses => '{0.9,0}', max_epochs => 60, evals_per_epoch => 1)$c$ $$;
SELECT is(dblink_send_query('sweeper', pg_temp.sweep_call()), 1, 'a long sweep started in another session');
-- Wait (at most 60 s) for the first committed run, then cancel the call. (pg_class is scanned with a fresh snapshot.)
CREATE FUNCTION pg_temp.wait_for_rows() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint := 0; t0 timestamptz := clock_timestamp();
BEGIN
  WHILE clock_timestamp() - t0 < interval '60 s' LOOP
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'morpheus_sweep_persist_runs') THEN
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
DECLARE r text := 'finished';
BEGIN
  BEGIN
    PERFORM * FROM dblink_get_result('sweeper') AS t(s text);
  EXCEPTION WHEN query_canceled THEN
    r := SQLSTATE;
  END;
  PERFORM * FROM dblink_get_result('sweeper') AS t(s text);  -- drains the connection
  RETURN r;
END $$;
SELECT is(pg_temp.call_result(), '57014', 'the call was cancelled before it finished');
CREATE TEMP TABLE kept AS SELECT * FROM public.morpheus_sweep_persist_runs;
SELECT ok((SELECT count(*) > 0 FROM kept), 'the finished runs survived the cancel');
SELECT is_empty($$SELECT depth, batch_size, seed, learning_rate FROM kept WHERE role = 'tune'
                  GROUP BY 1, 2, 3, 4 HAVING count(*) <> 2$$, 'every kept tuning run is complete: one row per target');
-- Resuming: the same call again (stopped by a timeout this time) keeps every old row and adds no duplicate.
SELECT dblink_exec('sweeper', 'SET statement_timeout = ''5s''');
CREATE FUNCTION pg_temp.resume() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_exec('sweeper', pg_temp.sweep_call());
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN 'stopped';
END $$;
SELECT pg_temp.resume();
SELECT is_empty($$SELECT * FROM kept EXCEPT SELECT * FROM public.morpheus_sweep_persist_runs$$, 'the old rows are kept');
SELECT is_empty($$SELECT depth, batch_size, seed, role, learning_rate, target_loss FROM public.morpheus_sweep_persist_runs
                  GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1$$, 'a resumed call does not run a finished run again');
SELECT ok((SELECT count(*) FROM public.morpheus_sweep_persist_runs) > (SELECT count(*) FROM kept), 'and it goes on');
SELECT dblink_disconnect('sweeper');
SELECT * FROM finish();
ROLLBACK;
-- The tables were committed by the other session; this transaction held locks on them until now.
DROP TABLE public.morpheus_sweep_persist_runs, public.morpheus_sweep_persist_data;
