-- Time-to-accuracy of softmax regression on a Fashion-MNIST subset under attack: mean (no attack), DRACO repetition
-- and cyclic, geometric median, Krum, coordinate median, each under signflip, constant and ALIE.
-- Run by bench/draco_fmnist.sh (loads the data first). Time = simulated parallel wall time: per iteration the
-- slowest worker's compute (compute_ms) plus the server's aggregate_ms.
\set workers 15
\set adv 2
\set iters 150
\set target 0.72
CREATE TEMP TABLE runs (attack text, aggregation text);
INSERT INTO runs VALUES ('none', 'mean');
INSERT INTO runs SELECT a, r FROM unnest(ARRAY['signflip', 'constant', 'alie']) a,
  unnest(ARRAY['repetition', 'cyclic', 'geometric_median', 'krum', 'median', 'mean']) r;
CREATE TEMP TABLE results AS
SELECT r.attack, r.aggregation, t.*
FROM runs r, LATERAL morpheus.draco_train(
  source => 'SELECT pixels AS features, label FROM fashion_mnist WHERE split = ''train''',
  family => 'softmax', workers => :workers, adversaries => CASE WHEN r.attack = 'none' THEN 0 ELSE :adv END,
  max_adversaries => :adv, attack => r.attack, aggregation => r.aggregation, batch_size => 40,
  max_iterations => :iters, learning_rate => 0.03, seed => 1, eval_every => 5) t;
WITH timed AS (
  SELECT *, sum(compute_ms + aggregate_ms) OVER (PARTITION BY attack, aggregation ORDER BY iteration) AS t_ms
  FROM results),
test AS (
  SELECT r.attack, r.aggregation,
         avg((morpheus.glm_predict(r.weights, f.pixels, 'softmax') = f.label)::int) AS test_acc
  FROM results r, fashion_mnist f WHERE r.weights IS NOT NULL AND f.split = 'test' GROUP BY 1, 2)
SELECT t.attack, t.aggregation,
       round(max(accuracy) FILTER (WHERE iteration = :iters)::numeric, 3) AS train_acc,
       round(min(test_acc)::numeric, 3) AS test_acc,
       round(min(t_ms) FILTER (WHERE accuracy >= :target)::numeric, 0) AS ms_to_target,
       round(avg(aggregate_ms)::numeric, 3) AS agg_ms_per_it,
       round(avg(compute_ms)::numeric, 2) AS worker_ms_per_it,
       round(max(grad_error)::numeric, 6) AS max_grad_error
FROM timed t JOIN test USING (attack, aggregation)
GROUP BY 1, 2 ORDER BY (t.attack <> 'none'), 1, 2;
