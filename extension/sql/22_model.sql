--------------------------------------------------------------------------------------------------------------------
-- models: scoring (predict, predict_probability, project) and saving under a name (morpheus.models)
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.predict(model morpheus.model, features float8[])
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_predict'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.predict(morpheus.model, float8[]) IS
  'Scores one feature vector (in the order of (model).features): the fitted value (linreg, least_squares, poisson mean), the class in the training coding (logistic, softmax, mlp) or the cluster (kmeans).';

CREATE FUNCTION morpheus.predict_probability(model morpheus.model, features float8[])
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_predict_probability'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.predict_probability(morpheus.model, float8[]) IS
  'Class probability of one feature vector: P(positive class) for logistic models, the probability of the predicted class for softmax and MLP models.';

CREATE FUNCTION morpheus.project(model morpheus.model, features float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_project'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.project(morpheus.model, float8[]) IS
  'Projection of one feature vector onto a GNMF model''s factor H: argmin over h >= 0 of |features - H h|^2 (non-negative least squares).';

CREATE FUNCTION morpheus.predict(model morpheus.model, source text, id text DEFAULT NULL,
                                 attributes text[] DEFAULT NULL, foreign_keys text[] DEFAULT NULL,
                                 attribute_keys text[] DEFAULT NULL)
  RETURNS TABLE (id text, prediction float8, probability float8, class text, cluster int, projection float8[])
  AS 'MODULE_PATHNAME', 'morpheus_predict_relation'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.predict(morpheus.model, text, text, text[], text[], text[]) IS
  'Scores every row of a relation (table name or query) by the model''s feature columns (and its attribute relations, unless given): id, prediction, probability, class (training coding), cluster, projection; NULL where the kind has none.';

CREATE FUNCTION morpheus.save_model(model_name text, model morpheus.model, replace boolean DEFAULT true)
  RETURNS morpheus.model
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF model_name IS NULL OR model_name = '' THEN
    RAISE EXCEPTION 'model_name is NULL or empty'
      USING ERRCODE = '22004', HINT = 'Name the model, e.g. model_name => ''price''.';
  END IF;
  IF model IS NULL THEN
    RAISE EXCEPTION 'model is NULL' USING ERRCODE = '22004', HINT = 'Pass a model returned by a trainer.';
  END IF;
  IF replace THEN
    INSERT INTO morpheus.models AS m (name, model) VALUES (save_model.model_name, save_model.model)
      ON CONFLICT (owner, name) DO UPDATE SET model = EXCLUDED.model, saved_at = now();
  ELSE
    BEGIN
      INSERT INTO morpheus.models (name, model) VALUES (save_model.model_name, save_model.model);
    EXCEPTION WHEN unique_violation THEN
      RAISE EXCEPTION 'a model named "%" exists already', save_model.model_name
        USING ERRCODE = '23505', HINT = 'Pass replace => true, or drop it with morpheus.drop_model.';
    END;
  END IF;
  RETURN model;
END;
$$;
COMMENT ON FUNCTION morpheus.save_model(text, morpheus.model, boolean) IS
  'Saves a model under a name in morpheus.models (one name space per role; replace => false refuses to overwrite); returns the model.';

CREATE FUNCTION morpheus.load_model(model_name text)
  RETURNS morpheus.model
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  found_model morpheus.model;
BEGIN
  SELECT (m.model).* INTO found_model FROM morpheus.models m
    WHERE m.owner = current_user AND m.name = load_model.model_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no model named "%"', coalesce(load_model.model_name, 'NULL')
      USING ERRCODE = '42704', HINT = 'List your models with SELECT name FROM morpheus.models.';
  END IF;
  RETURN found_model;
END;
$$;
COMMENT ON FUNCTION morpheus.load_model(text) IS 'The model the current role saved under model_name.';

CREATE FUNCTION morpheus.drop_model(model_name text)
  RETURNS boolean
  LANGUAGE sql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
  WITH d AS (DELETE FROM morpheus.models m WHERE m.owner = current_user AND m.name = drop_model.model_name RETURNING 1)
  SELECT count(*) > 0 FROM d;
$$;
COMMENT ON FUNCTION morpheus.drop_model(text) IS 'Deletes the model the current role saved under model_name; true if there was one.';
