-- VLC scheduling: signatures, labels, results against independent SQL computations (textbook Lambertian formula with
-- tilt, Shannon rate, Jain's index, blocking pairs, proportional-fair averages, handovers), the stateful step against
-- the batch schedule, reproducibility, NULLs and every bad input.
BEGIN;
SELECT plan(119);

CREATE TEMP TABLE aps AS SELECT * FROM morpheus.vlc_grid_aps();
CREATE TEMP TABLE users AS SELECT * FROM morpheus.vlc_random_users(n => 8, seed => 5);
CREATE TEMP TABLE one_ap(id int, x_m float8, y_m float8);
INSERT INTO one_ap VALUES (1, 2.5, 2.5);

-- surface and labels
SELECT ok(EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace = 'morpheus'::regnamespace AND proname = f), f)
  FROM unnest(ARRAY['vlc_channel', 'vlc_schedule', 'vlc_schedule_slots', 'vlc_evaluate', 'vlc_step', 'vlc_compare',
                    'vlc_coverage', 'vlc_planning_sweep', 'vlc_grid_aps', 'vlc_random_users', 'vlc_random_walk']) f;
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace AND proname LIKE '%vlc%'
             AND proname NOT IN ('vlc_grid_aps', 'vlc_random_users', 'vlc_random_walk')),
          ARRAY['vufalse'], 'query-reading vlc functions are VOLATILE, PARALLEL UNSAFE, not STRICT');
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace
             AND proname IN ('vlc_grid_aps', 'vlc_random_users', 'vlc_random_walk')),
          ARRAY['istrue'], 'room helpers are IMMUTABLE, PARALLEL SAFE, STRICT');
