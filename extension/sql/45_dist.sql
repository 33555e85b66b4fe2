-- =============================================================================================================
-- Distributed DRACO (issue 8): worker messages on PostgreSQL worker nodes, PL/Proxy fan-out, coordinator loop.
-- Security model (docs/distributed.md): every function pins search_path; the PL/Proxy fan-out functions are made by
-- dist_setup in schema morpheus as members of the extension (nothing runs from a schema the extension does not own);
-- worker queries run on each node as the caller's role (run_as, checked on the coordinator by _dist_cluster).
-- =============================================================================================================

CREATE FUNCTION morpheus.dist_partitions(
    workers int,
    max_adversaries int DEFAULT 1,
    aggregation text DEFAULT 'cyclic')
  RETURNS TABLE(worker int, partition int)
  AS 'MODULE_PATHNAME', 'morpheus_dist_partitions'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.dist_partitions(int, int, text) IS
  'The data partitions (1..workers) each worker node must hold under the cyclic or repetition code: load a worker''s rows with WHERE partition IN (its partitions).';

CREATE FUNCTION morpheus.dist_worker_message(
    iteration int,
    weights float8[],
    family text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    max_adversaries int DEFAULT 1,
    batch_size int DEFAULT 64,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    source text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    worker int DEFAULT NULL,
    run_as text DEFAULT NULL)
  RETURNS TABLE(worker int, message float8[], compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_dist_worker_message'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.dist_worker_message(int, float8[], text, text, int, int, int, int, int, text, int, text) IS
  'A distributed-DRACO worker''s encoded message [gradient, loss, rows] for one iteration over its local partitions (worker from morpheus.worker_id, Byzantine per morpheus.worker_attack), or worker => k to simulate worker k honestly; run_as => role reads source as that role (the connection user must be allowed to SET ROLE to it).';

CREATE FUNCTION morpheus._dist_step(
    answered int[],
    messages float8[],
    weights float8[],
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    max_adversaries int DEFAULT 1,
    batch_size int DEFAULT 64,
    seed int DEFAULT 1,
    iteration int DEFAULT 1,
    learning_rate float8 DEFAULT 0.1)
  RETURNS TABLE(weights float8[], loss float8, batch_rows bigint, flagged_workers int[], consistent boolean,
                decode_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus__dist_step'
  LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._dist_step(int[], float8[], float8[], text, int, int, int, int, int, float8) IS
  'Internal: decodes the answering workers'' messages (the others count as erasures) and takes one SGD step.';

CREATE FUNCTION morpheus._dist_options(
    family text DEFAULT NULL,
    aggregation text DEFAULT NULL,
    on_failure text DEFAULT NULL,
    kind text DEFAULT NULL)
  RETURNS boolean
  AS 'MODULE_PATHNAME', 'morpheus__dist_options'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._dist_options(text, text, text, text) IS
  'Internal: checks the text options of the distributed functions (each non-NULL one) with the one option parser; true or an error listing the valid values.';

CREATE FUNCTION morpheus._dist_labels(source text, label text DEFAULT 'label')
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__dist_labels'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus._dist_labels(text, text) IS
  'Internal: the numeric column named label of the query source (read-only, caller''s rights), in row order.';

CREATE FUNCTION morpheus._dist_cluster_workers(cluster text)
  RETURNS int
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  n int;
BEGIN
  IF cluster IS NULL THEN
    RAISE EXCEPTION 'cluster is NULL' USING ERRCODE = '22004', HINT = 'Give the name of a PL/Proxy cluster.';
  END IF;
  SELECT count(*) FILTER (WHERE o OPERATOR(pg_catalog.~) '^p[0-9]+=') INTO n
    FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw,
         LATERAL pg_catalog.unnest(coalesce(s.srvoptions, '{}')) o
   WHERE s.srvname = cluster AND w.fdwname = 'plproxy';
  IF NOT FOUND OR n IS NULL OR n = 0 THEN
    RAISE EXCEPTION 'cluster ''%'' is not a PL/Proxy server with partitions p0, p1, ...', cluster
      USING ERRCODE = '42704',
            HINT = 'CREATE SERVER name FOREIGN DATA WRAPPER plproxy OPTIONS (p0 ''host=.. dbname=..'', p1 ..., modular_mapping ''1'') and a user mapping; see docs/distributed.md.';
  END IF;
  RETURN n;
END;
$$;
COMMENT ON FUNCTION morpheus._dist_cluster_workers(text) IS
  'Internal: the number of partitions (worker nodes) of a PL/Proxy cluster defined with CREATE SERVER.';

-- PL/Proxy calls this on the coordinator, as the caller, before every fan-out (the CLUSTER function of the fan-out
-- functions): the role named to the workers must be the caller's, so it cannot be forged by calling the fan-out
-- functions directly.
CREATE FUNCTION morpheus._dist_cluster(cluster text, run_as text)
  RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF run_as IS NULL OR run_as <> current_user::text THEN
    RAISE EXCEPTION 'run_as = % is not the calling role %', coalesce(pg_catalog.quote_literal(run_as), 'NULL'),
                    pg_catalog.quote_literal(current_user::text)
      USING ERRCODE = '42501',
            HINT = 'Worker queries run as the caller''s role: call draco_train_distributed or dist_nmatrix_op, which pass it.';
  END IF;
  PERFORM morpheus._dist_cluster_workers(cluster);
  RETURN cluster;
END;
$$;
COMMENT ON FUNCTION morpheus._dist_cluster(text, text) IS
  'Internal: the PL/Proxy cluster of a fan-out call, after checking that run_as is the calling role.';

CREATE FUNCTION morpheus._dist_node(node int)
  RETURNS int
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS 'SELECT node';
COMMENT ON FUNCTION morpheus._dist_node(int) IS
  'Internal: the PL/Proxy partition (0-based node) named by an argument (RUN ON of _dist_worker_message_on).';

CREATE FUNCTION morpheus.dist_setup(cluster text)
  RETURNS int
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $body$
DECLARE
  n int;
  f record;
  msg_args constant text := 'cluster text, run_as text, iteration int, weights float8[], family text, '
    'aggregation text, workers int, max_adversaries int, batch_size int, seed int, classes int, source text';
  msg_ret constant text := 'RETURNS TABLE(worker int, message float8[], compute_ms float8)';
  msg_call constant text := 'SELECT * FROM morpheus.dist_worker_message($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $2)';
  pin constant text := 'SET search_path = pg_catalog, pg_temp';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'plproxy') THEN
    RAISE EXCEPTION 'the plproxy extension is not installed in this database'
      USING ERRCODE = '42704',
            HINT = 'Install postgresql-15-plproxy and run CREATE EXTENSION plproxy on the coordinator, then call dist_setup again.';
  END IF;
  n := morpheus._dist_cluster_workers(cluster);
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'dist_setup creates PL/Proxy functions in schema morpheus: role % is not a superuser',
                    pg_catalog.quote_ident(current_user::text)
      USING ERRCODE = '42501', HINT = 'Run dist_setup once as a superuser; then any role may train on the cluster.';
  END IF;
  -- The fan-out functions live in schema morpheus as members of the extension. A function of the same name that is
  -- not the extension's own (created by another role with CREATE on the schema) is never replaced or run.
  FOR f IN
    SELECT p.oid::regprocedure AS fn, pg_catalog.pg_get_userbyid(p.proowner) AS owner
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'morpheus'::regnamespace
       AND p.proname IN ('_dist_worker_messages', '_dist_worker_message_on', '_dist_shard_states')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                          AND d.refclassid = 'pg_catalog.pg_extension'::regclass
                          AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'morpheus'))
  LOOP
    RAISE EXCEPTION 'function % already exists, owned by role %, and is not part of the morpheus extension',
                    f.fn, pg_catalog.quote_ident(f.owner)
      USING ERRCODE = '42723',
            HINT = 'It is not morpheus code and will not be replaced or run: drop it (and revoke CREATE on schema morpheus from that role), then call dist_setup again.';
  END LOOP;
  EXECUTE pg_catalog.format($f$CREATE OR REPLACE FUNCTION morpheus._dist_worker_messages(%s) %s LANGUAGE plproxy %s
      AS $p$ CLUSTER morpheus._dist_cluster(cluster, run_as); RUN ON ALL; %s; $p$$f$,
    msg_args, msg_ret, pin, msg_call);
  EXECUTE pg_catalog.format($f$CREATE OR REPLACE FUNCTION morpheus._dist_worker_message_on(node int, %s) %s
      LANGUAGE plproxy %s AS $p$ CLUSTER morpheus._dist_cluster(cluster, run_as); RUN ON morpheus._dist_node(node);
      SELECT * FROM morpheus.dist_worker_message($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $3); $p$$f$,
    msg_args, msg_ret, pin);
  EXECUTE pg_catalog.format($f$CREATE OR REPLACE FUNCTION morpheus._dist_shard_states(cluster text, run_as text,
      kind text, source text, attributes text[], foreign_keys text[], attribute_keys text[], weights float8[],
      family text, label text) RETURNS SETOF float8[] LANGUAGE plproxy %s AS $p$
      CLUSTER morpheus._dist_cluster(cluster, run_as); RUN ON ALL;
      SELECT morpheus.dist_shard_state($3, $4, $5, $6, $7, $8, $9, $10, $2); $p$$f$, pin);
  FOR f IN
    SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'morpheus'::regnamespace
       AND p.proname IN ('_dist_worker_messages', '_dist_worker_message_on', '_dist_shard_states')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE pg_catalog.format('ALTER EXTENSION morpheus ADD FUNCTION %s', f.fn);
  END LOOP;
  COMMENT ON FUNCTION morpheus._dist_worker_messages(text, text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Internal (made by dist_setup): calls morpheus.dist_worker_message on every node of the cluster in parallel (PL/Proxy RUN ON ALL) as role run_as.';
  COMMENT ON FUNCTION morpheus._dist_worker_message_on(int, text, text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Internal (made by dist_setup): calls morpheus.dist_worker_message on one node (0-based PL/Proxy partition) of the cluster as role run_as.';
  COMMENT ON FUNCTION morpheus._dist_shard_states(text, text, text, text, text[], text[], text[], float8[], text, text) IS
    'Internal (made by dist_setup): calls morpheus.dist_shard_state on every node of the cluster in parallel (PL/Proxy RUN ON ALL) as role run_as.';
  RETURN n;
END;
$body$;
COMMENT ON FUNCTION morpheus.dist_setup(text) IS
  'Creates the PL/Proxy fan-out functions of distributed DRACO (in schema morpheus, as members of the extension) and returns the cluster''s number of worker nodes; needs CREATE EXTENSION plproxy and a superuser.';

CREATE FUNCTION morpheus.draco_train_distributed(
    cluster text DEFAULT NULL,
    source text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    family text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT NULL,
    max_adversaries int DEFAULT 1,
    batch_size int DEFAULT 64,
    max_iterations int DEFAULT 20,
    learning_rate float8 DEFAULT 0.1,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    on_failure text DEFAULT 'error')
  RETURNS TABLE(iteration int, loss float8, batch_rows bigint, flagged_workers int[], erased_workers int[],
                compute_ms float8, network_ms float8, decode_ms float8, total_ms float8, weights float8[],
                model morpheus.model)
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  n int;
  w float8[] := '{}';
  it int;
  t0 timestamptz;
  t1 timestamptz;
  ids int[];
  res float8[];
  comp float8;
  failed boolean;
  erased int[];
  reasons text[];
  m record;
  st record;
  k int;
  msg text;
  me constant text := current_user::text;
  losses float8[] := '{}';
  blocks int;
  d int;
BEGIN
  PERFORM morpheus._dist_options(family => family, aggregation => aggregation, on_failure => on_failure);
  IF max_iterations IS NULL OR max_iterations < 1 OR max_iterations > 1000000 THEN
    RAISE EXCEPTION 'max_iterations = % is out of range', coalesce(max_iterations::text, 'NULL')
      USING ERRCODE = '22023', HINT = 'Give max_iterations between 1 and 1000000.';
  END IF;
  IF learning_rate IS NULL OR NOT (learning_rate > 0) OR learning_rate = 'Infinity' THEN
    RAISE EXCEPTION 'learning_rate = % must be positive and finite', coalesce(learning_rate::text, 'NULL')
      USING ERRCODE = '22023', HINT = 'Try learning_rate => 0.1.';
  END IF;
  IF cluster IS NULL THEN
    IF workers IS NULL THEN
      RAISE EXCEPTION 'workers is NULL and no cluster is given'
        USING ERRCODE = '22004', HINT = 'Give cluster => a PL/Proxy cluster, or workers => n to run all n workers in this session.';
    END IF;
    n := workers;
  ELSE
    n := morpheus._dist_cluster_workers(cluster);
    IF workers IS NOT NULL AND workers <> n THEN
      RAISE EXCEPTION 'workers = % but cluster ''%'' has % partitions', workers, cluster, n
        USING ERRCODE = '22023', HINT = 'Leave workers NULL to use the cluster''s partition count.';
    END IF;
    IF pg_catalog.to_regprocedure('morpheus._dist_worker_messages(text, text, int, float8[], text, text, int, int, int, int, int, text)') IS NULL
       OR pg_catalog.to_regprocedure('morpheus._dist_worker_message_on(int, text, text, int, float8[], text, text, int, int, int, int, int, text)') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = pg_catalog.format('Run SELECT morpheus.dist_setup(cluster => %L) once (as a superuser).', cluster);
    END IF;
  END IF;
  -- validates the code, n, s before any worker is called
  PERFORM morpheus.dist_partitions(n, max_adversaries, aggregation);
  IF batch_size IS NULL OR batch_size < n THEN
    RAISE EXCEPTION 'batch_size = % is smaller than workers = %', coalesce(batch_size::text, 'NULL'), n
      USING ERRCODE = '22023', HINT = 'Each partition needs at least one batch row per iteration: give batch_size >= workers.';
  END IF;

  FOR it IN 1 .. max_iterations LOOP
    t0 := pg_catalog.clock_timestamp();
    failed := false;
    erased := '{}';
    reasons := '{}';
    ids := '{}';
    res := NULL;
    IF cluster IS NULL THEN
      comp := 0;
      FOR k IN 1 .. n LOOP
        SELECT * INTO m FROM morpheus.dist_worker_message(it, w, family, aggregation, n, max_adversaries, batch_size,
                                                          seed, classes, source, k);
        ids := ids || m.worker;
        res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
        comp := comp + m.compute_ms;
      END LOOP;
    ELSE
      BEGIN
        SELECT pg_catalog.array_agg(x.worker ORDER BY x.worker), pg_catalog.array_agg(x.message ORDER BY x.worker),
               pg_catalog.max(x.compute_ms)
          INTO ids, res, comp
          FROM morpheus._dist_worker_messages(cluster, me, it, w, family, aggregation, n, max_adversaries, batch_size,
                                              seed, classes, source) x;
      EXCEPTION
        WHEN insufficient_privilege THEN
          -- the caller may not read the data on the workers: not a fault of the nodes
          RAISE;
        WHEN query_canceled THEN
          -- a worker cancelled by its own statement_timeout fails remotely; our own cancel must stop training
          GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
          IF msg NOT LIKE '%REMOTE ERROR%' THEN
            RAISE;
          END IF;
          failed := true;
        WHEN OTHERS THEN
          failed := true;
      END;
      IF failed THEN
        -- one node at a time, to find the ones that are down, too slow or failing; they become erasures
        ids := '{}'; res := NULL; comp := 0;
        FOR k IN 0 .. n - 1 LOOP
          BEGIN
            SELECT * INTO m FROM morpheus._dist_worker_message_on(k, cluster, me, it, w, family, aggregation, n,
                                                                  max_adversaries, batch_size, seed, classes, source);
            IF m.worker <> k + 1 THEN
              RAISE EXCEPTION 'cluster ''%'' partition p% answered as worker %', cluster, k, m.worker
                USING ERRCODE = '22023', HINT = pg_catalog.format('Set morpheus.worker_id = %s on the node of p%s.', k + 1, k);
            END IF;
            ids := ids || m.worker;
            res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
            comp := pg_catalog.float8larger(comp, m.compute_ms);
          EXCEPTION WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
            IF msg LIKE 'cluster % partition p% answered as worker %' OR SQLSTATE = '42501'
               OR (SQLSTATE = '57014' AND msg NOT LIKE '%REMOTE ERROR%') THEN
              RAISE;
            END IF;
            erased := erased || (k + 1);
            reasons := reasons || pg_catalog.format('worker %s: %s', k + 1, msg);
          END;
        END LOOP;
      ELSIF pg_catalog.cardinality(ids) <> n
            OR (SELECT pg_catalog.count(DISTINCT v) FROM pg_catalog.unnest(ids) v) <> n THEN
        RAISE EXCEPTION 'cluster ''%'' answered as workers % but has % partitions', cluster, ids, n
          USING ERRCODE = '22023', HINT = 'Set morpheus.worker_id = k + 1 on the node of partition pk, each once.';
      END IF;
    END IF;
    t1 := pg_catalog.clock_timestamp();
    IF pg_catalog.cardinality(erased) > max_adversaries THEN
      msg := pg_catalog.format('iteration %s: workers %s did not answer, more than max_adversaries = %s (%s)', it,
                               pg_catalog.array_to_string(erased, ', '), max_adversaries,
                               pg_catalog.array_to_string(reasons, '; '));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = '08006',
        HINT = 'Bring the workers back (or raise the cluster''s query_timeout), or train with a larger max_adversaries.';
    END IF;
    SELECT * INTO st FROM morpheus._dist_step(ids, res, w, aggregation, n, max_adversaries, batch_size, seed, it,
                                              learning_rate);
    IF NOT st.consistent THEN
      msg := pg_catalog.format('iteration %s: the workers'' messages are not a codeword with at most max_adversaries = %s faulty workers (erased: %s)',
                               it, max_adversaries,
                               coalesce(nullif(pg_catalog.array_to_string(erased, ', '), ''), 'none'));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = 'XX001',
        HINT = 'More workers are Byzantine or down than the code tolerates: train with a larger max_adversaries.';
    END IF;
    w := st.weights;
    iteration := it;
    loss := st.loss;
    batch_rows := st.batch_rows;
    flagged_workers := st.flagged_workers;
    erased_workers := erased;
    compute_ms := comp;
    network_ms := pg_catalog.float8larger(
      pg_catalog.date_part('epoch', t1 - t0) * 1000 - comp, 0);
    decode_ms := st.decode_ms;
    total_ms := pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - t0) * 1000;
    weights := w;
    losses := losses || st.loss;
    -- the model on the last iteration: the GLM layout of morpheus.draco_train, [w_1 .. w_p, b] per class block; features
    -- from the source's features column; rows NULL (the coordinator does not see the data); converged NULL (fixed
    -- iterations, no tolerance)
    model := NULL;
    IF it = max_iterations THEN
      blocks := CASE WHEN family = 'softmax' THEN classes ELSE 1 END;
      d := pg_catalog.cardinality(w) / blocks - 1;
      model := ROW('glm', family, 'label',
                   ARRAY(SELECT 'features[' || j || ']' FROM pg_catalog.generate_series(1, d) j), true,
                   CASE family WHEN 'logistic' THEN '{0,1}'::text[]
                               WHEN 'softmax' THEN ARRAY(SELECT c::text FROM pg_catalog.generate_series(0, blocks - 1) c)
                   END,
                   ARRAY[blocks, d + 1], w, source,
                   pg_catalog.jsonb_build_object('features', '["features"]'::jsonb, 'id', NULL::text,
                     'attributes', '[]'::jsonb, 'foreign_keys', '[]'::jsonb, 'attribute_keys', '[]'::jsonb,
                     'trainer', 'draco_train_distributed', 'family', family, 'cluster', cluster,
                     'aggregation', aggregation, 'workers', n, 'max_adversaries', max_adversaries,
                     'batch_size', batch_size, 'max_iterations', max_iterations, 'learning_rate', learning_rate,
                     'seed', seed, 'classes', classes, 'on_failure', on_failure),
                   NULL::bigint, it, NULL::boolean, losses, '{}'::jsonb)::morpheus.model;
    END IF;
    RETURN NEXT;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION morpheus.draco_train_distributed(text, text, text, text, int, int, int, int, float8, int, int, text) IS
  'Byzantine-robust GLM training over PostgreSQL worker nodes: each iteration calls dist_worker_message on every node of a PL/Proxy cluster in parallel (as the caller''s role) and decodes (down nodes are erasures); cluster NULL runs the same schedule with workers honest workers in this session; one row per iteration with the weights, and the trained morpheus.model on the last (max_iterations) row.';

