-- The SQL surface as a whole: every public object is documented, every parameter named, labels consistent.
BEGIN;
SELECT plan(8);

SELECT has_schema('morpheus');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'morpheus'), morpheus.version(),
          'library version equals the installed extension version');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'morpheus'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every function has a COMMENT');

SELECT is_empty($$
  SELECT t.typname FROM pg_type t
  WHERE t.typnamespace = 'morpheus'::regnamespace AND t.typtype IN ('b', 'c', 'e', 'd') AND t.typrelid = 0
    AND t.typname NOT LIKE '\_%' AND obj_description(t.oid, 'pg_type') IS NULL
$$, 'every type has a COMMENT');

SELECT is_empty($$
  SELECT o.oid::regoperator::text FROM pg_operator o
  WHERE o.oprnamespace = 'morpheus'::regnamespace AND obj_description(o.oid, 'pg_operator') IS NULL
$$, 'every operator has a COMMENT');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'morpheus'::regnamespace AND p.pronargs > 0
    AND (p.proargnames IS NULL OR EXISTS (
          SELECT 1 FROM unnest(p.proargnames) WITH ORDINALITY AS a(name, i)
          WHERE coalesce(a.name, '') = '' AND coalesce(p.proargmodes[a.i], 'i') IN ('i', 'b', 'v')))
$$, 'every input parameter of every function has a name');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'morpheus'::regnamespace AND p.provolatile = 'i'
    AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
$$, 'no PL/pgSQL function claims IMMUTABLE');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'morpheus'::regnamespace AND p.provolatile = 'i' AND p.proparallel = 'u'
$$, 'IMMUTABLE functions are not PARALLEL UNSAFE');

SELECT * FROM finish();
ROLLBACK;