SELECT is_empty($$SELECT proname FROM pg_proc WHERE pronamespace = 'morpheus'::regnamespace AND proname LIKE '%vlc%'
                   AND (prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c') OR proconfig IS NOT NULL)$$,
                'vlc functions are C functions that resolve the caller''s names with the caller''s search_path');
SELECT is_empty($$SELECT p.proname, a FROM pg_proc p, unnest(p.proargnames) a
                   WHERE p.pronamespace = 'morpheus'::regnamespace AND p.proname LIKE '%vlc%'
                     AND a IN ('room_width', 'room_length', 'room_height', 'height', 'user_height', 'x', 'y', 'z')$$,
                'lengths carry _m in every vlc argument and column (0.2.0 vocabulary)');

-- room helpers
SELECT is((SELECT count(*)::int FROM aps), 16, 'default grid has 16 APs');
SELECT ok((SELECT bool_and(x_m IN (0.625, 1.875, 3.125, 4.375) AND y_m IN (0.625, 1.875, 3.125, 4.375) AND z_m = 3)
           FROM aps), 'grid: 1.25 m pitch, 0.625 m from the walls, on the ceiling');
SELECT results_eq('SELECT * FROM morpheus.vlc_random_users(n => 8, seed => 5)', 'SELECT * FROM users',
                  'random users are reproducible with the same seed');
SELECT ok((SELECT count(*) FROM morpheus.vlc_random_users(n => 8, seed => 6) r JOIN users u USING (id)
           WHERE r.x_m = u.x_m) = 0, 'another seed gives other users');
SELECT ok((SELECT bool_and(x_m BETWEEN 0 AND 6 AND y_m BETWEEN 0 AND 4 AND z_m = 1)
           FROM morpheus.vlc_random_users(n => 500, seed => 1, room_width_m => 6, room_length_m => 4, height_m => 1)),
          'random users lie inside the room on the receiver plane');
SELECT is((SELECT count(*)::int FROM morpheus.vlc_random_users(n => NULL)), 0, 'STRICT: NULL n gives no rows');
CREATE TEMP TABLE walk AS SELECT * FROM morpheus.vlc_random_walk(n => 5, slots => 30, step_m => 0.1, seed => 3);
SELECT is((SELECT count(*)::int FROM walk), 150, 'random walk: one row per user and slot');
SELECT ok((SELECT max(sqrt((w.x_m - p.x_m)^2 + (w.y_m - p.y_m)^2)) <= 0.1 + 1e-9
           FROM walk w JOIN walk p ON p.id = w.id AND p.slot = w.slot - 1), 'random walk: at most step_m per slot');

-- channel against the textbook formula H = (m+1) A g h^(m+1) / (2 pi d^(m+3)), m = 1, g = 3, inside the FOV
SELECT is((SELECT count(*)::int FROM morpheus.vlc_channel(ap_sql => 'SELECT * FROM aps',
                                                         user_sql => 'SELECT * FROM users')), 128,
          'one channel row per AP-user pair');
SELECT ok((SELECT max(abs(c.gain - CASE WHEN atan2(sqrt((a.x_m-u.x_m)^2 + (a.y_m-u.y_m)^2), 2.15) <= radians(60)
                      THEN 2 * 1e-4 * 3 * 2.15^2 / (2 * pi() * ((a.x_m-u.x_m)^2 + (a.y_m-u.y_m)^2 + 2.15^2)^2)
                      ELSE 0 END))
           FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') c
           JOIN aps a ON a.id = c.ap_id JOIN users u ON u.id = c.user_id) < 1e-15,
          'gains equal the textbook Lambertian formula (zero outside the FOV)');
SELECT ok((SELECT bool_and(visible = (incidence_deg <= 60) AND visible = (gain > 0))
           FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users')), 'visible iff within the FOV');
SELECT ok((SELECT abs(gain - 2.06583e-5) < 1e-10 FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m')), 'reference gain directly under an LED (60 degrees)');
SELECT ok((SELECT abs(gain - 1.70024e-5) < 1e-10 FROM morpheus.vlc_channel(
             'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m, 70 AS semi_angle_deg', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m')),
          'per-row semi_angle_deg (70 degrees) overrides the default');
SELECT ok((SELECT abs(gain - 1.52789e-5) < 1e-10 FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m, 0.5 AS z_m')), 'per-row z_m: gain at h = 2.5 m');
SELECT ok((SELECT array_agg(gain > 0 ORDER BY user_id) = '{t,f}' FROM morpheus.vlc_channel('SELECT * FROM one_ap',
             'SELECT 1 AS id, 3.741 AS x_m, 2.5 AS y_m, NULL::float8 AS fov_deg UNION ALL SELECT 2, 3.741, 2.5, 20')),
          'per-row fov_deg (NULL = default 60): a 30-degree incidence is inside 60 degrees, outside 20');
-- tilt: receiver 1 m off axis, normal tilted t degrees towards azimuth az; cos psi = n . (LED - receiver) / d
SELECT ok((SELECT max(abs(c.gain - CASE WHEN cpsi >= cos(radians(60))
                                   THEN 2 * 1e-4 / (2 * pi() * d * d) * (2.15 / d) * 3 * cpsi ELSE 0 END))
           FROM (SELECT t, az, sqrt(1 + 2.15^2) AS d,
                        (-sin(radians(t)) * cos(radians(az)) + 2.15 * cos(radians(t))) / sqrt(1 + 2.15^2) AS cpsi
                 FROM unnest(ARRAY[0, 20, 40, 55]) t, unnest(ARRAY[0, 90, 180]) az) x,
                LATERAL morpheus.vlc_channel('SELECT * FROM one_ap',
                  format('SELECT 1 AS id, 3.5 AS x_m, 2.5 AS y_m, %s AS tilt_deg, %s AS azimuth_deg', t, az)) c)
          < 1e-15, 'tilted receivers follow the textbook formula with cos psi = n . v / d');
SELECT ok((SELECT gain FROM morpheus.vlc_channel('SELECT * FROM one_ap', 'SELECT 1 AS id, 3.5 AS x_m, 2.5 AS y_m',
                                                 tilt_deg => 20)) <
          (SELECT gain FROM morpheus.vlc_channel('SELECT * FROM one_ap', 'SELECT 1 AS id, 3.5 AS x_m, 2.5 AS y_m')),
          'tilt_deg => is the default tilt (towards +x, away from this LED: less gain)');

-- one slot: one user under one AP (reference SNR 37.78 dB, 251.0 Mb/s); dimming scales the modulated power
SELECT ok((SELECT abs(rate_bps - 251.0e6) < 0.1e6 AND abs(sinr_db - 37.78) < 0.01 AND ap_ids = '{1}'
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m')),
          'single user under one AP: reference SNR and Shannon rate');
SELECT ok((SELECT abs(sinr_db - (37.78 + 20 * log(0.5))) < 0.01
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m',
                                      dimming => 0.5)), 'dimming 0.5 halves the modulated amplitude (-6.02 dB)');
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
SELECT is_empty($$
  WITH ch AS (SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') WHERE visible),
       best AS (SELECT user_id, max(gain) AS g FROM ch GROUP BY user_id),
       cells AS (SELECT user_id, a AS ap_id FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                                                                        admission_ratio => 0.5), unnest(ap_ids) a)
  SELECT * FROM cells c JOIN ch USING (user_id, ap_id) JOIN best b USING (user_id) WHERE ch.gain < 0.5 * b.g
$$, 'admission_ratio 0.5: nobody is served by an LED weaker than half its best');
SELECT ok((SELECT count(DISTINCT a) FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users WHERE id <= 2',
                                                               min_link_snr_db => 36), unnest(ap_ids) a)
          < (SELECT count(DISTINCT a) FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users WHERE id <= 2'),
                                                                 unnest(ap_ids) a),
          'min_link_snr_db: LEDs without a strong enough link stay dark');
SELECT ok((SELECT max(cardinality(ap_ids)) FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
           quota => 1)) = 1, 'quota => 1 limits every cell to one AP');
SELECT ok((SELECT bool_and(cardinality(ap_ids) <= 2) FROM morpheus.vlc_schedule('SELECT * FROM aps',
           'SELECT *, 2 AS quota FROM users', method => 'stable_marriage_ap')), 'per-row quota column');
SELECT ok((SELECT count(*) FILTER (WHERE cardinality(ap_ids) > 0) FROM morpheus.vlc_schedule('SELECT * FROM aps',
             'SELECT * FROM morpheus.vlc_random_users(n => 14, seed => 2)', variant => 'two_stage'))
          >= (SELECT count(*) FILTER (WHERE cardinality(ap_ids) > 0) FROM morpheus.vlc_schedule('SELECT * FROM aps',
             'SELECT * FROM morpheus.vlc_random_users(n => 14, seed => 2)')),
          'two_stage gives a cell to at least as many users here');
SELECT ok((SELECT abs(noise_var - (1.333e-13 + 2 * 1.602176634e-19 * 0.53 * 2.06583e-5 * 100e6)) < 0.001e-13
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m',
                                      noise => 'komine', bandwidth_hz => 100e6)),
          'komine noise: thermal + background shot + signal shot');
SELECT ok((SELECT abs(rate_bps - 10e6 * log(2, (1 + exp(1) / (2 * pi()) * sinr)::numeric)::float8) < 1e-3
           FROM morpheus.vlc_schedule('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m',
                                      rate_model => 'intensity_bound')), 'intensity-modulation rate bound');
SELECT ok((SELECT bool_and(e.sum_rate_bps <= x.sum_rate_bps * (1 + 1e-9))
           FROM unnest(ARRAY['stable_marriage', 'stable_marriage_ap', 'tdma', 'tdma_all', 'reuse', 'conflict_graph',
                             'single_user', 'user_centric']) m,
                morpheus.vlc_evaluate('SELECT * FROM aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM users WHERE id <= 3',
                                      method => m) e,
                morpheus.vlc_evaluate('SELECT * FROM aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM users WHERE id <= 3',
                                      method => 'exhaustive') x), 'no method beats the exhaustive optimum in a slot');

-- schedules over slots
CREATE TEMP TABLE pf AS SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM aps', 'SELECT * FROM users',
  slots => 12, ap_preference => 'proportional_fair', pf_window => 5);
SELECT is((SELECT count(*)::int FROM pf), 96, 'one row per user and slot');
SELECT ok((WITH RECURSIVE r(user_id, slot, avg) AS (
             SELECT user_id, 1, rate_bps / 5 FROM pf WHERE slot = 1
             UNION ALL
             SELECT r.user_id, r.slot + 1, 0.8 * r.avg + p.rate_bps / 5 FROM r JOIN pf p
               ON p.user_id = r.user_id AND p.slot = r.slot + 1)
           SELECT max(abs(r.avg - p.average_rate_bps)) FROM r JOIN pf p USING (user_id, slot)) < 1e-3,
          'average_rate_bps is the exponential average with weight 1 / pf_window (recomputed in SQL)');
SELECT ok((SELECT count(DISTINCT user_id) FROM pf WHERE cardinality(ap_ids) > 0) = 8,
          'proportional fair: every user is served within 12 slots');
SELECT results_eq($$SELECT slot, user_id, ap_ids, rate_bps FROM morpheus.vlc_schedule_slots('SELECT * FROM aps',
                      'SELECT * FROM users', slots => 5, ap_preference => 'random', blockage_probability => 0.3,
                      seed => 9) ORDER BY 1, 2$$,
                  $$SELECT slot, user_id, ap_ids, rate_bps FROM morpheus.vlc_schedule_slots('SELECT * FROM aps',
                      'SELECT * FROM users', slots => 5, ap_preference => 'random', blockage_probability => 0.3,
                      seed => 9) ORDER BY 1, 2$$, 'multi-slot runs with random priorities and blockage are seeded');
SELECT ok((SELECT count(*) FROM (SELECT slot, user_id, ap_ids FROM morpheus.vlc_schedule_slots('SELECT * FROM aps',
             'SELECT * FROM users', slots => 5, ap_preference => 'random', blockage_probability => 0.3, seed => 9)
           EXCEPT SELECT slot, user_id, ap_ids FROM morpheus.vlc_schedule_slots('SELECT * FROM aps',
             'SELECT * FROM users', slots => 5, ap_preference => 'random', blockage_probability => 0.3, seed => 10)) d)
          > 0, 'another seed gives another schedule');
SELECT ok((SELECT bool_and(n = 840 / load) FROM (
             SELECT s.user_id, count(*) FILTER (WHERE cardinality(s.ap_ids) > 0) AS n,
                    count(*) OVER (PARTITION BY (SELECT ap_id FROM morpheus.vlc_channel('SELECT * FROM aps',
                      'SELECT * FROM users') c WHERE c.user_id = s.user_id ORDER BY gain DESC, ap_id LIMIT 1)) AS load
             FROM morpheus.vlc_schedule_slots('SELECT * FROM aps', 'SELECT * FROM users', slots => 840,
                                              method => 'tdma') s GROUP BY s.user_id) t),
          'tdma over 840 slots: each user served 840 / (users of its strongest AP) times');
-- trajectories: a user walks from under LED 1 to under LED 2 (two LEDs 2.5 m apart), quota 1
CREATE TEMP TABLE two_aps(id int, x_m float8, y_m float8);
INSERT INTO two_aps VALUES (1, 1.25, 1.25), (2, 3.75, 1.25);
CREATE TEMP TABLE path AS SELECT s AS slot, 1 AS id, 0.5 + 0.5 * (s - 1) AS x_m, 1.25 AS y_m
  FROM generate_series(1, 9) s;
CREATE TEMP TABLE moving AS SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM two_aps',
  'SELECT 1 AS id, 1 AS quota', slots => 9, trajectory_sql => 'SELECT * FROM path', room_length_m => 2.5);
SELECT is((SELECT array_agg(ap_ids[1] ORDER BY slot) FROM moving), '{1,1,1,1,1,2,2,2,2}'::int[],
          'the serving LED follows the walking user');
SELECT is((SELECT array_agg(slot ORDER BY slot) FROM moving WHERE handover), '{6}'::int[],
          'one handover, where the serving LED changes');
SELECT is((SELECT round(handovers * 9)::int FROM morpheus.vlc_evaluate('SELECT * FROM two_aps', 'SELECT 1 AS id, 1 AS quota',
             slots => 9, trajectory_sql => 'SELECT * FROM path', room_length_m => 2.5)), 1,
          'evaluate counts the handover');
SELECT is((SELECT round(messages * 9)::int FROM morpheus.vlc_evaluate('SELECT * FROM two_aps', 'SELECT 1 AS id',
             method => 'tdma', slots => 9, trajectory_sql => 'SELECT * FROM path', room_length_m => 2.5)), 4,
          'tdma pays association (2 messages) at the start and at the change of strongest LED only');

-- evaluate summarizes the slots
SELECT ok((SELECT abs(e.sum_rate_bps - s.total) < 1e-3 AND abs(e.jain - s.jain) < 1e-12
                  AND abs(e.served_fraction_slot - s.served_slot) < 1e-12 AND e.served_fraction = s.ever
                  AND e.users = 8 AND e.aps = 16 AND e.messages > 0 AND e.rounds > 0
           FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', slots => 12,
                                      ap_preference => 'proportional_fair', pf_window => 5) e,
                (SELECT sum(r) AS total, sum(r)^2 / (count(*) * sum(r^2)) AS jain,
                        avg(served) AS served_slot, avg((ever > 0)::int) AS ever
                 FROM (SELECT user_id, avg(rate_bps) AS r, avg((cardinality(ap_ids) > 0)::int) AS served,
                              sum((cardinality(ap_ids) > 0)::int) AS ever FROM pf GROUP BY user_id) u) s),
          'evaluate: time-averaged sum rate, Jain index and served fractions of the slots');
SELECT ok((SELECT abs(p5_rate_bps - (SELECT percentile_cont(0.05) WITHIN GROUP (ORDER BY r)
                                     FROM (SELECT avg(rate_bps) AS r FROM pf GROUP BY user_id) u)) < 1e-3
           FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', slots => 12,
                                      ap_preference => 'proportional_fair', pf_window => 5)),
          'p5_rate_bps is the 5th percentile of the time-averaged user rates');

-- the stateful step equals the batch schedule, slot after slot
CREATE TEMP TABLE vlc_state(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[],
                            average_rate_bps float8);
CREATE TEMP TABLE stepped(slot int, user_id int, ap_ids int[], sinr_db float8, rate_bps float8,
                          average_rate_bps float8, handover boolean);
INSERT INTO stepped SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', 'vlc_state',
                                                    pf_window => 5);
INSERT INTO stepped SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', 'vlc_state',
                                                    pf_window => 5);
