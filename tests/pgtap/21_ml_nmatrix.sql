-- ML on normalized matrices: results equal the runs on morpheus.materialize(x) under every plan; morpheus.explain
-- and the plan settings.
BEGIN;
SELECT plan(23);

-- A star schema: 200 entity rows with 2 features, an attribute table of 8 rows x 3 (TR 25) and one of 100 x 2 (TR 2).
CREATE TEMP TABLE ent AS
  SELECT i, ARRAY[sin(i), cos(i * 0.7)]::float8[] AS s, 1 + i % 8 AS fk1, 1 + (i * 7) % 100 AS fk2,
         (sin(i * 0.3) + 0.5 * cos(i))::float8 AS y, (CASE WHEN sin(i * 1.3) + 0.2 * cos(i) > 0 THEN 1 ELSE 0 END)::float8 AS label
  FROM generate_series(1, 200) i;
CREATE TEMP TABLE x AS
  SELECT morpheus.nm_join(
           t => morpheus.nm_join(
                  t => morpheus.nmatrix(s => (SELECT array_agg(s ORDER BY i) FROM ent)),
                  fk => (SELECT array_agg(fk1 ORDER BY i) FROM ent),
                  r => (SELECT array_agg(ARRAY[r, r * r / 10.0, 1.0 / r] ORDER BY r) FROM generate_series(1, 8) r)),
           fk => (SELECT array_agg(fk2 ORDER BY i) FROM ent),
           r => (SELECT array_agg(ARRAY[abs(sin(r)), abs(cos(r))] ORDER BY r) FROM generate_series(1, 100) r)) AS t,
         (SELECT array_agg(y ORDER BY i) FROM ent) AS y, (SELECT array_agg(label ORDER BY i) FROM ent) AS label;
