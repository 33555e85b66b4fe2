-- Models from draco_train and train_mlp: the model column (last row only), its provenance, and predict against
-- independent computations from the returned weights (SQL formulas, glm_predict, mlp_predict, the trainer's own
-- accuracy); the relation form against the per-row form; save/load round trips; intercept => false; bad inputs.
BEGIN;
SELECT plan(50);
SET LOCAL search_path = public, morpheus;

CREATE TEMP TABLE pts AS
  SELECT i AS id, ARRAY[sin(1.3 * i), cos(0.7 * i)]::float8[] AS features,
         (sin(1.3 * i) + 0.5 * cos(0.7 * i) + 0.3 * sin(5.1 * i) > 0)::int AS label,
         CASE WHEN sin(1.3 * i) > 0.4 THEN 2 WHEN cos(0.7 * i) > 0 THEN 1 ELSE 0 END AS cls,
         1 + 2 * sin(1.3 * i) - cos(0.7 * i) + 0.1 * sin(9.1 * i) AS y,
         floor(exp(0.5 + 0.8 * sin(1.3 * i)))::int AS cnt
  FROM generate_series(1, 60) i;
CREATE FUNCTION pg_temp.hint_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END $$;

-- one small DRACO run per family (3 honest workers, mean rule, 20 iterations)
CREATE TEMP TABLE runs AS
  SELECT f.family, f.label, f.intercept, t.iteration, t.weights AS w, t.model AS m
  FROM (VALUES ('logistic', 'label', true), ('least_squares', 'y', true), ('poisson', 'cnt', true),
               ('softmax', 'cls', true), ('mlp', 'cls', true), ('logistic', 'label', false)) f(family, label, intercept),
       LATERAL draco_train('pts', label => f.label, family => f.family, intercept => f.intercept,
                           hidden_layers => CASE WHEN f.family = 'mlp' THEN '{4}'::int[] END, workers => 3,
                           adversaries => 0, aggregation => 'mean', batch_size => 5, max_iterations => 20,
                           learning_rate => 0.05) t;
-- (a composite IS NOT NULL only when every field is: converged is NULL here, so test the weights)
CREATE TEMP TABLE dm AS SELECT family, intercept, w, m FROM runs WHERE w IS NOT NULL;

SELECT is((SELECT array_agg(a ORDER BY n) FROM pg_proc, unnest(proargnames) WITH ORDINALITY t(a, n)
           WHERE proname = 'draco_train' AND proargmodes[n] = 't' AND n > 12 + 24), '{model}'::text[],
          'draco_train returns a model column');
SELECT is((SELECT count(m) FROM runs), 6::bigint, 'one model per run');
SELECT ok((SELECT bool_and(((m).kind IS NOT NULL) = (iteration = 20)) FROM runs), 'the model is on the last row only');
SELECT ok((SELECT bool_and((m).kind = 'glm' AND (m).family = family) FROM dm WHERE family <> 'mlp'),
          'GLM families give kind glm with their family');

-- provenance
SELECT is((m).features, '{features[1],features[2]}'::text[], 'features as read: the array column''s elements')
  FROM dm WHERE family = 'logistic' AND intercept;
SELECT ok((m).label = 'label' AND (m).source = 'pts' AND (m).rows = 60 AND (m).iterations = 20
          AND cardinality((m).loss) = 20 AND (m).intercept, 'label, source, rows, iterations, loss trace')
  FROM dm WHERE family = 'logistic' AND intercept;
SELECT ok((m).converged IS NULL, 'fixed iterations: converged is NULL') FROM dm WHERE family = 'logistic' AND intercept;
SELECT ok((m).options @> '{"trainer": "draco_train", "family": "logistic", "workers": 3, "adversaries": 0,
                          "aggregation": "mean", "attack": "signflip", "batch_size": 5, "learning_rate": 0.05,
                          "seed": 1, "max_iterations": 20, "features": ["features"]}'::jsonb,
          'options hold the hyper-parameters and how the data was read') FROM dm WHERE family = 'logistic' AND intercept;