INSERT INTO stepped SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', 'vlc_state',
                                                    pf_window => 5);
SELECT results_eq('SELECT slot, user_id, ap_ids, rate_bps, average_rate_bps, handover FROM stepped ORDER BY 1, 2',
                  'SELECT slot, user_id, ap_ids, rate_bps, average_rate_bps, handover FROM pf WHERE slot <= 3
                   ORDER BY 1, 2', 'three vlc_step calls give the first three slots of vlc_schedule_slots');
SELECT results_eq('SELECT user_id, slot, ap_ids, average_rate_bps FROM vlc_state ORDER BY 1',
                  'SELECT user_id, slot, ap_ids, average_rate_bps FROM pf WHERE slot = 3 ORDER BY 1',
                  'the state table answers which LEDs serve whom now');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', 'aps')$$, '42703',
                 NULL, 'a state table without the state columns');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', NULL)$$, '22004',
                 'state_table must not be NULL', 'NULL state table');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_step('SELECT * FROM aps', 'SELECT * FROM users', 'no_such_table')$$,
                 '42P01', NULL, 'a state table that does not exist');
CREATE SCHEMA vlc_job;
CREATE TABLE vlc_job.st(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[], average_rate_bps float8);
CREATE TABLE vlc_job.room_aps AS SELECT * FROM aps;
SET LOCAL search_path = vlc_job, public;
SELECT is((SELECT count(*)::int FROM morpheus.vlc_step('SELECT * FROM room_aps', 'SELECT * FROM pg_temp.users', 'st')),
          8, 'vlc_step resolves the state table and the queries with the caller''s search_path');
