-- VLC scheduling: signatures, labels, results against independent SQL computations (textbook Lambertian formula,
-- Shannon rate, Jain's index, blocking pairs), reproducibility, NULLs and every bad input.
BEGIN;
SELECT plan(74);

CREATE TEMP TABLE aps AS SELECT * FROM morpheus.vlc_grid_aps();
CREATE TEMP TABLE users AS SELECT * FROM morpheus.vlc_random_users(n => 8, seed => 5);
CREATE TEMP TABLE one_ap(id int, x float8, y float8);
INSERT INTO one_ap VALUES (1, 2.5, 2.5);

-- signatures and labels
SELECT has_function('morpheus', 'vlc_channel', ARRAY['text', 'text', 'double precision', 'double precision',
  'double precision', 'double precision', 'double precision', 'double precision', 'double precision',
  'double precision', 'double precision', 'double precision']);
SELECT has_function('morpheus', f, ARRAY['text', 'text', 'text', 'integer', 'text', 'integer', 'integer',
  'double precision', 'double precision', 'double precision', 'double precision', 'double precision',
  'double precision', 'double precision', 'double precision', 'double precision', 'double precision',
  'double precision', 'text', 'double precision', 'text'])
  FROM unnest(ARRAY['vlc_schedule', 'vlc_evaluate']) f;
SELECT has_function('morpheus', 'vlc_compare', ARRAY['text', 'integer', 'integer', 'text[]', 'integer', 'text',
  'integer', 'integer', 'double precision', 'double precision', 'double precision', 'double precision',
  'double precision', 'double precision', 'double precision', 'double precision', 'double precision',
  'double precision', 'double precision', 'text', 'double precision', 'text', 'double precision']);
SELECT has_function('morpheus', f, ARRAY['integer', 'integer', 'double precision', 'double precision',
  'double precision']) FROM unnest(ARRAY['vlc_grid_aps', 'vlc_random_users']) f;
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace
             AND proname IN ('vlc_channel', 'vlc_schedule', 'vlc_evaluate', 'vlc_compare')),
          ARRAY['vufalse'], 'query-reading vlc functions are VOLATILE, PARALLEL UNSAFE, not STRICT');
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace AND proname IN ('vlc_grid_aps', 'vlc_random_users')),
          ARRAY['istrue'], 'room helpers are IMMUTABLE, PARALLEL SAFE, STRICT');

-- room helpers
SELECT is((SELECT count(*)::int FROM aps), 16, 'default grid has 16 APs');
SELECT ok((SELECT bool_and(x IN (0.625, 1.875, 3.125, 4.375) AND y IN (0.625, 1.875, 3.125, 4.375) AND z = 3)
           FROM aps), 'grid: 1.25 m pitch, 0.625 m from the walls, on the ceiling');
SELECT is((SELECT count(*)::int FROM morpheus.vlc_grid_aps(rows => 3, cols => 2)), 6, 'grid rows x cols');
SELECT results_eq('SELECT * FROM morpheus.vlc_random_users(n => 8, seed => 5)', 'SELECT * FROM users',
                  'random users are reproducible with the same seed');
SELECT ok((SELECT count(*) FROM morpheus.vlc_random_users(n => 8, seed => 6) r JOIN users u USING (id)
           WHERE r.x = u.x) = 0, 'another seed gives other users');
SELECT ok((SELECT bool_and(x BETWEEN 0 AND 6 AND y BETWEEN 0 AND 4 AND z = 1)
           FROM morpheus.vlc_random_users(n => 500, seed => 1, room_width => 6, room_length => 4, height => 1)),
          'random users lie inside the room on the receiver plane');
SELECT is((SELECT count(*)::int FROM morpheus.vlc_random_users(n => NULL)), 0, 'STRICT: NULL n gives no rows');

-- channel against the textbook formula H = (m+1) A g h^(m+1) / (2 pi d^(m+3)), m = 1, g = 3, inside the FOV
SELECT is((SELECT count(*)::int FROM morpheus.vlc_channel(ap_sql => 'SELECT * FROM aps',
                                                         user_sql => 'SELECT * FROM users')), 128,
          'one channel row per AP-user pair');
