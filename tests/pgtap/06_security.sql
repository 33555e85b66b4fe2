-- Security of the SQL surface (issue 12, items 5, 6, 9, 10; docs/security.md): every SQL and PL/pgSQL function
-- pins its search_path (and a shadowing attack is replayed), dist_setup creates nothing in and runs nothing from a
-- schema or function it does not own, every query argument is read-only, the probes are not installed, aggregate
-- support functions are not PUBLIC, the schema is usable by every role and the labels are honest.
BEGIN;
SELECT plan(41);

CREATE FUNCTION pg_temp.ext_functions(lang_c boolean)
  RETURNS SETOF regprocedure LANGUAGE sql AS $$
  SELECT p.oid::regprocedure FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'morpheus'
   WHERE (p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))) = lang_c $$;

-- ---- item 5: search_path ---------------------------------------------------------------------------------------
SELECT cmp_ok((SELECT count(*) FROM pg_temp.ext_functions(false)), '>=', 7::bigint,
              'the extension has SQL and PL/pgSQL functions to check');
SELECT is_empty($$
  SELECT f::text FROM pg_temp.ext_functions(false) f JOIN pg_proc p ON p.oid = f
   WHERE NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
$$, 'every SQL and PL/pgSQL function of the extension has SET search_path = pg_catalog, pg_temp');
-- extension functions are called qualified (morpheus.f): an unqualified call would not resolve under the pinned path
SELECT is_empty($$
  SELECT f::text || ' calls ' || n.proname FROM pg_temp.ext_functions(false) f JOIN pg_proc p ON p.oid = f,
         (SELECT DISTINCT q.proname FROM pg_proc q WHERE q.pronamespace = 'morpheus'::regnamespace
           AND length(q.proname) > 2) n
   WHERE p.prosrc ~ ('(^|[^.a-z0-9_])' || n.proname || '\s*\(')
$$, 'no SQL or PL/pgSQL function calls an extension function unqualified');

