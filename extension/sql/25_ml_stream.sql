--------------------------------------------------------------------------------------------------------------------
-- ml stream: linreg, logreg and kmeans over a normalized matrix whose entity table is streamed in batches through a
-- read-only cursor (every pass in the statement's snapshot), attribute tables in memory; memory independent of the
-- number of entity rows. synchronize_seqscans is off so every pass reads the rows in the same order.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg_stream(entity_sql text, attribute_sql text[] DEFAULT '{}', fk_columns text[] DEFAULT '{}',
                                       y_column text DEFAULT 'y', batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'normal', max_iterations int DEFAULT 1000,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-10,
                                       l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_linreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.linreg_stream(text, text[], text[], text, int, text, int, float8, float8, float8) IS
  'linreg over tables of any size: entity_sql (optional features float8[], the fk_columns, y_column) is streamed batch_rows at a time, attribute_sql[k] (key, features) held in memory; same result as linreg on nmatrix_from_sql.';

CREATE FUNCTION morpheus.logreg_stream(entity_sql text, attribute_sql text[] DEFAULT '{}', fk_columns text[] DEFAULT '{}',
                                       y_column text DEFAULT 'y', batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                       l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_logreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.logreg_stream(text, text[], text[], text, int, text, int, float8, float8, float8) IS
  'logreg (labels 0/1 or -1/+1 in y_column) over tables of any size, one fused pass per loss and gradient; same result as logreg on nmatrix_from_sql.';

CREATE FUNCTION morpheus.kmeans_stream(entity_sql text, k int, attribute_sql text[] DEFAULT '{}',
                                       fk_columns text[] DEFAULT '{}', batch_rows int DEFAULT 100000,
                                       max_iterations int DEFAULT 100, seed int DEFAULT 1,
                                       with_assignment boolean DEFAULT true)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_kmeans_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.kmeans_stream(text, int, text[], text[], int, int, int, boolean) IS
  'kmeans over tables of any size, one pass per Lloyd step; assignment (4 bytes per row) is NULL when with_assignment is false; same result as kmeans on nmatrix_from_sql.';