RESET search_path;
SELECT is((SELECT count(*)::int FROM vlc_job.st WHERE slot = 1), 8, 'the job wrote its first slot');

-- compare: long format, 95% intervals, paired ratios
CREATE TEMP TABLE cmp AS SELECT * FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM aps', n_users => 6, drops => 12,
                                                            slots => 4, seed => 3);
SELECT is((SELECT array_agg(DISTINCT method ORDER BY method) FROM cmp),
          ARRAY['conflict_graph', 'reuse', 'single_user', 'stable_marriage', 'stable_marriage_ap', 'tdma', 'tdma_all',
                'user_centric'], 'compare: the default methods');
SELECT is((SELECT count(DISTINCT metric)::int FROM cmp), 14, 'compare: 14 metrics per method');
SELECT ok((SELECT bool_and(ci95_low <= mean AND mean <= ci95_high) FROM cmp WHERE metric <> 'compute_ms'),
          'compare: the mean lies in its 95% interval');
SELECT ok((SELECT bool_and(abs(ratio - 1) < 1e-12 AND abs(ratio_ci95_low - 1) < 1e-9) FROM cmp
           WHERE method = 'stable_marriage' AND metric IN ('sum_rate_bps', 'jain')),
          'compare: the first method has ratio 1 to itself');