-- The attack: a role with CREATE on a schema in the superuser's search_path defines functions more specific than the
-- built-ins the PL/pgSQL code calls (cardinality(int[]) beats pg_catalog.cardinality(anyarray)).
CREATE ROLE morpheus_sec_mallory;
CREATE ROLE morpheus_sec_alice;
GRANT CREATE, USAGE ON SCHEMA public TO morpheus_sec_mallory;
CREATE TABLE public.morpheus_sec_log(who text, fn text);
GRANT INSERT ON public.morpheus_sec_log TO PUBLIC;
SET LOCAL ROLE morpheus_sec_mallory;
CREATE FUNCTION public.cardinality(int[]) RETURNS int LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'cardinality(int[])'); RETURN 0; END $$;
CREATE FUNCTION public.cardinality(float8[]) RETURNS int LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'cardinality(float8[])'); RETURN 0; END $$;
CREATE FUNCTION public.unnest(float8[]) RETURNS SETOF float8 LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'unnest(float8[])'); RETURN; END $$;
CREATE FUNCTION public.unnest(int[]) RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'unnest(int[])'); RETURN; END $$;
CREATE FUNCTION public.array_to_string(int[], text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'array_to_string(int[], text)'); RETURN ''; END $$;
CREATE FUNCTION public.morpheus_sec_sfunc(int[], int) RETURNS int[] LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'array_agg(int)'); RETURN $1 || $2; END $$;
CREATE AGGREGATE public.array_agg(int) (SFUNC = public.morpheus_sec_sfunc, STYPE = int[]);
CREATE FUNCTION public.morpheus_sec_count(bigint, int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'count(int)'); RETURN $1 + 1; END $$;
CREATE AGGREGATE public.count(int) (SFUNC = public.morpheus_sec_count, STYPE = bigint, INITCOND = '0');
RESET ROLE;
SET LOCAL search_path = "$user", public;
-- the shadows are live: an unpinned PL/pgSQL function of the superuser runs mallory's code
CREATE FUNCTION public.morpheus_sec_victim(ids int[]) RETURNS int LANGUAGE plpgsql AS $$
BEGIN RETURN cardinality(ids); END $$;
SELECT is(public.morpheus_sec_victim('{1,2}'), 0, 'control: an unpinned function calls the shadowing cardinality');
SELECT is((SELECT count(*) FROM public.morpheus_sec_log), 1::bigint, 'control: the attack ran once');
DELETE FROM public.morpheus_sec_log;
SELECT is((SELECT count(*) FROM morpheus.draco_train_distributed(
             workers => 3, max_iterations => 2, batch_size => 6,
             source => 'SELECT 1 + (g % 3) AS partition, g::bigint AS row_id, (g % 2)::float8 AS label,
                               ARRAY[g / 10.0, 1]::float8[] AS features FROM generate_series(1, 30) g')),
          2::bigint, 'draco_train_distributed (in session) trains under the attacker''s search_path');
SELECT ok(morpheus.dist_nmatrix_op(NULL, 'gradient',
            'SELECT ARRAY[g / 10.0]::float8[] AS features, 1 + g % 2 AS fk, (g % 2)::float8 AS label
               FROM generate_series(1, 10) g',
            ARRAY['SELECT k AS key, ARRAY[k::float8, 1] AS features FROM generate_series(1, 2) k'], ARRAY['fk'],
            weights => '{0.1,0.2,0.3}', family => 'logistic') IS NOT NULL,
          'dist_nmatrix_op (in session) computes under the attacker''s search_path');
SELECT throws_ok($$SELECT morpheus._dist_cluster_workers('nosuch')$$, '42704', NULL, 'helpers run too');
SELECT is_empty('SELECT * FROM public.morpheus_sec_log', 'none of the attacker''s functions ran');
RESET search_path;

-- ---- item 6: schema squatting -------------------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS plproxy;
CREATE SERVER morpheus_sec_cluster FOREIGN DATA WRAPPER plproxy OPTIONS (p0 'dbname=morpheus_sec_nowhere');
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO morpheus_sec_mallory', current_database()); END $$;
SET LOCAL ROLE morpheus_sec_mallory;
-- 0.1.0's dist_setup used CREATE SCHEMA IF NOT EXISTS morpheus_dist and CREATE OR REPLACE inside it
CREATE SCHEMA morpheus_dist;
CREATE FUNCTION morpheus_dist.cluster_name(cluster text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.morpheus_sec_log VALUES (current_user, 'morpheus_dist.cluster_name'); RETURN cluster; END $$;
RESET ROLE;
SELECT is(morpheus.dist_setup(cluster => 'morpheus_sec_cluster'), 1, 'dist_setup works beside a squatted schema');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.pronamespace = 'morpheus_dist'::regnamespace
                     AND p.proowner <> 'morpheus_sec_mallory'::regrole$$,
                'dist_setup created nothing in a schema it does not own');
SELECT set_eq($$SELECT p.proname::text FROM pg_proc p
                 JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                 JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'morpheus'
                WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plproxy')$$,
              ARRAY['_dist_worker_messages', '_dist_worker_message_on', '_dist_shard_states'],
              'the PL/Proxy fan-out functions are in schema morpheus and members of the extension');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plproxy')
                     AND p.prosrc ~ 'morpheus_dist'$$, 'no fan-out function refers to schema morpheus_dist');
SELECT lives_ok($$SELECT morpheus.dist_setup(cluster => 'morpheus_sec_cluster')$$, 'dist_setup is idempotent');
SET LOCAL ROLE morpheus_sec_mallory;
SELECT throws_ok($$SELECT morpheus.dist_setup(cluster => 'morpheus_sec_cluster')$$, '42501', NULL,
                 'dist_setup refuses a role that is not a superuser');
-- the fan-out cannot be pointed at another role: run_as must be the caller
SELECT throws_ok($$SELECT morpheus._dist_cluster('morpheus_sec_cluster', 'postgres')$$, '42501', NULL,
                 'the cluster function refuses a run_as that is not the calling role');
SELECT is(morpheus._dist_cluster('morpheus_sec_cluster', 'morpheus_sec_mallory'), 'morpheus_sec_cluster',
          'the cluster function accepts the calling role');
RESET ROLE;
-- a foreign function of a fan-out name in schema morpheus is never replaced: an error naming its owner
ALTER EXTENSION morpheus DROP FUNCTION
  morpheus._dist_shard_states(text, text, text, text, text[], text[], text[], float8[], text, text);
DROP FUNCTION morpheus._dist_shard_states(text, text, text, text, text[], text[], text[], float8[], text, text);
GRANT CREATE ON SCHEMA morpheus TO morpheus_sec_mallory;
SET LOCAL ROLE morpheus_sec_mallory;
CREATE FUNCTION morpheus._dist_shard_states(cluster text, run_as text, kind text, source text, attributes text[],
    foreign_keys text[], attribute_keys text[], weights float8[], family text, label text)
  RETURNS SETOF float8[] LANGUAGE sql AS 'SELECT NULL::float8[]';
RESET ROLE;
SELECT throws_like($$SELECT morpheus.dist_setup(cluster => 'morpheus_sec_cluster')$$,
                   '%_dist_shard_states%owned by role morpheus_sec_mallory%',
                   'dist_setup: a pre-existing foreign function is an error naming its owner');
SELECT is((SELECT proowner::regrole::text FROM pg_proc WHERE proname = '_dist_shard_states'), 'morpheus_sec_mallory',
          '... and is left as it was');
DROP FUNCTION morpheus._dist_shard_states(text, text, text, text, text[], text[], text[], float8[], text, text);
REVOKE CREATE ON SCHEMA morpheus FROM morpheus_sec_mallory;

-- ---- item 9: query arguments are read-only -----------------------------------------------------------------------
CREATE TABLE public.morpheus_sec_victim_rows AS SELECT g FROM generate_series(1, 3) g;
CREATE TABLE public.morpheus_sec_vlc_state(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[],
                                           average_rate_bps float8);
CREATE TABLE public.morpheus_sec_model AS
  SELECT morpheus.linreg_train('SELECT 1.0 AS y, 2.0 AS x UNION ALL SELECT 2.0, 3.0 UNION ALL SELECT 3.0, 5.0',
                               label => 'y', features => '{x}') AS m;
CREATE FUNCTION public.morpheus_sec_deleter() RETURNS int LANGUAGE sql AS
  'DELETE FROM public.morpheus_sec_victim_rows RETURNING 1';
-- every function with a query argument (named *_sql or source), all its query arguments set to a DELETE ... RETURNING,
-- its other required arguments from the small table below: each must refuse with 25006 and delete nothing
CREATE FUNCTION pg_temp.readonly_calls(q text)
  RETURNS TABLE(fn text, outcome text) LANGUAGE plpgsql AS $$
DECLARE
  f record;
  call text;
  state text;
  msg text;
  extra constant jsonb := '{"k": "2", "rank": "2", "depth": "1", "width": "2", "param_budget": "10", "iteration": "1",
    "weights": "''{}''::float8[]", "kind": "''col_sums''", "cluster": "NULL", "workers": "3", "batch_size": "6",
    "label": "''label''", "worker": "1", "state_table": "''public.morpheus_sec_vlc_state''"}';