-- Distributed factorized operators: an entity table sharded over the nodes, attribute tables replicated; each node
-- returns the partial state (the float8[] state format of the row aggregates) of its shard, the coordinator merges.
CREATE AGGREGATE morpheus.merge_states(state float8[]) (
  SFUNC = morpheus._state_combine, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.merge_states(float8[]) IS
  'Adds partial states of the row aggregates (crossprod_agg, xty_agg, col_sums_agg, glm_gradient_agg) shipped from shards; finish with the matching final function.';

CREATE FUNCTION morpheus.dist_shard_state(
    kind text,
    source text,
    attributes text[] DEFAULT '{}',
    foreign_keys text[] DEFAULT '{}',
    attribute_keys text[] DEFAULT NULL,
    weights float8[] DEFAULT NULL,
    family text DEFAULT 'least_squares',
    label text DEFAULT 'label',
    run_as text DEFAULT NULL)
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  t morpheus.nmatrix;
  attrs text[] := coalesce(attributes, '{}');
  n bigint;
  d bigint;
  y float8[];
  ycol float8[];
  eta float8[];
  loss float8;
  coefs float8[];
  g float8[];
  k int;
  res float8[];
  prior_role constant text := pg_catalog.current_setting('role');
BEGIN
  PERFORM morpheus._dist_options(family => family, kind => kind);
  IF kind IS NULL THEN
    RAISE EXCEPTION 'kind is NULL' USING ERRCODE = '22004', HINT = 'valid values: crossprod, col_sums, xty, gradient';
  END IF;
  IF family IS NULL THEN
    RAISE EXCEPTION 'family is NULL' USING ERRCODE = '22004', HINT = 'valid values: least_squares, logistic, poisson';
  END IF;
  IF run_as IS NOT NULL AND run_as <> current_user::text THEN
    -- SET LOCAL ROLE, undone when this function returns (its SET clause makes a GUC nest level)
    IF pg_catalog.to_regrole(pg_catalog.quote_ident(run_as)) IS NULL THEN
      RAISE EXCEPTION 'role % does not exist on this node', pg_catalog.quote_ident(run_as)
        USING ERRCODE = '42704',
              HINT = 'Worker queries run as the caller''s role: create it on every worker node with the rights it needs.';
    END IF;
    IF NOT pg_catalog.pg_has_role(session_user, run_as, 'MEMBER') THEN
      RAISE EXCEPTION 'the connection user % of this node may not act as role %',
                      pg_catalog.quote_ident(session_user::text), pg_catalog.quote_ident(run_as)
        USING ERRCODE = '42501',
              HINT = pg_catalog.format('On this node GRANT %I TO %I (or connect as a superuser); see docs/distributed.md.',
                                       run_as, session_user);
    END IF;
    -- like SET LOCAL ROLE; put back before returning (an error's abort puts it back otherwise)
    PERFORM pg_catalog.set_config('role', run_as, true);
  END IF;
  -- attribute_keys[k] names the key column of attributes[k] (a query, or a table name); NULL: the column is key
  IF attribute_keys IS NOT NULL AND pg_catalog.cardinality(attribute_keys) > 0 THEN
    IF pg_catalog.cardinality(attribute_keys) <> pg_catalog.cardinality(attrs) THEN
      RAISE EXCEPTION 'attribute_keys has % elements but attributes has %', pg_catalog.cardinality(attribute_keys),
                      pg_catalog.cardinality(attrs)
        USING ERRCODE = '22023', HINT = 'Name one key column per attribute relation.';
    END IF;
    FOR k IN 1 .. pg_catalog.cardinality(attrs) LOOP
      IF attribute_keys[k] IS NULL OR attrs[k] IS NULL THEN
        RAISE EXCEPTION 'attribute_keys[%] or attributes[%] is NULL', k, k USING ERRCODE = '22004';
      END IF;
      attrs[k] := pg_catalog.format('SELECT a.%I AS key, a.features FROM (%s) a', attribute_keys[k],
                    CASE WHEN attrs[k] OPERATOR(pg_catalog.~*) '^\s*(select|with|values|table)\M' THEN attrs[k]
                         ELSE 'TABLE ' || attrs[k] END);
    END LOOP;
  END IF;
  -- every attribute query now returns its key as column key
  t := morpheus.nmatrix_from_sql(source, attrs, foreign_keys,
                                 pg_catalog.array_fill('key'::text, ARRAY[pg_catalog.cardinality(attrs)]));
  n := morpheus.nrow(t);
  d := morpheus.ncol(t);
  IF kind = 'crossprod' THEN
    res := ARRAY[1, d, n]::float8[]
      || (SELECT pg_catalog.array_agg(v ORDER BY o) FROM pg_catalog.unnest(morpheus.crossprod(t)) WITH ORDINALITY u(v, o));
  ELSIF kind = 'col_sums' THEN
    res := ARRAY[2, d, n]::float8[] || morpheus.col_sums(t);
  ELSE
    -- the target: column label of source, in its row order
    y := morpheus._dist_labels(source, label);
    ycol := (SELECT pg_catalog.array_agg(ARRAY[v] ORDER BY o) FROM pg_catalog.unnest(y) WITH ORDINALITY u(v, o));
  END IF;
  IF kind = 'xty' THEN
    res := ARRAY[5, d, n]::float8[]
      || (SELECT pg_catalog.array_agg(v ORDER BY o)
            FROM pg_catalog.unnest(morpheus.t(t) OPERATOR(morpheus.%*%) ycol) WITH ORDINALITY u(v, o));
  ELSIF kind = 'gradient' THEN
    IF weights IS NULL OR pg_catalog.cardinality(weights) <> d THEN
      RAISE EXCEPTION 'weights have % values but the normalized matrix has % columns',
                      coalesce(pg_catalog.cardinality(weights), 0), d
        USING ERRCODE = '22023', HINT = 'Pass one weight per column of the joined features.';
    END IF;
    eta := (SELECT pg_catalog.array_agg(v ORDER BY o)
              FROM pg_catalog.unnest(t OPERATOR(morpheus.%*%)
                     (SELECT pg_catalog.array_agg(ARRAY[v] ORDER BY o) FROM pg_catalog.unnest(weights) WITH ORDINALITY u(v, o)))
                   WITH ORDINALITY u(v, o));
    -- per-row loss and d loss / d eta, as glm_gradient_agg defines them
    IF family = 'least_squares' THEN
      SELECT pg_catalog.sum(0.5 * (m - yy) ^ 2), pg_catalog.array_agg(ARRAY[m - yy] ORDER BY o) INTO loss, coefs
        FROM ROWS FROM (pg_catalog.unnest(eta), pg_catalog.unnest(y)) WITH ORDINALITY u(m, yy, o);
    ELSIF family = 'logistic' THEN
      IF EXISTS (SELECT 1 FROM pg_catalog.unnest(y) v WHERE v NOT IN (0, 1, -1)) THEN
        RAISE EXCEPTION 'column % of source has a value that is not a class label', pg_catalog.quote_ident(label)
          USING ERRCODE = '22023', HINT = 'The logistic family takes labels 0/1 or -1/+1.';
      END IF;
      SELECT pg_catalog.sum(CASE WHEN z > 0 THEN pg_catalog.ln(1 + pg_catalog.exp(-z))
                                 ELSE -z + pg_catalog.ln(1 + pg_catalog.exp(z)) END),
             pg_catalog.array_agg(ARRAY[-s / (1 + pg_catalog.exp(z))] ORDER BY o) INTO loss, coefs
        FROM (SELECT o, CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 AS s,
                     CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 * m AS z
                FROM ROWS FROM (pg_catalog.unnest(eta), pg_catalog.unnest(y)) WITH ORDINALITY u(m, yy, o)) q;
    ELSE
      IF EXISTS (SELECT 1 FROM pg_catalog.unnest(y) v WHERE NOT v >= 0) THEN
        RAISE EXCEPTION 'column % of source has a negative value', pg_catalog.quote_ident(label)
          USING ERRCODE = '22023', HINT = 'The Poisson family takes non-negative counts.';
      END IF;
      SELECT pg_catalog.sum(pg_catalog.exp(m) - yy * m), pg_catalog.array_agg(ARRAY[pg_catalog.exp(m) - yy] ORDER BY o)
        INTO loss, coefs
        FROM ROWS FROM (pg_catalog.unnest(eta), pg_catalog.unnest(y)) WITH ORDINALITY u(m, yy, o);
    END IF;
    g := (SELECT pg_catalog.array_agg(v ORDER BY o)
            FROM pg_catalog.unnest(morpheus.t(t) OPERATOR(morpheus.%*%) coefs) WITH ORDINALITY u(v, o));
    res := ARRAY[4, d, n, loss]::float8[] || g;
  END IF;
  IF pg_catalog.current_setting('role') <> prior_role THEN
    PERFORM pg_catalog.set_config('role', prior_role, true);
  END IF;
  RETURN res;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_shard_state(text, text, text[], text[], text[], float8[], text, text, text) IS
  'The partial aggregate state (crossprod, col_sums, xty or GLM gradient at weights) of this node''s shard of an entity relation joined with replicated attribute relations, computed with the factorized nmatrix operators; run_as => role reads the relations as that role.';

CREATE FUNCTION morpheus.dist_nmatrix_op(
    cluster text,
    kind text,
    source text,
    attributes text[] DEFAULT '{}',
    foreign_keys text[] DEFAULT '{}',
    attribute_keys text[] DEFAULT NULL,
    weights float8[] DEFAULT NULL,
    family text DEFAULT 'least_squares',
    label text DEFAULT 'label')
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  st float8[];
BEGIN
  PERFORM morpheus._dist_options(family => family, kind => kind);
  IF kind IS NULL THEN
    RAISE EXCEPTION 'kind is NULL' USING ERRCODE = '22004', HINT = 'valid values: crossprod, col_sums, xty, gradient';
  END IF;
  IF cluster IS NULL THEN
    st := morpheus.dist_shard_state(kind, source, attributes, foreign_keys, attribute_keys, weights, family, label);
  ELSE
    PERFORM morpheus._dist_cluster_workers(cluster);
    IF pg_catalog.to_regprocedure('morpheus._dist_shard_states(text, text, text, text, text[], text[], text[], float8[], text, text)') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = pg_catalog.format('Run SELECT morpheus.dist_setup(cluster => %L) once (as a superuser).', cluster);
    END IF;
    SELECT morpheus.merge_states(s) INTO st
      FROM morpheus._dist_shard_states(cluster, current_user::text, kind, source, attributes, foreign_keys,
                                       attribute_keys, weights, family, label) s;
  END IF;
  RETURN CASE kind WHEN 'crossprod' THEN morpheus._crossprod_final(st)
                   WHEN 'col_sums' THEN morpheus._col_sums_final(st)
                   WHEN 'xty' THEN morpheus._xty_final(st)
                   ELSE morpheus._gradient_final(st) END;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_nmatrix_op(text, text, text, text[], text[], text[], float8[], text, text) IS
  'crossprod (d x d), col_sums, xty (T''y) or the mean GLM gradient of an entity relation sharded over a PL/Proxy cluster and joined with replicated attribute relations: per-shard factorized states merged on the coordinator (each node reads as the caller''s role); cluster NULL computes it here.';
