-- DRACO: Byzantine-robust training from SQL, robust aggregation rules, predictions, and what a user sees on bad input.
SET extra_float_digits = 0;

-- 140 points in the plane, labelled by the side of the line x1 + 0.5 x2 = 0
CREATE TABLE draco_pts AS
  SELECT i AS id, ARRAY[sin(i), cos(1.7 * i)]::float8[] AS features,
         CASE WHEN sin(i) + 0.5 * cos(1.7 * i) > 0 THEN 1 ELSE 0 END AS label
  FROM generate_series(1, 140) i;

-- 7 workers of 10 rows each, 2 of them send -100 x their message each iteration; the cyclic code (s = 2) decodes the
-- exact gradient sum: grad_error ~ 0 and the flagged workers are exactly the adversarial ones.
SELECT iteration, round(loss::numeric, 4) AS loss, round(accuracy::numeric, 3) AS accuracy,
       grad_error < 1e-9 AS exact, flagged_workers = adversarial_workers AS caught, consistent
FROM morpheus.draco_train(source => 'draco_pts', family => 'logistic',
                          workers => 7, adversaries => 2, attack => 'signflip', aggregation => 'cyclic',
                          batch_size => 10, max_iterations => 8, learning_rate => 1.0, seed => 3);

-- the same run with the plain mean: the attack wins
SELECT iteration, round(accuracy::numeric, 3) AS accuracy, grad_error > 1 AS corrupted, flagged_workers
FROM morpheus.draco_train(source => 'draco_pts', workers => 7, adversaries => 2,
                          aggregation => 'mean', batch_size => 10, max_iterations => 8, learning_rate => 1.0, seed => 3)
WHERE iteration IN (1, 8);

-- the repetition code (workers divisible by 2s+1) is bit-exact: grad_error is exactly 0; a query as source
SELECT count(*) AS iterations, max(grad_error) AS max_grad_error, bool_and(consistent) AS all_consistent
FROM morpheus.draco_train(source => 'SELECT features[1] AS x1, features[2] AS x2, label FROM draco_pts',
                          features => '{x1, x2}', workers => 9, adversaries => 1, attack => 'alie',
                          aggregation => 'repetition', batch_size => 10, max_iterations => 10, seed => 1);

-- the final weights (last row), and the training accuracy of predictions made with them
WITH w AS (SELECT weights FROM morpheus.draco_train(source => 'draco_pts', max_iterations => 30,
                                                   learning_rate => 1.0)
           WHERE weights IS NOT NULL)
SELECT array_length(w.weights, 1) AS n_weights,
       round(avg(((morpheus.glm_predict(w.weights, p.features, 'logistic') >= 0.5)::int = p.label)::int)::numeric, 3) AS accuracy
FROM w, draco_pts p GROUP BY w.weights;
-- the same run's model (last row): predict agrees with glm_predict on the weights; converged is NULL (fixed iterations)
WITH r AS (SELECT weights, model FROM morpheus.draco_train(source => 'draco_pts', max_iterations => 30,
                                                          learning_rate => 1.0)
           WHERE weights IS NOT NULL)
SELECT (r.model).kind, (r.model).family, (r.model).rows, (r.model).iterations, (r.model).converged IS NULL AS no_tolerance,
       bool_and(abs(morpheus.predict_probability(r.model, p.features)
                    - morpheus.glm_predict(r.weights, p.features, 'logistic')) < 1e-15) AS agree
FROM r, draco_pts p GROUP BY r.weights, r.model;

-- a small network (2-8-2) with momentum, under attack, with the geometric median per layer as a baseline: the
-- Weiszfeld iterations of its 4 parameter blocks (w[0], b[0], w[1], b[1]) are reported per step
SELECT iteration, cardinality(median_iterations) AS blocks, round(accuracy::numeric, 2) AS accuracy
FROM morpheus.draco_train(source => 'draco_pts', family => 'mlp', hidden_layers => '{8}', workers => 7,
                          adversaries => 2, aggregation => 'geometric_median', per_layer => true, batch_size => 10,
                          max_iterations => 40, learning_rate => 0.1, momentum => 0.9)