SELECT is((m).classes, '{0,1}'::text[], 'logistic classes') FROM dm WHERE family = 'logistic' AND intercept;
SELECT is((m).classes, '{0,1,2}'::text[], 'softmax classes') FROM dm WHERE family = 'softmax';
SELECT is((m).shape, '{2,4,3}'::int[], 'mlp shape: inputs, hidden, classes') FROM dm WHERE family = 'mlp';
SELECT ok((m).parameters = w, 'with an intercept the model holds the weights as DRACO returned them')
  FROM dm WHERE family IN ('logistic', 'softmax', 'mlp') AND intercept;

-- predict against independent computations from the returned weights
SELECT ok(bool_and(abs(predict_probability(m, features) - 1 / (1 + exp(-(w[1] * features[1] + w[2] * features[2] + w[3]))))
                   < 1e-14
                   AND predict(m, features) = (w[1] * features[1] + w[2] * features[2] + w[3] >= 0)::int),
          'logistic: sigmoid of the linear predictor, class at 0.5') FROM dm, pts WHERE family = 'logistic' AND intercept;
SELECT ok(bool_and(abs(predict_probability(m, features) - glm_predict(w, features, 'logistic')) < 1e-14),
          'logistic: glm_predict agrees') FROM dm, pts WHERE family = 'logistic' AND intercept;
SELECT ok(bool_and(abs(predict(m, features) - (w[1] * features[1] + w[2] * features[2] + w[3])) < 1e-13),
          'least_squares: the linear predictor') FROM dm, pts WHERE family = 'least_squares';
SELECT ok(bool_and(abs(predict(m, features) / exp(w[1] * features[1] + w[2] * features[2] + w[3]) - 1) < 1e-13),
          'poisson: exp of the linear predictor') FROM dm, pts WHERE family = 'poisson';
SELECT ok(bool_and(predict(m, features) = (SELECT c - 1 FROM generate_series(1, 3) c
                                         ORDER BY w[3 * c - 2] * features[1] + w[3 * c - 1] * features[2] + w[3 * c] DESC
                                         LIMIT 1)),
          'softmax: the argmax of the three linear predictors') FROM dm, pts WHERE family = 'softmax';
SELECT ok(bool_and(abs(predict_probability(m, features)
                       - (SELECT max(e) / sum(e) FROM (SELECT exp(w[3 * c - 2] * features[1] + w[3 * c - 1] * features[2]
                                                                  + w[3 * c]) e FROM generate_series(1, 3) c) s)) < 1e-14),
          'softmax: the probability of the predicted class') FROM dm, pts WHERE family = 'softmax';
SELECT ok(bool_and(predict(m, features) = glm_predict(w, features, 'softmax')), 'softmax: glm_predict agrees')
  FROM dm, pts WHERE family = 'softmax';
SELECT ok(bool_and(predict(m, features) = mlp_predict(w, features, '{2,4,3}')),
          'draco mlp: mlp_predict (DRACO''s own forward pass) agrees') FROM dm, pts WHERE family = 'mlp';

-- intercept => false: no constant term, the intercept slot is 0
SELECT ok(NOT (m).intercept AND cardinality(w) = 2 AND (m).parameters = w || 0::float8,
          'intercept => false: two weights, a zero intercept in the model') FROM dm WHERE family = 'logistic' AND NOT intercept;
SELECT ok(bool_and(abs(predict_probability(m, features) - 1 / (1 + exp(-(w[1] * features[1] + w[2] * features[2]))))
                   < 1e-14 AND abs(predict_probability(m, features) - glm_predict(w, features, 'logistic', false)) < 1e-14),
          'intercept => false: sigmoid of x''w, as glm_predict') FROM dm, pts WHERE family = 'logistic' AND NOT intercept;

-- the relation form equals the per-row form
SELECT ok(bool_and(abs(p.probability - predict_probability(m, pts.features)) < 1e-15
                   AND p.class = predict(m, pts.features)::int::text) AND count(*) = 60,
          'predict(model, source) = predict(model, features), logistic')
  FROM dm, predict(m, 'pts', id => 'id') p JOIN pts ON pts.id = p.id::int WHERE family = 'logistic' AND intercept;
SELECT ok(bool_and(p.class = predict(m, pts.features)::int::text) AND count(*) = 60,
          'predict(model, source) = predict(model, features), draco mlp')
  FROM dm, predict(m, 'pts', id => 'id') p JOIN pts ON pts.id = p.id::int WHERE family = 'mlp';
