-- The one vocabulary of docs/conventions.md, checked on the whole catalog: a function added with a 0.1.0-style
-- argument name, a concept under another name, or a unit-less time or rate column fails here.
BEGIN;
SELECT plan(10);

CREATE TEMP VIEW args AS
  SELECT p.oid::regprocedure::text AS fn, p.proname, a.name, a.i,
         format_type(coalesce(p.proallargtypes[a.i], p.proargtypes[a.i - 1]), NULL) AS type,
         coalesce(p.proargmodes[a.i], 'i') AS mode
  FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY AS a(name, i)
  WHERE p.pronamespace = 'morpheus'::regnamespace AND p.proname NOT LIKE '\_%' AND coalesce(a.name, '') <> '';
CREATE TEMP VIEW inputs AS SELECT * FROM args WHERE mode IN ('i', 'b', 'v');
CREATE TEMP VIEW outputs AS SELECT * FROM args WHERE mode IN ('o', 'b', 't');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM inputs
  WHERE name IN ('data_sql', 'entity_sql', 'attribute_sql', 'fk_columns', 'y_column', 'f', 'm', 'model_name_sql')
$$, 'no 0.1.0 argument name survives (source, attributes, foreign_keys, label, max_adversaries, selected)');

SELECT is_empty($$
  SELECT fn || ': ' || name || ' ' || type FROM inputs WHERE name = 'model' AND type <> 'morpheus.model'
$$, 'an argument named model is a morpheus.model (a GLM family is `family`)');

SELECT is_empty($$
  SELECT fn || ': ' || name || ' ' || type FROM inputs
  WHERE (name = 'tolerance' AND type <> 'double precision')
     OR (name IN ('seed', 'max_iterations', 'max_epochs', 'max_adversaries', 'adversaries', 'workers', 'batch_size',
                  'classes') AND type NOT IN ('integer', 'bigint'))
     OR (name IN ('learning_rate', 'l2') AND type <> 'double precision')
     OR (name IN ('family', 'loss_function', 'method', 'source', 'label') AND type <> 'text')
     OR (name = 'intercept' AND type <> 'boolean')
     OR (name = 'seeds' AND type <> 'integer[]')
$$, 'each vocabulary argument has its one type');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM inputs WHERE name IN ('iterations', 'loss', 'n_iterations', 'epochs', 'rate')
$$, 'outputs are not inputs: a cap is max_iterations/max_epochs, a loss choice is loss_function');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM inputs WHERE type = 'morpheus.nmatrix' AND name NOT IN ('t', 'a', 'b', 's', 'r')
     AND proname NOT IN ('nmatrix_out', 'nmatrix_send')  -- the type's output functions
$$, 'a normalized-matrix argument is t (a, b in binary products; s, r for the sides of nm_mn_blocks)');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM args
  WHERE name ~ '(_time|_secs?|_seconds|_millis|_msec)$' OR (name ~ '(^|_)time$' AND type = 'double precision')
$$, 'times are in milliseconds and named *_ms');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM args WHERE name ~ '(_rate_bits|_bits_per_s|_mbps|_kbps|_gbps)$'
$$, 'rates are in bit/s and named *_bps');

SELECT is_empty($$
  SELECT fn || ': ' || name FROM inputs
  WHERE name IN ('room_width', 'room_length', 'room_height', 'height', 'user_height', 'distance', 'pitch',
                 'semi_angle', 'fov', 'power', 'bandwidth', 'area')
     AND type <> 'integer'  -- counts (pool_image's height and width in pixels) have no unit
$$, 'physical quantities carry their unit: *_m, *_deg, *_w, *_hz, *_m2');

SELECT is_empty($$
  SELECT fn || ': ' || name || ' ' || type FROM outputs
  WHERE (name = 'converged' AND type <> 'boolean') OR (name = 'iterations' AND type NOT IN ('integer', 'bigint'))
$$, 'result columns converged and iterations have their one type');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'morpheus'::regnamespace AND p.proname NOT LIKE '\_%' AND p.proretset
    AND p.prorettype = 'record'::regtype AND NOT ('o' = ANY(p.proargmodes) OR 't' = ANY(p.proargmodes))
$$, 'set-returning functions return named columns');

SELECT * FROM finish();
ROLLBACK;
