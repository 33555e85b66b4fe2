-- Median time (ms) of one morpheus.matmul(a, a) call on an n x n matrix from SQL; psql variables n and reps.
-- The matrix is read from a table column each call, as a user's query would.
CREATE TEMP TABLE m AS
  SELECT array_agg(r ORDER BY i) AS a
  FROM (SELECT i, array_agg(random() ORDER BY j) AS r
        FROM generate_series(1, :n) i, generate_series(1, :n) j GROUP BY i) t;
CREATE FUNCTION pg_temp.time_matmul(reps int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; ts float8[] := '{}'; ok boolean;
BEGIN
  PERFORM morpheus.matmul(a, a) FROM m;  -- loads the library, warms caches
  FOR k IN 1..5 LOOP
    t0 := clock_timestamp();
    FOR i IN 1..reps LOOP
      SELECT morpheus.matmul(a, a) IS NOT NULL INTO ok FROM m;
    END LOOP;
    ts := ts || (extract(epoch FROM clock_timestamp() - t0) * 1000 / reps);
  END LOOP;
  RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(ts) v);
END $$;
SELECT pg_temp.time_matmul(:reps);