-- a list of feature columns, read back by name
CREATE TEMP TABLE cols AS SELECT model AS m FROM draco_train('SELECT id, features[1] AS a, features[2] AS b, label FROM pts',
    features => '{a,b}', workers => 3, adversaries => 0, aggregation => 'mean', batch_size => 5, max_iterations => 5)
  WHERE weights IS NOT NULL;
SELECT is((m).features, '{a,b}'::text[], 'features as a column list keep their names') FROM cols;
SELECT ok(bool_and(abs(p.probability - predict_probability(m, ARRAY[sin(1.3 * p.id::int), cos(0.7 * p.id::int)])) < 1e-15)
          AND count(*) = 60, 'predict(model, query) reads the columns by name')
  FROM cols, predict(m, 'SELECT id, features[1] AS a, features[2] AS b FROM pts', id => 'id') p;

-- save and load
SELECT lives_ok($$SELECT save_model('draco_logistic', (SELECT m FROM dm WHERE family = 'logistic' AND intercept))$$,
                'a DRACO model saves');
SELECT ok(load_model('draco_logistic') = m AND (load_model('draco_logistic')).converged IS NULL,
          'load_model gives it back unchanged (converged stays NULL)') FROM dm WHERE family = 'logistic' AND intercept;
SELECT ok(bool_and(predict(load_model('draco_logistic'), features) = predict(m, features)),
          'the loaded model predicts the same') FROM dm, pts WHERE family = 'logistic' AND intercept;

-- train_mlp: mlp, resnet (residual_scale folded into the stored parameters) and the deep linear network
CREATE TEMP TABLE mruns AS
  SELECT a.arch, t.* FROM (VALUES ('mlp', 1.0), ('resnet', 0.5), ('linear', 1.0)) a(arch, alpha),
       LATERAL train_mlp('SELECT features, cls AS label FROM pts', depth => 3, width => 6, batch_size => 10,
                         max_epochs => 3, architecture => a.arch, residual_scale => a.alpha,
                         initialization => 'pytorch') t;
CREATE TEMP TABLE mm AS SELECT arch, parameters AS w, accuracy, model AS m FROM mruns WHERE parameters IS NOT NULL;
SELECT is((SELECT count(model) FROM mruns), 3::bigint, 'train_mlp: one model per run');
SELECT ok((SELECT bool_and(((model).kind IS NOT NULL) = (parameters IS NOT NULL)) FROM mruns),
          'train_mlp: the model is on the last row, with the parameters');
SELECT ok(bool_and((m).kind = 'mlp' AND (m).family = arch AND (m).shape = '{2,6,6,6,3}' AND (m).converged IS NULL
                   AND (m).rows = 60 AND (m).options->>'architecture' = arch), 'train_mlp provenance') FROM mm;
SELECT ok(bool_and(predict(m, features) = mlp_predict(w, features, '{2,6,6,6,3}')),
          'train_mlp mlp: mlp_predict on the returned parameters agrees') FROM mm, pts WHERE arch = 'mlp';
SELECT ok(bool_and(abs(acc - accuracy) < 1e-12), 'every family: the accuracy of predict is the trainer''s own')
  FROM mm, LATERAL (SELECT avg((predict(m, features) = cls)::int) acc FROM pts) a;
SELECT ok((m).parameters <> w AND cardinality((m).parameters) = cardinality(w),
          'resnet with residual_scale 0.5: the stored parameters fold the scale in') FROM mm WHERE arch = 'resnet';
SELECT ok(bool_and(p.class = predict(m, pts.features)::int::text) AND count(*) = 180,
          'train_mlp: predict(model, source) = predict(model, features)')
  FROM mm, predict(m, 'pts', id => 'id') p JOIN pts ON pts.id = p.id::int;
SELECT ok((SELECT (model).converged FROM train_mlp('SELECT features, cls AS label FROM pts', depth => 1, width => 4,
                                                   target_loss => 100) WHERE parameters IS NOT NULL),
          'train_mlp: target_loss met gives converged = true');
