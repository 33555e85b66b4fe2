-- Models: train on a table, keep the model, score rows; a solver stopped at its cap says so.
SET extra_float_digits = 0;
SET search_path = public, morpheus;

CREATE TABLE houses (id int PRIMARY KEY, size float8, rooms int, garden boolean, price float8);
INSERT INTO houses
  SELECT i, 50 + 10 * i, 1 + i % 4, i % 3 = 0, 20 + 2.5 * (50 + 10 * i) + 8 * (1 + i % 4) + 15 * (i % 3 = 0)::int + (i % 5 - 2)
  FROM generate_series(1, 20) i;

-- least squares on a table: the label and the features are columns (booleans count as 0/1)
CREATE TABLE trained AS
  SELECT linreg_train('houses', label => 'price', features => '{size,rooms,garden}', model_name => 'price') AS m;
SELECT (m).kind, (m).features, (m).intercept, (m).shape, (m).rows, (m).converged,
       array(SELECT round(p::numeric, 4) FROM unnest((m).parameters) p) AS parameters,
       round(((m).statistics->>'r2')::numeric, 6) AS r2
FROM trained;

-- score one row, or a whole relation by the model's feature columns
SELECT round(predict(load_model('price'), ARRAY[120, 2, 1])::numeric, 4) AS one_house;
SELECT id::int, round(prediction::numeric, 2) AS prediction
FROM predict(load_model('price'), 'SELECT * FROM houses WHERE id <= 3', id => 'id') ORDER BY 1;

-- gradient descent on unscaled features stops at its cap: converged is false and a WARNING says so
SELECT (m).converged, (m).iterations
FROM (SELECT linreg_train('houses', label => 'price', features => '{size,rooms}', method => 'gd',
                          max_iterations => 100) AS m) s;
-- logistic regression on separable classes has no finite optimum
SELECT (m).converged
FROM (SELECT logreg_train('houses', label => 'garden', features => '{price}', max_iterations => 5) AS m) s;

-- names are per role; a model stays in morpheus.models until dropped
SELECT name, (model).kind FROM morpheus.models;
SELECT drop_model('price');
SELECT load_model('price');

DROP TABLE houses, trained;
