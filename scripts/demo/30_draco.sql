-- morpheus demo, part 30: Byzantine-robust training with DRACO. 9 simulated workers, 2 of them malicious (they send
-- -100 x their gradient). The plain mean is dragged the wrong way; DRACO's cyclic code decodes the exact clean
-- gradient sum every iteration and names the attackers.
\echo '--- a two-class problem: 600 points, 4 features'
CREATE TEMP TABLE draco_demo AS
  SELECT i AS id, ARRAY[sin(i), cos(1.7 * i), sin(0.37 * i), cos(2.9 * i)]::float8[] AS features,
         (sin(i) + 0.5 * cos(1.7 * i) - 0.3 * sin(0.37 * i) > 0)::int AS label
  FROM generate_series(1, 600) i;

\echo '--- logistic regression, 2 sign-flipping workers out of 9: DRACO (cyclic code) vs the plain mean'
WITH draco AS (
  SELECT * FROM morpheus.draco_train(source => 'draco_demo', family => 'logistic',
                                     workers => 9, adversaries => 2, attack => 'signflip', aggregation => 'cyclic',
                                     batch_size => 20, max_iterations => 30, learning_rate => 1.0, seed => 7)),
mean AS (
  SELECT * FROM morpheus.draco_train(source => 'draco_demo', family => 'logistic',
                                     workers => 9, adversaries => 2, attack => 'signflip', aggregation => 'mean',
                                     batch_size => 20, max_iterations => 30, learning_rate => 1.0, seed => 7))
SELECT d.iteration, d.adversarial_workers AS attackers, d.flagged_workers AS draco_flagged,
       round(d.accuracy::numeric, 3) AS draco_accuracy, round(m.accuracy::numeric, 3) AS mean_accuracy,
       to_char(d.grad_error, '9.9EEEE') AS draco_grad_error, round(m.grad_error::numeric, 2) AS mean_grad_error,
       round(d.aggregate_ms::numeric, 3) AS draco_ms, round(m.aggregate_ms::numeric, 3) AS mean_ms
FROM draco d JOIN mean m USING (iteration)
WHERE d.iteration % 5 = 0 OR d.iteration <= 2 ORDER BY 1;

\echo '--- the same run without attackers gives the same weights (DRACO is exact)'
SELECT max(abs(a - b)) AS max_weight_difference
FROM unnest(
  (SELECT weights FROM morpheus.draco_train(source => 'draco_demo', workers => 9,
     adversaries => 2, attack => 'signflip', batch_size => 20, max_iterations => 30, learning_rate => 1.0, seed => 7)
   WHERE weights IS NOT NULL),
  (SELECT weights FROM morpheus.draco_train(source => 'draco_demo', workers => 9,
     adversaries => 0, max_adversaries => 2, attack => 'none', batch_size => 20, max_iterations => 30,
     learning_rate => 1.0, seed => 7) WHERE weights IS NOT NULL)) t(a, b);

\echo '--- a small network (4-16-2) with momentum, 1 sign-flipper of 9: DRACO repetition vs the geometric median per layer'
SELECT d.iteration, round(d.accuracy::numeric, 3) AS draco_accuracy, round(g.accuracy::numeric, 3) AS gm_accuracy,
       d.grad_error = 0 AS draco_exact, g.median_iterations AS weiszfeld_iterations_per_layer
FROM morpheus.draco_train(source => 'draco_demo', family => 'mlp', hidden_layers => '{16}', workers => 9,
       adversaries => 1, aggregation => 'repetition', batch_size => 20, max_iterations => 30,
       learning_rate => 0.1, momentum => 0.9, seed => 7) d
JOIN morpheus.draco_train(source => 'draco_demo', family => 'mlp', hidden_layers => '{16}', workers => 9,
       adversaries => 1, aggregation => 'geometric_median', per_layer => true, batch_size => 20, max_iterations => 30,
       learning_rate => 0.1, momentum => 0.9, seed => 7) g USING (iteration)
WHERE d.iteration % 10 = 0 ORDER BY 1;

\echo '--- robust rules on gradients you already have: 6 honest rows and one bad one'
SELECT rule, morpheus.robust_aggregate(
         gradients => '{{1,1},{1.2,0.9},{0.8,1.1},{1.1,1.0},{0.9,0.95},{1.0,1.05},{-100,-100}}',
         rule => rule, max_adversaries => 1)::numeric(8,3)[] AS aggregate
FROM unnest(ARRAY['mean', 'median', 'trimmed_mean', 'geometric_median', 'krum', 'multi_krum', 'bulyan']) rule;