SET LOCAL client_min_messages = error;
SELECT ok((SELECT NOT (model).converged FROM train_mlp('SELECT features, cls AS label FROM pts', depth => 1, width => 4,
                                                       max_epochs => 1, target_loss => 0) WHERE parameters IS NOT NULL),
          'train_mlp: target_loss not met gives converged = false');
RESET client_min_messages;
SELECT throws_ok($$SELECT predict_probability(model, ARRAY[0.1, 0.2])
                   FROM train_mlp('SELECT features, cls AS label FROM pts', depth => 1, width => 4,
                                  loss_function => 'squared') WHERE parameters IS NOT NULL$$, '22023',
                 'a mlp (mlp) model gives no class probabilities', 'train_mlp with the squared loss: no probabilities');
SELECT lives_ok($$SELECT save_model('mlp', (SELECT m FROM mm WHERE arch = 'resnet'))$$, 'an MLP model saves');
SELECT ok(load_model('mlp') = m, 'and loads back unchanged') FROM mm WHERE arch = 'resnet';

-- draco_train_distributed (in session): the same GLM model on its last row
CREATE TEMP TABLE dd AS SELECT 1 + id % 3 AS partition, id::bigint AS row_id, label::float8 AS label,
                               cls::float8 AS cls, features FROM pts;
CREATE TEMP TABLE druns AS
  SELECT 'logistic' AS family, iteration, weights AS w, model AS m
  FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, aggregation => 'repetition',
                                        batch_size => 15, max_iterations => 5, learning_rate => 0.5)
  UNION ALL
  SELECT 'softmax', iteration, weights, model
  FROM morpheus.draco_train_distributed(source => 'SELECT partition, row_id, cls AS label, features FROM dd',
                                        family => 'softmax', classes => 3, workers => 3, aggregation => 'repetition',
                                        batch_size => 15, max_iterations => 5, learning_rate => 0.5);
SELECT ok((SELECT bool_and(((m).kind IS NOT NULL) = (iteration = 5)) AND count(m) = 2 FROM druns),
          'draco_train_distributed: the model is on the last row only');
SELECT ok((m).kind = 'glm' AND (m).family = 'logistic' AND (m).shape = '{1,3}' AND (m).parameters = w
          AND (m).features = '{features[1],features[2]}' AND (m).iterations = 5 AND cardinality((m).loss) = 5
          AND (m).converged IS NULL AND (m).options->>'trainer' = 'draco_train_distributed',
          'draco_train_distributed: the model holds the weights and its provenance')
  FROM druns WHERE family = 'logistic' AND iteration = 5;
SELECT ok(bool_and(abs(predict_probability(m, features) - 1 / (1 + exp(-(w[1] * features[1] + w[2] * features[2] + w[3]))))
                   < 1e-14), 'draco_train_distributed logistic: sigmoid of the linear predictor')
  FROM druns, pts WHERE family = 'logistic' AND iteration = 5;
SELECT ok(bool_and(predict(m, features) = (SELECT c - 1 FROM generate_series(1, 3) c
                                         ORDER BY w[3 * c - 2] * features[1] + w[3 * c - 1] * features[2] + w[3 * c] DESC
                                         LIMIT 1)) AND bool_and((m).shape = '{3,3}'),
          'draco_train_distributed softmax: the argmax of the linear predictors')
  FROM druns, pts WHERE family = 'softmax' AND iteration = 5;
SELECT ok(bool_and(abs(p.probability - predict_probability(m, pts.features)) < 1e-15) AND count(*) = 60,
          'draco_train_distributed: predict(model, source) = predict(model, features)')
  FROM druns, predict(m, 'pts', id => 'id') p JOIN pts ON pts.id = p.id::int WHERE family = 'logistic' AND iteration = 5;

-- bad inputs
SELECT throws_ok($$SELECT predict(m, ARRAY[1.0, 2, 3]) FROM dm WHERE family = 'logistic' AND intercept$$, '22023',
                 'features has 3 values but the model has 2 features (features[1], features[2])',
                 'predict with the wrong number of features');
SELECT is(pg_temp.hint_of($$SELECT predict(m, ARRAY[1.0]) FROM mm WHERE arch = 'mlp'$$),
          'Pass the features in the order of (model).features.', 'with a hint');

SELECT * FROM finish();
ROLLBACK;
