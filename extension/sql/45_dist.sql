-- =============================================================================================================
-- Distributed DRACO (issue 8): worker messages on PostgreSQL worker nodes, PL/Proxy fan-out, coordinator loop
-- =============================================================================================================

CREATE FUNCTION morpheus.dist_partitions(
    workers int,
    tolerance int DEFAULT 1,
    aggregation text DEFAULT 'cyclic')
  RETURNS TABLE(worker int, partition int)
  AS 'MODULE_PATHNAME', 'morpheus_dist_partitions'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.dist_partitions(int, int, text) IS
  'The data partitions (1..workers) each worker node must hold under the cyclic or repetition code: load a worker''s rows with WHERE partition IN (its partitions).';

CREATE FUNCTION morpheus.dist_worker_message(
    iteration int,
    weights float8[],
    model text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    tolerance int DEFAULT 1,
    batch_size int DEFAULT 64,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    data_sql text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    worker int DEFAULT NULL)
  RETURNS TABLE(worker int, message float8[], compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_dist_worker_message'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.dist_worker_message(int, float8[], text, text, int, int, int, int, int, text, int) IS
  'A distributed-DRACO worker''s encoded message [gradient, loss, rows] for one iteration over its local partitions (worker from morpheus.worker_id, Byzantine per morpheus.worker_attack), or worker => k to simulate worker k honestly.';

CREATE FUNCTION morpheus._dist_step(
    answered int[],
    messages float8[],
    weights float8[],
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    tolerance int DEFAULT 1,
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

CREATE FUNCTION morpheus._dist_cluster_workers(cluster text)
  RETURNS int
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
DECLARE
  n int;
BEGIN
  IF cluster IS NULL THEN
    RAISE EXCEPTION 'cluster is NULL' USING ERRCODE = '22004', HINT = 'Give the name of a PL/Proxy cluster.';
  END IF;
  SELECT count(*) FILTER (WHERE o ~ '^p[0-9]+=') INTO n
    FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw,
         LATERAL unnest(coalesce(s.srvoptions, '{}')) o
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

CREATE FUNCTION morpheus.dist_setup(cluster text)
  RETURNS int
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $body$
DECLARE
  n int;
  args constant text := 'cluster text, iteration int, weights float8[], model text, aggregation text, workers int, '
    'tolerance int, batch_size int, seed int, classes int, data_sql text';
  ret constant text := 'RETURNS TABLE(worker int, message float8[], compute_ms float8)';
  call constant text := 'SELECT * FROM morpheus.dist_worker_message($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'plproxy') THEN
    RAISE EXCEPTION 'the plproxy extension is not installed in this database'
      USING ERRCODE = '42704',
            HINT = 'Install postgresql-15-plproxy and run CREATE EXTENSION plproxy on the coordinator, then call dist_setup again.';
  END IF;
  n := morpheus._dist_cluster_workers(cluster);
  CREATE SCHEMA IF NOT EXISTS morpheus_dist;
  CREATE OR REPLACE FUNCTION morpheus_dist.cluster_name(cluster text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT cluster';
  CREATE OR REPLACE FUNCTION morpheus_dist.node(node int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT node';
  COMMENT ON FUNCTION morpheus_dist.cluster_name(text) IS 'The PL/Proxy cluster named by an argument.';
  COMMENT ON FUNCTION morpheus_dist.node(int) IS 'The PL/Proxy partition (0-based node) named by an argument.';
  EXECUTE format($f$CREATE OR REPLACE FUNCTION morpheus_dist.worker_messages(%s) %s LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON ALL; %s; $p$$f$, args, ret, call);
  EXECUTE format($f$CREATE OR REPLACE FUNCTION morpheus_dist.worker_message_on(node int, %s) %s LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON morpheus_dist.node(node); SELECT * FROM morpheus.dist_worker_message($3, $4, $5, $6, $7, $8, $9, $10, $11, $12); $p$$f$,
      args, ret);
  EXECUTE $f$CREATE OR REPLACE FUNCTION morpheus_dist.shard_states(cluster text, kind text, entity_sql text,
      attribute_sql text[], fk_columns text[], weights float8[], model text) RETURNS SETOF float8[] LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON ALL;
      SELECT morpheus.dist_shard_state($2, $3, $4, $5, $6, $7); $p$$f$;
  COMMENT ON FUNCTION morpheus_dist.shard_states(text, text, text, text[], text[], float8[], text) IS
    'Calls morpheus.dist_shard_state on every node of the cluster in parallel (PL/Proxy RUN ON ALL).';
  COMMENT ON FUNCTION morpheus_dist.worker_messages(text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Calls morpheus.dist_worker_message on every node of the cluster in parallel (PL/Proxy RUN ON ALL).';
  COMMENT ON FUNCTION morpheus_dist.worker_message_on(int, text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Calls morpheus.dist_worker_message on one node (0-based PL/Proxy partition) of the cluster.';
  RETURN n;
END;
$body$;
COMMENT ON FUNCTION morpheus.dist_setup(text) IS
  'Creates the PL/Proxy fan-out functions (schema morpheus_dist) for distributed DRACO and returns the cluster''s number of worker nodes; needs CREATE EXTENSION plproxy.';

CREATE FUNCTION morpheus.draco_train_distributed(
    cluster text DEFAULT NULL,
    data_sql text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    model text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT NULL,
    tolerance int DEFAULT 1,
    batch_size int DEFAULT 64,
    iterations int DEFAULT 20,
    learning_rate float8 DEFAULT 0.1,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    on_failure text DEFAULT 'error')
  RETURNS TABLE(iteration int, loss float8, batch_rows bigint, flagged_workers int[], erased_workers int[],
                compute_ms float8, network_ms float8, decode_ms float8, total_ms float8, weights float8[])
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
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
BEGIN
  IF on_failure IS NULL OR on_failure NOT IN ('error', 'stop') THEN
    RAISE EXCEPTION 'on_failure = ''%'' is not valid', on_failure
      USING ERRCODE = '22023', HINT = 'Valid values: error, stop.';
  END IF;
  IF iterations IS NULL OR iterations < 1 OR iterations > 1000000 THEN
    RAISE EXCEPTION 'iterations = % is out of range', iterations
      USING ERRCODE = '22023', HINT = 'Give iterations between 1 and 1000000.';
  END IF;
  IF learning_rate IS NULL OR NOT (learning_rate > 0) OR learning_rate = 'Infinity' THEN
    RAISE EXCEPTION 'learning_rate = % must be positive and finite', learning_rate
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
    IF to_regproc('morpheus_dist.worker_messages') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = format('Run SELECT morpheus.dist_setup(cluster => %L) once.', cluster);
    END IF;
  END IF;
  -- validates the code, n, s before any worker is called
  PERFORM morpheus.dist_partitions(n, tolerance, aggregation);
  IF batch_size IS NULL OR batch_size < n THEN
    RAISE EXCEPTION 'batch_size = % is smaller than workers = %', batch_size, n
      USING ERRCODE = '22023', HINT = 'Each partition needs at least one batch row per iteration: give batch_size >= workers.';
  END IF;

  FOR it IN 1 .. iterations LOOP
    t0 := clock_timestamp();
    failed := false;
    erased := '{}';
    reasons := '{}';
    ids := '{}';
    res := NULL;
    IF cluster IS NULL THEN
      comp := 0;
      FOR k IN 1 .. n LOOP
        SELECT * INTO m FROM morpheus.dist_worker_message(it, w, model, aggregation, n, tolerance, batch_size, seed,
                                                          classes, data_sql, k);
        ids := ids || m.worker;
        res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
        comp := comp + m.compute_ms;
      END LOOP;
    ELSE
      BEGIN
        SELECT array_agg(x.worker ORDER BY x.worker), array_agg(x.message ORDER BY x.worker), max(x.compute_ms)
          INTO ids, res, comp
          FROM morpheus_dist.worker_messages(cluster, it, w, model, aggregation, n, tolerance, batch_size, seed,
                                             classes, data_sql) x;
      EXCEPTION
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
            SELECT * INTO m FROM morpheus_dist.worker_message_on(k, cluster, it, w, model, aggregation, n, tolerance,
                                                                 batch_size, seed, classes, data_sql);
            IF m.worker <> k + 1 THEN
              RAISE EXCEPTION 'cluster ''%'' partition p% answered as worker %', cluster, k, m.worker
                USING ERRCODE = '22023', HINT = format('Set morpheus.worker_id = %s on the node of p%s.', k + 1, k);
            END IF;
            ids := ids || m.worker;
            res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
            comp := greatest(comp, m.compute_ms);
          EXCEPTION WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
            IF msg LIKE 'cluster % partition p% answered as worker %'
               OR (SQLSTATE = '57014' AND msg NOT LIKE '%REMOTE ERROR%') THEN
              RAISE;
            END IF;
            erased := erased || (k + 1);
            reasons := reasons || format('worker %s: %s', k + 1, msg);
          END;
        END LOOP;
      ELSIF cardinality(ids) <> n OR (SELECT count(DISTINCT v) FROM unnest(ids) v) <> n THEN
        RAISE EXCEPTION 'cluster ''%'' answered as workers % but has % partitions', cluster, ids, n
          USING ERRCODE = '22023', HINT = 'Set morpheus.worker_id = k + 1 on the node of partition pk, each once.';
      END IF;
    END IF;
    t1 := clock_timestamp();
    IF cardinality(erased) > tolerance THEN
      msg := format('iteration %s: workers %s did not answer, more than tolerance = %s (%s)', it,
                    array_to_string(erased, ', '), tolerance, array_to_string(reasons, '; '));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = '08006',
        HINT = 'Bring the workers back (or raise the cluster''s query_timeout), or train with a larger tolerance.';
    END IF;
    SELECT * INTO st FROM morpheus._dist_step(ids, res, w, aggregation, n, tolerance, batch_size, seed, it,
                                              learning_rate);
    IF NOT st.consistent THEN
      msg := format('iteration %s: the workers'' messages are not a codeword with at most tolerance = %s faulty workers (erased: %s)',
                    it, tolerance, coalesce(nullif(array_to_string(erased, ', '), ''), 'none'));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = 'XX001',
        HINT = 'More workers are Byzantine or down than the code tolerates: train with a larger tolerance.';
    END IF;
    w := st.weights;
    iteration := it;
    loss := st.loss;
    batch_rows := st.batch_rows;
    flagged_workers := st.flagged_workers;
    erased_workers := erased;
    compute_ms := comp;
    network_ms := greatest(extract(epoch FROM t1 - t0) * 1000 - comp, 0);
    decode_ms := st.decode_ms;
    total_ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    weights := w;
    RETURN NEXT;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION morpheus.draco_train_distributed(text, text, text, text, int, int, int, int, float8, int, int, text) IS
  'Byzantine-robust GLM training over PostgreSQL worker nodes: each iteration calls dist_worker_message on every node of a PL/Proxy cluster in parallel and decodes (down nodes are erasures); cluster NULL runs the same schedule with workers honest workers in this session; one row per iteration with the weights.';

-- Distributed factorized operators: an entity table sharded over the nodes, attribute tables replicated; each node
-- returns the partial state (the float8[] state format of the row aggregates) of its shard, the coordinator merges.
CREATE AGGREGATE morpheus.merge_states(state float8[]) (
  SFUNC = morpheus._state_combine, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.merge_states(float8[]) IS
  'Adds partial states of the row aggregates (crossprod_agg, xty_agg, col_sums_agg, glm_gradient_agg) shipped from shards; finish with the matching final function.';

CREATE FUNCTION morpheus.dist_shard_state(
    kind text,
    entity_sql text,
    attribute_sql text[] DEFAULT '{}',
    fk_columns text[] DEFAULT '{}',
    weights float8[] DEFAULT NULL,
    model text DEFAULT 'linear')
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $$
DECLARE
  t morpheus.nmatrix;
  n bigint;
  d bigint;
  y float8[];
  ycol float8[];
  eta float8[];
  loss float8;
  coefs float8[];
  g float8[];
BEGIN
  IF kind IS NULL OR kind NOT IN ('crossprod', 'col_sums', 'xty', 'gradient') THEN
    RAISE EXCEPTION 'kind = ''%'' is not valid', kind
      USING ERRCODE = '22023', HINT = 'Valid values: crossprod, col_sums, xty, gradient.';
  END IF;
  IF model IS NULL OR model NOT IN ('linear', 'logistic', 'poisson') THEN
    RAISE EXCEPTION 'model = ''%'' is not valid', model
      USING ERRCODE = '22023', HINT = 'Valid values: linear, logistic, poisson.';
  END IF;
  t := morpheus.nmatrix_from_sql(entity_sql, attribute_sql, fk_columns,
                                 array_fill('key'::text, ARRAY[cardinality(attribute_sql)]));
  n := morpheus.nrow(t);
  d := morpheus.ncol(t);
  IF kind = 'crossprod' THEN
    RETURN ARRAY[1, d, n]::float8[] || (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.crossprod(t)) WITH ORDINALITY u(v, o));
  ELSIF kind = 'col_sums' THEN
    RETURN ARRAY[2, d, n]::float8[] || morpheus.col_sums(t);
  END IF;
  -- the target: column y of entity_sql, in its row order
  BEGIN
    EXECUTE format('SELECT array_agg(e.y::float8) FROM (%s) e', entity_sql) INTO y;
  EXCEPTION WHEN undefined_column THEN
    RAISE EXCEPTION 'entity_sql returns no column "y"' USING ERRCODE = '42703',
      HINT = 'xty and gradient need the target as a column y of entity_sql.';
  END;
  IF array_position(y, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'column y of entity_sql is NULL in row %', array_position(y, NULL)
      USING ERRCODE = '22004', HINT = 'Filter or fill the NULL targets.';
  END IF;
  ycol := (SELECT array_agg(ARRAY[v] ORDER BY o) FROM unnest(y) WITH ORDINALITY u(v, o));
  IF kind = 'xty' THEN
    RETURN ARRAY[5, d, n]::float8[]
      || (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.t(t) OPERATOR(morpheus.%*%) ycol) WITH ORDINALITY u(v, o));
  END IF;
  IF weights IS NULL OR cardinality(weights) <> d THEN
    RAISE EXCEPTION 'weights have % values but the normalized matrix has % columns', coalesce(cardinality(weights), 0), d
      USING ERRCODE = '22023', HINT = 'Pass one weight per column of the joined features.';
  END IF;
  eta := (SELECT array_agg(v ORDER BY o) FROM unnest(t OPERATOR(morpheus.%*%)
            (SELECT array_agg(ARRAY[v] ORDER BY o) FROM unnest(weights) WITH ORDINALITY u(v, o))) WITH ORDINALITY u(v, o));
  -- per-row loss and d loss / d eta, as glm_gradient_agg defines them
  IF model = 'linear' THEN
    SELECT sum(0.5 * (m - yy) ^ 2), array_agg(ARRAY[m - yy] ORDER BY o) INTO loss, coefs
      FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o);
  ELSIF model = 'logistic' THEN
    IF EXISTS (SELECT 1 FROM unnest(y) v WHERE v NOT IN (0, 1, -1)) THEN
      RAISE EXCEPTION 'column y of entity_sql has a value that is not a class label' USING ERRCODE = '22023',
        HINT = 'The logistic model takes labels 0/1 or -1/+1.';
    END IF;
    SELECT sum(CASE WHEN z > 0 THEN ln(1 + exp(-z)) ELSE -z + ln(1 + exp(z)) END),
           array_agg(ARRAY[-s / (1 + exp(z))] ORDER BY o) INTO loss, coefs
      FROM (SELECT o, CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 AS s,
                   CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 * m AS z
              FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o)) q;
  ELSE
    IF EXISTS (SELECT 1 FROM unnest(y) v WHERE NOT v >= 0) THEN
      RAISE EXCEPTION 'column y of entity_sql has a negative value' USING ERRCODE = '22023',
        HINT = 'The Poisson model takes non-negative counts.';
    END IF;
    SELECT sum(exp(m) - yy * m), array_agg(ARRAY[exp(m) - yy] ORDER BY o) INTO loss, coefs
      FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o);
  END IF;
  g := (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.t(t) OPERATOR(morpheus.%*%) coefs) WITH ORDINALITY u(v, o));
  RETURN ARRAY[4, d, n, loss]::float8[] || g;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_shard_state(text, text, text[], text[], float8[], text) IS
  'The partial aggregate state (crossprod, col_sums, xty or GLM gradient at weights) of this node''s shard of an entity table joined with replicated attribute tables, computed with the factorized nmatrix operators.';

CREATE FUNCTION morpheus.dist_nmatrix_op(
    cluster text,
    kind text,
    entity_sql text,
    attribute_sql text[] DEFAULT '{}',
    fk_columns text[] DEFAULT '{}',
    weights float8[] DEFAULT NULL,
    model text DEFAULT 'linear')
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $$
DECLARE
  st float8[];
BEGIN
  IF kind IS NULL OR kind NOT IN ('crossprod', 'col_sums', 'xty', 'gradient') THEN
    RAISE EXCEPTION 'kind = ''%'' is not valid', kind
      USING ERRCODE = '22023', HINT = 'Valid values: crossprod, col_sums, xty, gradient.';
  END IF;
  IF cluster IS NULL THEN
    st := morpheus.dist_shard_state(kind, entity_sql, attribute_sql, fk_columns, weights, model);
  ELSE
    PERFORM morpheus._dist_cluster_workers(cluster);
    IF to_regproc('morpheus_dist.shard_states') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = format('Run SELECT morpheus.dist_setup(cluster => %L) once.', cluster);
    END IF;
    SELECT morpheus.merge_states(s) INTO st
      FROM morpheus_dist.shard_states(cluster, kind, entity_sql, attribute_sql, fk_columns, weights, model) s;
  END IF;
  RETURN CASE kind WHEN 'crossprod' THEN morpheus._crossprod_final(st)
                   WHEN 'col_sums' THEN morpheus._col_sums_final(st)
                   WHEN 'xty' THEN morpheus._xty_final(st)
                   ELSE morpheus._gradient_final(st) END;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_nmatrix_op(text, text, text, text[], text[], float8[], text) IS
  'crossprod (d x d), col_sums, xty (T''y) or the mean GLM gradient of an entity table sharded over a PL/Proxy cluster and joined with replicated attribute tables: per-shard factorized states merged on the coordinator; cluster NULL computes it here.';
