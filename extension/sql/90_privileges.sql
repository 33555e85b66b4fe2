--------------------------------------------------------------------------------------------------------------------
-- Privileges (docs/security.md). Runs last, so it covers the objects of every module file.
--------------------------------------------------------------------------------------------------------------------
-- The extension's schema must belong to the installing role or a superuser: a schema owner may drop and replace any
-- function in it, so a schema made beforehand by another role would let that role swap the code superusers run.
DO $$
DECLARE
  owner name;
  super boolean;
BEGIN
  SELECT r.rolname, r.rolsuper INTO owner, super
    FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
   WHERE n.nspname = 'morpheus';
  IF owner IS DISTINCT FROM current_user AND NOT super THEN
    RAISE EXCEPTION 'schema morpheus is owned by role %, not by a superuser', pg_catalog.quote_ident(owner)
      USING ERRCODE = '42501',
            HINT = 'That role could replace the extension''s functions: drop the schema or ALTER SCHEMA morpheus OWNER TO a superuser, then create the extension.';
  END IF;
END;
$$;

-- Users of an extension expect to call its functions: every role may use the schema (the functions run with the
-- caller's rights; query texts are read-only).
GRANT USAGE ON SCHEMA morpheus TO PUBLIC;

-- Support functions of the aggregates (transition, combine, serialize) are not API: only the aggregates call them,
-- and an aggregate checks EXECUTE for its owner, not for the caller, so every role can still use the aggregates.
-- The final functions stay callable: merge_states is finished with them, and they validate the state they are given.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT DISTINCT v.fn::regprocedure
      FROM pg_catalog.pg_aggregate a
      JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid,
           LATERAL (VALUES (a.aggtransfn), (a.aggcombinefn), (a.aggserialfn), (a.aggdeserialfn), (a.aggmtransfn),
                           (a.aggminvtransfn)) v(fn)
     WHERE p.pronamespace = 'morpheus'::regnamespace AND v.fn <> 0
       AND (SELECT q.pronamespace FROM pg_catalog.pg_proc q WHERE q.oid = v.fn) = 'morpheus'::regnamespace
  LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END;
$$;
