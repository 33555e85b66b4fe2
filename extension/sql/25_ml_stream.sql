--------------------------------------------------------------------------------------------------------------------
-- ml stream: linreg, logreg and kmeans trainers for relations of any size. They take the arguments of linreg_train,
-- logreg_train and kmeans_train plus batch_rows: the source is streamed in batches through a read-only cursor
-- (every pass in the statement's snapshot), attribute relations in memory; memory independent of the number of
-- source rows. synchronize_seqscans is off so every pass reads the rows in the same order.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg_stream(source text, label text DEFAULT 'label', features text[] DEFAULT NULL,
                                       id text DEFAULT NULL, intercept boolean DEFAULT true,
                                       attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                       attribute_keys text[] DEFAULT NULL, batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'normal', max_iterations int DEFAULT 10000,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-6,
                                       l2 float8 DEFAULT 0, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_linreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.linreg_stream(text, text, text[], text, boolean, text[], text[], text[], int, text, int, float8, float8, float8, text) IS
  'linreg_train over relations of any size: source streamed batch_rows at a time, attribute relations in memory; the same model as linreg_train.';

CREATE FUNCTION morpheus.logreg_stream(source text, label text DEFAULT 'label', features text[] DEFAULT NULL,
                                       id text DEFAULT NULL, intercept boolean DEFAULT true,
                                       attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                       attribute_keys text[] DEFAULT NULL, batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                       l2 float8 DEFAULT 0, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_logreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.logreg_stream(text, text, text[], text, boolean, text[], text[], text[], int, text, int, float8, float8, float8, text) IS
  'logreg_train over relations of any size, one fused pass per loss and gradient; the same model as logreg_train.';

CREATE FUNCTION morpheus.kmeans_stream(source text, k int, features text[] DEFAULT NULL, id text DEFAULT NULL,
                                       attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                       attribute_keys text[] DEFAULT NULL, batch_rows int DEFAULT 100000,
                                       max_iterations int DEFAULT 100, seed int DEFAULT 1,
                                       model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_kmeans_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.kmeans_stream(text, int, text[], text, text[], text[], text[], int, int, int, text) IS
  'kmeans_train over relations of any size, one pass per Lloyd step; the same model as kmeans_train (morpheus.predict gives the clusters).';