SELECT ok((SELECT max(abs(c.gain - CASE WHEN atan2(sqrt((a.x-u.x)^2 + (a.y-u.y)^2), 2.15) <= radians(60)
                                   THEN 2 * 1e-4 * 3 * 2.15^2 / (2 * pi() * ((a.x-u.x)^2 + (a.y-u.y)^2 + 2.15^2)^2)
                                   ELSE 0 END))
           FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') c
           JOIN aps a ON a.id = c.ap_id JOIN users u ON u.id = c.user_id) < 1e-15,
          'gains equal the textbook Lambertian formula (zero outside the FOV)');
SELECT ok((SELECT bool_and(visible = (incidence_deg <= 60) AND visible = (gain > 0))
           FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users')), 'visible iff within the FOV');
SELECT ok((SELECT abs(gain - 2.06583e-5) < 1e-10 FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 2.5 AS x, 2.5 AS y')), 'reference gain directly under an LED (60 degrees)');
SELECT ok((SELECT abs(gain - 1.70024e-5) < 1e-10 FROM morpheus.vlc_channel(
             'SELECT 1 AS id, 2.5 AS x, 2.5 AS y, 70 AS semi_angle_deg', 'SELECT 1 AS id, 2.5 AS x, 2.5 AS y')),
          'per-row semi_angle_deg (70 degrees) overrides the default');
SELECT ok((SELECT abs(gain - 1.52789e-5) < 1e-10 FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 2.5 AS x, 2.5 AS y, 0.5 AS z')), 'per-row z: gain at h = 2.5 m');
SELECT ok((SELECT array_agg(gain > 0 ORDER BY user_id) = '{t,f}' FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 3.741 AS x, 2.5 AS y, NULL::float8 AS fov_deg UNION ALL SELECT 2, 3.741, 2.5, 20')),
          'per-row fov_deg (NULL = default 60): a 30-degree incidence is inside 60 degrees, outside 20');

-- schedule: one user under one AP (reference SNR 37.78 dB, 251.0 Mb/s)
SELECT ok((SELECT abs(rate_bps - 251.0e6) < 0.1e6 AND abs(sinr_db - 37.78) < 0.01 AND ap_ids = '{1}'
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x, 2.5 AS y')),
          'single user under one AP: reference SNR and Shannon rate');
CREATE TEMP TABLE sm AS SELECT * FROM morpheus.vlc_schedule(ap_sql => 'SELECT * FROM aps',
                                                            user_sql => 'SELECT * FROM users');
SELECT is((SELECT count(*)::int FROM sm), 8, 'one schedule row per user');
SELECT is((SELECT count(*) FROM sm, unnest(ap_ids) a), (SELECT count(DISTINCT a) FROM sm, unnest(ap_ids) a),
          'amorphous cells are disjoint: every AP serves at most one user');
SELECT ok((SELECT max(abs(sinr - signal / (interference + noise_var)) / sinr) FROM sm WHERE sinr > 0) < 1e-12,
          'sinr = signal / (interference + noise)');
SELECT ok((SELECT max(abs(rate_bps - 20e6 * log(2, (1 + sinr)::numeric)::float8)) FROM sm) < 1e-3,
          'rate = B log2(1 + SINR)');
SELECT ok((SELECT bool_and(abs(noise_var - 2e-14) < 1e-26) FROM sm), 'noise = N0 B');
-- stability with gain preferences and no quota: no blocking pair (a, u) means every AP visible to somebody serves
-- its strongest visible user, computed here from vlc_channel
SELECT is_empty($$
  WITH ch AS (SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') WHERE visible),
       served AS (SELECT a AS ap_id, user_id FROM sm, unnest(ap_ids) a)
  SELECT c.ap_id, c.user_id FROM ch c LEFT JOIN served s ON s.ap_id = c.ap_id
  WHERE s.user_id IS DISTINCT FROM c.user_id
    AND (s.user_id IS NULL OR c.gain > (SELECT gain FROM ch WHERE ch.ap_id = c.ap_id AND ch.user_id = s.user_id))
$$, 'stable_marriage output has no blocking pair (checked in SQL)');
SELECT ok((SELECT max(cardinality(ap_ids)) FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
           quota => 1)) = 1, 'quota => 1 limits every cell to one AP');
SELECT ok((SELECT bool_and(cardinality(ap_ids) <= 2) FROM morpheus.vlc_schedule('SELECT * FROM aps',
           'SELECT *, 2 AS quota FROM users', method => 'stable_marriage_ap')), 'per-row quota column');
SELECT ok((SELECT bool_and(cardinality(ap_ids) = 1 AND abs(time_share * n - 1) < 1e-12)
           FROM (SELECT *, count(*) OVER (PARTITION BY ap_ids) AS n
                 FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => 'tdma')) t),
          'tdma: one AP per user, shared round-robin');
SELECT ok((SELECT abs(noise_var - (1.333e-13 + 2 * 1.602176634e-19 * 0.53 * 2.06583e-5 * 100e6)) < 0.001e-13
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x, 2.5 AS y',
                                      noise => 'komine', bandwidth_hz => 100e6)),
          'komine noise: thermal + background shot + signal shot');
SELECT ok((SELECT abs(rate_bps - 10e6 * log(2, (1 + exp(1) / (2 * pi()) * sinr)::numeric)::float8) < 1e-3
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x, 2.5 AS y',
                                      rate => 'intensity_bound')), 'intensity-modulation rate bound');

-- evaluate against the schedule
SELECT ok((SELECT abs(e.sum_rate_bps - s.total) < 1e-3 AND abs(e.jain - s.jain) < 1e-12
                  AND e.served_fraction = s.served AND e.users = 8 AND e.aps = 16 AND e.messages > 0 AND e.rounds > 0
           FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users') e,
                (SELECT sum(rate_bps) AS total, sum(rate_bps)^2 / (count(*) * sum(rate_bps^2)) AS jain,
                        avg((cardinality(ap_ids) > 0)::int) AS served FROM sm) s),
          'evaluate: sum rate, Jain index and served fraction of the schedule');
SELECT ok((SELECT bool_and(e.sum_rate_bps <= x.sum_rate_bps * (1 + 1e-9))
           FROM unnest(ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'conflict_graph']) m,
                morpheus.vlc_evaluate('SELECT * FROM aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM users WHERE id <= 3',
                                      method => m) e,
                morpheus.vlc_evaluate('SELECT * FROM aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM users WHERE id <= 3',
                                      method => 'exhaustive') x), 'no method beats the exhaustive optimum');

-- compare
CREATE TEMP TABLE cmp AS SELECT * FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM aps', n_users => 6, drops => 20,
                                                            seed => 3);
SELECT is((SELECT array_agg(method) FROM cmp),
          ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'reuse', 'conflict_graph'],
          'compare: one row per default method, in order');
SELECT results_eq('SELECT method, sum_rate_bps, jain, messages FROM cmp',
                  $$SELECT method, sum_rate_bps, jain, messages FROM morpheus.vlc_compare('SELECT * FROM aps',
                    n_users => 6, drops => 20, seed => 3)$$, 'compare is reproducible with the same seed');
SELECT ok((SELECT bool_and(jain BETWEEN 1.0 / 6 - 1e-12 AND 1 + 1e-12 AND served_fraction BETWEEN 0 AND 1) FROM cmp),
          'compare: Jain index in [1/K, 1], served fraction in [0, 1]');

-- NULLs and bad inputs
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule(NULL, 'SELECT * FROM users')$$, '22004',
                 'ap_sql must not be NULL', 'NULL ap_sql');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => NULL)$$,
                 '22004', 'method must not be NULL', 'NULL method');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users', power_w => NULL)$$,
                 '22004', 'power_w must not be NULL', 'NULL power_w');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT NULL::int AS id, 1 AS x, 1 AS y')$$,
                 '22004', NULL, 'NULL user id');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => 'best')$$,
                 '22023', 'unknown method "best"', 'unknown method');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', noise => 'pink')$$,
                 '22023', 'unknown noise "pink"', 'unknown noise model');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', rate => 'x')$$,
                 '22023', 'unknown rate "x"', 'unknown rate form');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users',
                   ap_preference => 'x')$$, '22023', 'unknown ap_preference "x"', 'unknown AP preference');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps UNION ALL SELECT * FROM aps',
                   'SELECT * FROM users')$$, '22023', 'ap_sql returned id 1 more than once', 'duplicate AP ids');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT 4 AS id, 1 AS x, 1 AS y
                   UNION ALL SELECT 4, 2, 2')$$, '22023', 'user_sql returned id 4 more than once', 'duplicate user ids');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT 1 AS id, 7 AS x, 1 AS y')$$,
                 '22023', 'user id 1 at (7, 1, 0.85) is outside the room 5 x 5 x 3 m', 'user outside the room');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT 1 AS id, ''NaN''::float8 AS x,
                   1 AS y')$$, '22023', 'user id 1 at (nan, 1, 0.85) is outside the room 5 x 5 x 3 m',
                 'NaN coordinate');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT *, -1 AS power_w FROM one_ap', 'SELECT * FROM users')$$,
                 '22023', 'AP id 1 has power_w = -1; it must be positive', 'negative power (per row)');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT * FROM users',
                   power_w => -2)$$, '22023', 'AP id 1 has power_w = -2; it must be positive', 'negative power');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps WHERE false', 'SELECT * FROM users')$$,
                 '22023', 'ap_sql returned no rows', 'empty AP table');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users WHERE false')$$,
                 '22023', 'user_sql returned no rows', 'empty user table');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT id, x FROM users')$$,
                 '42703', NULL, 'missing column y');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT id, x, ''a''::text AS y FROM users')$$,
                 '42804', NULL, 'mistyped column y');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT 10000000000 AS id, 1 AS x, 1 AS y', 'SELECT * FROM users')$$,
                 '22003', NULL, 'id outside the int range');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users', fov_deg => 100)$$,
                 '22023', 'user id 1 fov_deg must be in (0, 90] degrees; got 100', 'field of view over 90 degrees');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users', semi_angle_deg => 90)$$,
                 '22023', 'AP id 1 semi_angle_deg must be in (0, 90) degrees; got 90', 'semi-angle of 90 degrees');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', quota => -1)$$,
                 '22023', 'quota must be >= 0 or NULL; got -1', 'negative quota');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => 'reuse',
                   reuse_factor => 7)$$, '22023', 'reuse_factor must be 1, 2, 3 or 4; got 7', 'bad reuse factor');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', n0 => 0)$$,
                 '22023', 'n0 must be a positive finite number; got 0', 'zero noise density');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                   method => 'exhaustive')$$, '54000', NULL, 'exhaustive search over the size limit');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', drops => 0)$$, '22023',
                 'drops must be in [1, 1000000]; got 0', 'zero drops');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', methods => '{}')$$, '22023',
                 'methods is empty', 'empty method list');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', methods => ARRAY['tdma', NULL])$$,
                 '22004', 'methods[2] is NULL', 'NULL in the method list');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', methods => ARRAY['tdma', 'nope'])$$,
                 '22023', 'unknown method "nope"', 'unknown method in the list');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', n_users => 0)$$, '22023',
                 'n_users must be in [1, 100000]; got 0', 'zero users');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_grid_aps(rows => 0)$$, '22023',
                 'rows and cols must be >= 1 with rows * cols <= 1000000; got rows = 0, cols = 4', 'empty grid');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_random_users(n => 0)$$, '22023', 'n must be in [1, 1000000]; got 0',
                 'zero random users');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_random_users(n => 3, room_width => -1)$$, '22023',
                 'room_width must be a positive finite number; got -1', 'negative room width');

-- statement_timeout stops the long loops (Monte Carlo drops, exhaustive search) with PostgreSQL's own error
CREATE FUNCTION pg_temp.timed(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN SQLSTATE || ' after ' || CASE WHEN clock_timestamp() - t0 < interval '5 s' THEN 'under 5 s' ELSE 'too long' END;
END $$;
SET statement_timeout = '100ms';
SELECT pg_temp.timed($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', n_users => 200, drops => 1000000)$$)
  AS r1 \gset
SELECT pg_temp.timed($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps WHERE id <= 9',
                       'SELECT g AS id, 2.5 AS x, 2 + g / 10.0 AS y FROM generate_series(1, 5) g',
                       method => 'exhaustive')$$) AS r2 \gset
RESET statement_timeout;
SELECT is(:'r1'::text, '57014 after under 5 s', 'statement_timeout cancels vlc_compare promptly');
SELECT is(:'r2'::text, '57014 after under 5 s', 'statement_timeout cancels the exhaustive search promptly');

SELECT * FROM finish();
ROLLBACK;
