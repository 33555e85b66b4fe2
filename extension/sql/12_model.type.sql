-- since 0.2.0: the model type and the table of saved models, created once (by the install script of the version
-- that introduced them, or by the upgrade to it); later upgrades keep them, so saved models survive.
--------------------------------------------------------------------------------------------------------------------
-- model: the one model object of every trainer (docs/ml.md#models)
--------------------------------------------------------------------------------------------------------------------
CREATE TYPE morpheus.model AS (
  kind text,            -- linreg, logreg, glm, kmeans, gnmf, mlp
  family text,          -- least_squares, logistic, softmax, poisson (linear kinds); mlp, resnet; NULL otherwise
  label text,           -- the label column; NULL for kmeans and gnmf
  features text[],      -- feature names in parameter order (without the intercept)
  intercept boolean,    -- a constant term, last in every parameter block
  classes text[],       -- class labels in the training encoding, negative class first; NULL for regression
  shape int[],          -- parameter layout (docs/ml.md#models)
  parameters float8[],  -- the parameters, flat, in that layout
  source text,          -- the training relation: a table name or a query, as given
  options jsonb,        -- how the data was read (features, id, attributes, ...) and the hyper-parameters
  rows bigint,          -- rows used
  iterations int,       -- iterations run
  converged boolean,    -- false when the solver stopped at its cap before meeting its tolerance
  loss float8[],        -- the objective after every iteration
  statistics jsonb      -- fit statistics: r2, std_errors, condition_number, log_likelihood, accuracy, within_ss ...
);
COMMENT ON TYPE morpheus.model IS
  'A trained model: kind, family, label, feature names and order, intercept, classes, parameter shape and values, training source and options, rows, iterations, converged, loss trace and fit statistics; morpheus.predict scores it.';

CREATE TABLE morpheus.models (
  owner name NOT NULL DEFAULT current_user,
  name text NOT NULL,
  model morpheus.model NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, name)
);
COMMENT ON TABLE morpheus.models IS
  'Saved models (trainers'' model_name, morpheus.save_model): one row per owner and name; every role sees and changes only its own rows (row-level security).';
ALTER TABLE morpheus.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_owner ON morpheus.models USING (owner = current_user) WITH CHECK (owner = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON morpheus.models TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('morpheus.models', '');