SELECT ok((SELECT bool_and(mean BETWEEN 1.0 / 6 - 1e-12 AND 1 + 1e-12) FROM cmp WHERE metric = 'jain'),
          'compare: Jain index in [1/K, 1]');
SELECT results_eq($$SELECT method, metric, mean FROM cmp WHERE metric <> 'compute_ms' ORDER BY 1, 2$$,
                  $$SELECT method, metric, mean FROM morpheus.vlc_compare('SELECT * FROM aps', n_users => 6,
                    drops => 12, slots => 4, seed => 3) WHERE metric <> 'compute_ms' ORDER BY 1, 2$$,
                  'compare is reproducible with the same seed');

-- coverage
SELECT ok((SELECT bool_and(c.visible_aps = v.n AND cardinality(c.ap_ids) = v.n)
           FROM morpheus.vlc_coverage('SELECT * FROM aps', 'SELECT * FROM users') c
           JOIN (SELECT user_id, count(*) FILTER (WHERE visible) AS n
                 FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') GROUP BY user_id) v
           USING (user_id)), 'coverage: visible LEDs per user, as vlc_channel counts them');
SELECT ok((SELECT bool_and(c.overlap_users = o.n) FROM morpheus.vlc_coverage('SELECT * FROM aps',
             'SELECT * FROM users') c
           JOIN (SELECT a.user_id, count(DISTINCT b.user_id) AS n
                 FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') a
                 JOIN morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users') b
                   ON a.ap_id = b.ap_id AND a.visible AND b.visible AND a.user_id <> b.user_id
                 GROUP BY a.user_id) o USING (user_id)), 'coverage: overlapping users counted by a self-join');
SELECT ok((SELECT abs(best_snr_db - 37.78) < 0.01 AND abs(all_snr_db - best_snr_db) < 1e-9 AND best_ap_id = 1
           FROM morpheus.vlc_coverage('SELECT * FROM one_ap', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m')),
          'coverage: the reference SNR under one LED');

-- planning sweep
CREATE TEMP TABLE plan_rows AS SELECT * FROM morpheus.vlc_planning_sweep(target_bps => 0, n_users => 4,
  fov_deg_list => '{40,60}', leds_per_side_list => '{3,4}', drops => 3, slots => 3);
SELECT is((SELECT count(*)::int FROM plan_rows), 4, 'planning: one row per FOV and grid');
SELECT ok((SELECT bool_and(meets_target AND fraction_at_target = 1) FROM plan_rows), 'planning: target 0 is met');
SELECT ok((SELECT bool_and(NOT meets_target) FROM morpheus.vlc_planning_sweep(target_bps => 1e12, n_users => 4,
             fov_deg_list => '{60}', leds_per_side_list => '{4}', drops => 2, slots => 2)),
          'planning: 1 Tb/s per user is not met');
SELECT is((SELECT pitch_m FROM plan_rows WHERE leds_per_side = 4 LIMIT 1), 1.25::float8, 'planning: LED pitch');

-- NULLs and bad inputs
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule(NULL, 'SELECT * FROM users')$$, '22004',
                 'ap_sql must not be NULL', 'NULL ap_sql');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => NULL)$$,
                 '22004', 'method must not be NULL', 'NULL method');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users', power_w => NULL)$$,
                 '22004', 'power_w must not be NULL', 'NULL power_w');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps',
                   'SELECT NULL::int AS id, 1 AS x_m, 1 AS y_m')$$, '22004', NULL, 'NULL user id');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => 'greedy')$$,
                 '22023', 'unknown method "greedy"', 'unknown method (greedy moved to the tests)');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                   variant => 'three_stage')$$, '22023', 'unknown variant "three_stage"', 'unknown variant');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', noise => 'pink')$$,
                 '22023', 'unknown noise "pink"', 'unknown noise model');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users', rate_model => 'x')$$,
                 '22023', 'unknown rate_model "x"', 'unknown rate form');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_evaluate('SELECT * FROM aps', 'SELECT * FROM users',
                   ap_preference => 'x')$$, '22023', 'unknown ap_preference "x"', 'unknown AP preference');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM aps', 'SELECT * FROM users', slots => 0)$$,
                 '22023', 'slots must be in [1, 1000000]; got 0', 'zero slots');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM two_aps', 'SELECT 1 AS id', slots => 9,
                   trajectory_sql => 'SELECT * FROM path WHERE slot <> 4', room_length_m => 2.5)$$, '22023',
                 'trajectory_sql has no position of user id 1 in slot 4', 'a gap in a trajectory');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM two_aps', 'SELECT 1 AS id', slots => 2,
                   trajectory_sql => 'SELECT slot, 2 AS id, x_m, y_m FROM path', room_length_m => 2.5)$$, '22023',
                 'trajectory_sql has id 2, which user_sql does not return', 'a trajectory of an unknown user');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM two_aps', 'SELECT 1 AS id', slots => 2,
                   trajectory_sql => 'SELECT * FROM path UNION ALL SELECT * FROM path', room_length_m => 2.5)$$,
                 '22023', 'trajectory_sql has user id 1 twice in slot 1', 'a duplicate trajectory row');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM two_aps', 'SELECT 1 AS id', slots => 2)$$,
                 '42703', NULL, 'no positions and no trajectory');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                   admission_ratio => 1.5)$$, '22023', NULL, 'admission ratio over 1');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM aps', 'SELECT * FROM users',
                   pf_window => 0)$$, '22023', 'pf_window must be >= 1; got 0', 'zero averaging window');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', dimming => 0)$$,
                 '22023', 'dimming must be in (0, 1]; got 0', 'dimming 0');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                   blockage_probability => 1)$$, '22023', 'blockage_probability must be in [0, 1); got 1',
                 'certain blockage');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_channel('SELECT * FROM aps', 'SELECT * FROM users', tilt_deg => 90)$$,
                 '22023', 'user id 1 tilt_deg must be in [0, 90) degrees; got 90', 'tilt of 90 degrees');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps UNION ALL SELECT * FROM aps',
                   'SELECT * FROM users')$$, '22023', 'ap_sql returned id 1 more than once', 'duplicate AP ids');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT 1 AS id, 7 AS x_m, 1 AS y_m')$$,
                 '22023', 'user id 1 at (7, 1, 0.85) is outside the room 5 x 5 x 3 m', 'user outside the room');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT *, -1 AS power_w FROM one_ap', 'SELECT * FROM users')$$,
                 '22023', 'AP id 1 has power_w = -1; it must be positive', 'negative power (per row)');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps WHERE false', 'SELECT * FROM users')$$,
                 '22023', 'ap_sql returned no rows', 'empty AP table');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT id, x_m FROM users')$$,
                 '42703', NULL, 'missing column y_m');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT id, x_m, ''a''::text AS y_m
                   FROM users')$$, '42804', NULL, 'mistyped column y_m');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT 10000000000 AS id, 1 AS x_m, 1 AS y_m',
                   'SELECT * FROM users')$$, '22003', NULL, 'id outside the int range');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', quota => -1)$$,
                 '22023', 'quota must be >= 0 or NULL; got -1', 'negative quota');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users', method => 'reuse',
                   reuse_factor => 7)$$, '22023', 'reuse_factor must be 1, 2, 3 or 4; got 7', 'bad reuse factor');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_schedule('SELECT * FROM aps', 'SELECT * FROM users',
                   method => 'exhaustive')$$, '54000', NULL, 'exhaustive search over the size limit');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', drops => 0)$$, '22023',
                 'drops must be in [1, 1000000]; got 0', 'zero drops');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', slots => -3)$$, '22023',
                 'slots must be in [1, 1000000]; got -3', 'negative slots');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', methods => '{}')$$, '22023',
                 'methods is empty', 'empty method list');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_compare('SELECT * FROM aps', methods => ARRAY['tdma', NULL])$$,
                 '22004', 'methods[2] is NULL', 'NULL in the method list');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_planning_sweep(1e6, leds_per_side_list => '{0}')$$, '22023',
                 'leds_per_side must be in [1, 100]; got 0', 'an empty LED grid');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_grid_aps(rows => 0)$$, '22023',
                 'rows and cols must be >= 1 with rows * cols <= 1000000; got rows = 0, cols = 4', 'empty grid');
SELECT throws_ok($$SELECT * FROM morpheus.vlc_random_users(n => 3, room_width_m => -1)$$, '22023',
                 'room_width_m must be a positive finite number; got -1', 'negative room width');

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
                       'SELECT g AS id, 2.5 AS x_m, 2 + g / 10.0 AS y_m FROM generate_series(1, 5) g',
                       method => 'exhaustive')$$) AS r2 \gset
SELECT pg_temp.timed($$SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM aps', 'SELECT * FROM users',
                       slots => 1000000, method => 'user_centric')$$) AS r3 \gset
RESET statement_timeout;
SELECT is(:'r1'::text, '57014 after under 5 s', 'statement_timeout cancels vlc_compare promptly');
SELECT is(:'r2'::text, '57014 after under 5 s', 'statement_timeout cancels the exhaustive search promptly');
SELECT is(:'r3'::text, '57014 after under 5 s', 'statement_timeout cancels a long schedule promptly');

SELECT * FROM finish();
ROLLBACK;