BEGIN
  FOR f IN
    SELECT p.oid, p.proname, p.proargnames AS names, p.proargtypes::oid[] AS types, p.pronargs - p.pronargdefaults AS req
      FROM pg_proc p
     WHERE p.pronamespace = 'morpheus'::regnamespace AND p.prokind = 'f'
       -- PL/Proxy fan-out functions pass the query on: the workers' readers refuse it
       AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'sql', 'plpgsql'))
  LOOP
    IF NOT EXISTS (SELECT 1 FROM unnest(f.names) WITH ORDINALITY a(n, i)
                    WHERE (a.n LIKE '%\_sql' OR a.n = 'source') AND f.types[a.i - 1] = 'text'::regtype) THEN
      CONTINUE;
    END IF;
    SELECT string_agg(format('%I => %s', a.n,
             CASE WHEN (a.n LIKE '%\_sql' OR a.n = 'source') AND f.types[a.i - 1] = 'text'::regtype THEN quote_literal(q)
                  WHEN extra ? a.n THEN extra ->> a.n
                  WHEN f.types[a.i - 1] = 'morpheus.model'::regtype THEN '(SELECT m FROM public.morpheus_sec_model)'
                  WHEN f.types[a.i - 1] = 'float8'::regtype THEN '1'
                  WHEN f.types[a.i - 1] = 'int'::regtype THEN '2'
                  ELSE 'NULL' END), ', ' ORDER BY a.i)
      INTO call
      FROM unnest(f.names) WITH ORDINALITY a(n, i)
     WHERE a.i <= f.req OR (a.n LIKE '%\_sql' OR a.n = 'source') AND f.types[a.i - 1] = 'text'::regtype
        OR (a.i <= cardinality(f.types) AND extra ? a.n);
    BEGIN
      EXECUTE format('SELECT * FROM morpheus.%I(%s)', f.proname, call);
      state := 'none';
      msg := 'no error';
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    fn := f.oid::regprocedure::text;
    outcome := state || ': ' || msg;
    RETURN NEXT;
  END LOOP;