CREATE FUNCTION pg_temp.rel(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT sqrt(sum((p - q) ^ 2)) / (1 + sqrt(sum(q ^ 2))) FROM unnest(a, b) u(p, q) $$;

SELECT has_function('morpheus', 'explain', ARRAY['morpheus.nmatrix', 'text']);
SELECT volatility_is('morpheus', 'linreg', ARRAY['morpheus.nmatrix', 'double precision[]', 'text', 'integer',
                     'double precision', 'double precision', 'double precision'], 'stable',
                     'nmatrix ML functions are STABLE (their plan reads settings)');

-- factorized = materialized, under each plan
SELECT ok(pg_temp.rel(f.coefficients, m.coefficients) < 1e-9, 'linreg: factorized = materialized (' || mode || ')')
  FROM (VALUES ('auto'), ('always'), ('never')) v(mode),
       LATERAL (SELECT set_config('morpheus.factorize', mode, true)) s, x,
       LATERAL morpheus.linreg(t => x.t, y => x.y) f, LATERAL morpheus.linreg(x => morpheus.materialize(x.t), y => x.y) m;
RESET morpheus.factorize;
SELECT ok(pg_temp.rel(f.coefficients, m.coefficients) < 1e-9, 'linreg gd: factorized = materialized')
  FROM x, morpheus.linreg(t => x.t, y => x.y, method => 'gd', max_iterations => 50) f,
       morpheus.linreg(x => morpheus.materialize(x.t), y => x.y, method => 'gd', max_iterations => 50) m;
SELECT ok(pg_temp.rel(f.coefficients, m.coefficients) < 1e-9 AND f.iterations = m.iterations,
          'logreg: factorized = materialized')
  FROM x, morpheus.logreg(t => x.t, y => x.label, l2 => 0.01) f,
       morpheus.logreg(x => morpheus.materialize(x.t), y => x.label, l2 => 0.01) m;
SELECT ok(pg_temp.rel(f.centers, m.centers) < 1e-9 AND f.assignment = m.assignment, 'kmeans: factorized = materialized')
  FROM x, morpheus.kmeans(t => x.t, k => 3, seed => 4) f, morpheus.kmeans(x => morpheus.materialize(x.t), k => 3, seed => 4) m;
SELECT ok(pg_temp.rel(f.w, m.w) < 1e-9 AND pg_temp.rel(f.h, m.h) < 1e-9, 'gnmf: factorized = materialized')
  FROM x, morpheus.gnmf(t => morpheus.nm_add_scalar(x.t, 2), rank => 2, max_iterations => 20, tolerance => 0) f,
       morpheus.gnmf(x => morpheus.materialize(morpheus.nm_add_scalar(x.t, 2)), rank => 2, max_iterations => 20, tolerance => 0) m;
SELECT throws_ok($$SELECT * FROM x, morpheus.gnmf(t => x.t, rank => 2)$$, '22023', NULL, 'gnmf refuses negative entries of an nmatrix');
SELECT throws_ok($$SELECT * FROM x, morpheus.linreg(t => x.t, y => '{1,2}')$$, '22023',
                 'y has 2 elements but x has 200 rows', 'y length mismatch on an nmatrix');

-- explain: statistics computed independently from the shapes (under the paper's rule)
SET LOCAL morpheus.plan_model = 'rule';
CREATE TEMP TABLE ex AS SELECT e.* FROM x, morpheus.explain(t => x.t, operation => 'lmm') e;
SELECT is((SELECT count(*) FROM ex), 2::bigint, 'explain: one row per attribute table');
SELECT ok((SELECT tuple_ratio FROM ex WHERE attribute_table = 1) = 200 / 8.0
          AND (SELECT tuple_ratio FROM ex WHERE attribute_table = 2) = 200 / 100.0, 'explain: tuple ratios n_S / n_R');
SELECT ok((SELECT feature_ratio FROM ex WHERE attribute_table = 1) = 3 / 2.0
          AND (SELECT feature_ratio FROM ex WHERE attribute_table = 2) = 2 / 2.0, 'explain: feature ratios d_R / d_S');
SELECT is((SELECT array_agg(decision ORDER BY attribute_table) FROM ex), ARRAY['factorize', 'materialize'],
          'explain: the rule factorizes TR 25 and materializes TR 2');
SELECT ok((SELECT bool_and(factorized_cost_ms > 0 AND materialized_cost_ms > 0 AND sparsity = 1) FROM ex),
          'explain: costs are estimated, dense blocks have sparsity 1');
SET LOCAL morpheus.tuple_ratio_threshold = 1.5;
SELECT is((SELECT array_agg(decision ORDER BY attribute_table) FROM x, morpheus.explain(x.t)),
          ARRAY['factorize', 'factorize'], 'morpheus.tuple_ratio_threshold is honoured');
SET LOCAL morpheus.factorize = 'never';
SELECT is((SELECT array_agg(DISTINCT decision) FROM x, morpheus.explain(x.t)), ARRAY['materialize'], 'factorize = never');
SET LOCAL morpheus.factorize = 'always';
SELECT is((SELECT array_agg(DISTINCT decision) FROM x, morpheus.explain(x.t)), ARRAY['factorize'], 'factorize = always');
SET LOCAL morpheus.factorize = 'auto';
RESET morpheus.plan_model;
SELECT is(current_setting('morpheus.plan_model'), 'cost', 'auto uses the calibrated cost model by default');
SELECT is((SELECT array_agg(decision ORDER BY attribute_table) FROM x, morpheus.explain(x.t)),
          (SELECT array_agg(CASE WHEN cost_factorize THEN 'factorize' ELSE 'materialize' END ORDER BY attribute_table)
           FROM x, morpheus.explain(x.t)), 'plan_model = cost decides by the estimated costs');
SELECT throws_ok($$SELECT * FROM x, morpheus.explain(x.t, operation => 'fft')$$, '22023', 'unknown operation "fft"', 'unknown operation');
SELECT throws_ok($$SET morpheus.factorize = 'sometimes'$$, '22023', NULL, 'unknown factorize value');

SELECT * FROM finish();
ROLLBACK;