WHERE iteration IN (1, 40);
-- the same network with the repetition code: its parameters are bit-identical to training without attackers
SELECT (SELECT weights FROM morpheus.draco_train(source => 'draco_pts', family => 'mlp', hidden_layers => '{8}',
          workers => 9, adversaries => 1, aggregation => 'repetition', max_iterations => 20, momentum => 0.9)
        WHERE weights IS NOT NULL)
     = (SELECT weights FROM morpheus.draco_train(source => 'draco_pts', family => 'mlp', hidden_layers => '{8}',
          workers => 9, adversaries => 0, max_adversaries => 1, attack => 'none', aggregation => 'repetition',
          max_iterations => 20, momentum => 0.9)
        WHERE weights IS NOT NULL) AS identical;
-- its predictions: layers = {inputs, hidden, classes}
WITH w AS (SELECT weights FROM morpheus.draco_train(source => 'draco_pts', family => 'mlp', hidden_layers => '{8}',
                                                   workers => 9, adversaries => 1, aggregation => 'repetition',
                                                   max_iterations => 60, learning_rate => 0.1, momentum => 0.9)
           WHERE weights IS NOT NULL)
SELECT round(avg((morpheus.mlp_predict(w.weights, p.features, '{2, 8, 2}') = p.label)::int)::numeric, 2) AS accuracy
FROM w, draco_pts p;

-- more adversaries than the code tolerates: reported (consistent = false, the step is skipped), not silently wrong
SELECT iteration, consistent, grad_error
FROM morpheus.draco_train(source => 'draco_pts', workers => 7, adversaries => 3, max_adversaries => 1,
                          attack => 'gaussian', max_iterations => 2);

-- baseline rules on the reference fixture (7 inputs, one of them far away)
SELECT rule, morpheus.robust_aggregate(
         gradients => '{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', rule => rule, max_adversaries => 1,
         tolerance => 1e-12)::numeric(10,4)[] AS result
FROM unnest(ARRAY['mean', 'median', 'trimmed_mean', 'geometric_median', 'krum', 'multi_krum']) rule;
SELECT morpheus.robust_aggregate(gradients => '{{1},{2},{3},{4},{5},{6},{100}}', rule => 'bulyan', max_adversaries => 1);
-- per block: the geometric median of column 1, then of columns 2..3
SELECT morpheus.robust_aggregate(gradients => '{{0,0,1},{1,0,2},{0,2,0},{1,1,1},{2,1,5},{0.5,0.5,0},{50,-50,9}}',
                                 blocks => '{1, 2}', tolerance => 1e-12)::numeric(10,4)[] AS per_block;

-- predictions: intercept last
SELECT morpheus.glm_predict(weights => '{1,2,0.5}', features => '{1,1}', family => 'least_squares') AS eta,
       round(morpheus.glm_predict('{1,2,0.5}', '{1,1}', 'logistic')::numeric, 6) AS probability,
       morpheus.glm_predict('{1,0,0, 0,1,0, 0,0,5}', '{3,2}', 'softmax') AS class;

-- bad input
SELECT * FROM morpheus.draco_train(source => 'draco_pts', workers => 4, adversaries => 2);
SELECT * FROM morpheus.draco_train(source => 'draco_pts', workers => 7, aggregation => 'repetition');
SELECT * FROM morpheus.draco_train(source => 'draco_pts', attack => 'flip');
SELECT * FROM morpheus.draco_train(source => 'draco_pts', aggregation => 'average');
SELECT * FROM morpheus.draco_train(source => 'draco_pts', family => 'linear');
SELECT * FROM morpheus.draco_train(source => 'no_such_table');
SELECT * FROM morpheus.draco_train(source => 'SELECT features, label FROM draco_pts WHERE false');
SELECT * FROM morpheus.draco_train(source => 'SELECT features, NULL::int AS label FROM draco_pts');
SELECT * FROM morpheus.draco_train(source => 'draco_pts', features => '{id, nope}');
SELECT * FROM morpheus.draco_train(source => 'SELECT CASE WHEN id = 5 THEN ARRAY[1.0]::float8[] ELSE features END AS features, label FROM draco_pts ORDER BY id');
SELECT * FROM morpheus.draco_train(source => 'draco_pts', family => 'mlp', hidden_layers => '{0}');
SELECT morpheus.robust_aggregate(gradients => '{{1,2},{3,4}}', rule => 'krum', max_adversaries => 1);
SELECT morpheus.glm_predict('{1,2}', '{1,1}', 'logistic');
SELECT morpheus.mlp_predict('{1,2,3}', '{1,1}', '{2,3,2}');