END;
$$;
CREATE TEMP TABLE readonly_outcomes AS
  SELECT * FROM pg_temp.readonly_calls('DELETE FROM public.morpheus_sec_victim_rows RETURNING g');
SELECT cmp_ok((SELECT count(*) FROM readonly_outcomes), '>=', 12::bigint,
              'the catalog lists the query-taking functions (nmatrix_from_sql, *_stream, draco_train, vlc_*, dist_*, ...)');
SELECT is_empty($$SELECT fn, outcome FROM readonly_outcomes WHERE outcome NOT LIKE '25006: %'$$,
                'every query-taking function refuses DELETE ... RETURNING with 25006');
SELECT is((SELECT count(*) FROM public.morpheus_sec_victim_rows), 3::bigint, '... and no row was deleted');
SELECT throws_ok($$SELECT morpheus.nmatrix_from_sql('DELETE FROM public.morpheus_sec_victim_rows RETURNING g')$$,
                 '25006', 'source must be a read-only query, but it is a DELETE', 'the message names the argument');
SELECT throws_ok($$SELECT morpheus.nmatrix_from_sql(
                     'WITH d AS (DELETE FROM public.morpheus_sec_victim_rows RETURNING g) SELECT * FROM d')$$,
                 '25006', NULL, 'a data-modifying WITH is refused');
SELECT throws_ok($$SELECT morpheus.nmatrix_from_sql('SELECT g FROM public.morpheus_sec_victim_rows FOR UPDATE')$$,
                 '25006', NULL, 'SELECT ... FOR UPDATE is refused');
SELECT throws_ok($$SELECT morpheus.nmatrix_from_sql('EXPLAIN ANALYZE DELETE FROM public.morpheus_sec_victim_rows')$$,
                 '25006', NULL, 'EXPLAIN ANALYZE of a DELETE is refused');
SELECT throws_ok($$SELECT morpheus.nmatrix_from_sql('SELECT public.morpheus_sec_deleter() AS features')$$,
                 '25006', NULL, 'a function called by the query cannot write (the read runs read-only)');
SELECT is((SELECT count(*) FROM public.morpheus_sec_victim_rows), 3::bigint, 'still no row deleted');
SELECT is(morpheus.nrow(morpheus.nmatrix_from_sql('SELECT g AS features FROM public.morpheus_sec_victim_rows')), 3::bigint,
          'a plain SELECT is read');
SELECT lives_ok($$INSERT INTO public.morpheus_sec_victim_rows VALUES (4)$$,
                'after a read the transaction can write again (the read-only scope ends with the read)');

-- ---- item 10: surface hygiene ----------------------------------------------------------------------------------
SELECT is_empty($$SELECT f::text FROM pg_temp.ext_functions(true) f
                   WHERE f::text ~ '^morpheus\._(raise|spin|destructors_run|blas_info)\('$$,
                'the test probes are not part of the extension (they live in morpheus_test)');
SELECT ok(has_schema_privilege('morpheus_sec_alice', 'morpheus', 'USAGE'), 'every role may use schema morpheus');
SELECT is_empty($$
  SELECT DISTINCT v.fn::regprocedure::text
    FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid,
         LATERAL (VALUES (a.aggtransfn), (a.aggcombinefn), (a.aggserialfn), (a.aggdeserialfn)) v(fn)
   WHERE p.pronamespace = 'morpheus'::regnamespace AND v.fn <> 0
     AND (SELECT q.pronamespace FROM pg_proc q WHERE q.oid = v.fn) = 'morpheus'::regnamespace
     AND has_function_privilege('morpheus_sec_alice', v.fn, 'EXECUTE')
$$, 'aggregate support functions are not executable by PUBLIC');
SET LOCAL ROLE morpheus_sec_alice;
SELECT is(morpheus.crossprod_agg(x), '{{5,10},{10,21}}'::float8[], '... and a plain role still uses the aggregates')
  FROM (VALUES ('{1,2}'::float8[]), ('{2,4}'), ('{0,1}')) v(x);
SELECT throws_ok($$SELECT morpheus._crossprod_sfunc('{}', '{1,2}')$$, '42501', NULL,
                 '... but not their support functions');
RESET ROLE;
-- the final functions stay callable (merge_states is finished with them) and validate what they are given
SELECT throws_like($$SELECT morpheus._crossprod_final('{1,1,0,NULL}')$$, '%not a partial state%NULL entries%',
                   'a final function refuses a state with NULL entries (22023, no read past the data)');
SELECT throws_ok($$SELECT morpheus._crossprod_final(morpheus.merge_states(s))
                     FROM (VALUES ('{NaN,1,1,1}'::float8[]), ('{1,1,1,1}')) v(s)$$, '22023', NULL,
                 'merge_states refuses a state whose kind is not a number');
-- labels: results that depend on a setting (morpheus.factorize, morpheus.plan_model, thresholds) are not IMMUTABLE
SELECT is_empty($$
  SELECT f::text FROM unnest(ARRAY['morpheus.crossprod(morpheus.nmatrix)', 'morpheus.tcrossprod(morpheus.nmatrix)',
      'morpheus.ginv(morpheus.nmatrix)', 'morpheus.row_sums(morpheus.nmatrix)', 'morpheus.col_sums(morpheus.nmatrix)',
      'morpheus.sum(morpheus.nmatrix)', 'morpheus.nm_lmm(morpheus.nmatrix, float8[])',
      'morpheus.nm_rmm(float8[], morpheus.nmatrix)', 'morpheus.nm_matmul(morpheus.nmatrix, morpheus.nmatrix)',
      'morpheus.matmul(float8[], float8[])', 'morpheus.mat_solve(float8[], float8[])', 'morpheus.mat_ginv(float8[])',
      'morpheus._linreg_final(float8[])']::regprocedure[]) f JOIN pg_proc p ON p.oid = f
   WHERE p.provolatile = 'i'
  UNION ALL
  SELECT p.oid::regprocedure::text FROM pg_proc p
   WHERE p.pronamespace = 'morpheus'::regnamespace AND p.provolatile = 'i'
     AND EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) t WHERE t = 'morpheus.nmatrix'::regtype)
     AND p.prorettype <> 'morpheus.nmatrix'::regtype AND p.proname IN ('linreg', 'logreg', 'kmeans', 'gnmf', 'explain')
  UNION ALL
  SELECT p.oid::regprocedure::text FROM pg_proc p
   WHERE p.pronamespace = 'morpheus'::regnamespace AND p.provolatile = 'i'
     AND p.proname IN ('linreg', 'logreg', 'kmeans', 'gnmf')
$$, 'functions whose result depends on morpheus.factorize, the plan settings or morpheus.blas_threads are STABLE');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
   WHERE p.pronamespace = 'morpheus'::regnamespace AND p.prokind = 'f'
     AND EXISTS (SELECT 1 FROM unnest(p.proargnames) WITH ORDINALITY a(n, i)
                  WHERE (a.n LIKE '%\_sql' OR a.n = 'source') AND (p.proargtypes::oid[])[a.i - 1] = 'text'::regtype)
     AND (p.provolatile <> 'v' OR p.proparallel <> 'u')
$$, 'functions that run a query are VOLATILE and PARALLEL UNSAFE');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
   WHERE p.pronamespace = 'morpheus'::regnamespace AND p.provolatile <> 'v'
     AND EXISTS (SELECT 1 FROM unnest(p.proargnames) WITH ORDINALITY a(n, i)
                  WHERE a.n LIKE '%\_ms' AND a.n NOT LIKE '%cost\_ms'
                    AND coalesce(p.proargmodes[a.i], 'i') IN ('o', 't', 'b'))
$$, 'functions that report a measured time (*_ms; not the cost estimates *_cost_ms) are VOLATILE');

-- install-time check: a schema morpheus made beforehand by another role is refused, naming its owner
DROP EXTENSION IF EXISTS morpheus_test;
DROP EXTENSION morpheus CASCADE;
DROP SCHEMA IF EXISTS morpheus CASCADE;
CREATE SCHEMA morpheus AUTHORIZATION morpheus_sec_mallory;
SELECT throws_ok('CREATE EXTENSION morpheus', '42501',
                 'schema morpheus is owned by role morpheus_sec_mallory, not by a superuser',
                 'CREATE EXTENSION refuses a schema morpheus owned by another role');

SELECT * FROM finish();
ROLLBACK;
