-- morpheus demo, part 70: VLC scheduling. LED access points and users live in tables; one call schedules a slot,
-- another compares the decentralized stable-marriage scheduler with the centralized baselines.
\echo '--- a 5 x 5 x 3 m room: 16 ceiling LEDs (1.25 m pitch) and 8 users on the 0.85 m desk plane'
CREATE TEMP TABLE demo_aps AS SELECT id, x, y, z, 1.0 AS power_w FROM morpheus.vlc_grid_aps(rows => 4, cols => 4);
CREATE TEMP TABLE demo_users AS SELECT id, x, y FROM morpheus.vlc_random_users(n => 8, seed => 42);
SELECT id, round(x::numeric, 2) AS x, round(y::numeric, 2) AS y FROM demo_users ORDER BY id;

\echo '--- stable-marriage schedule (user-proposing deferred acceptance, at most 2 LEDs per user)'
SELECT user_id, ap_ids, round(sinr_db::numeric, 1) AS sinr_db, round((rate_bps / 1e6)::numeric, 1) AS mbps
FROM morpheus.vlc_schedule(ap_sql => 'SELECT * FROM demo_aps', user_sql => 'SELECT * FROM demo_users', quota => 2)
ORDER BY user_id;

\echo '--- this slot under every method'
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 1) AS sum_mbps, round(jain::numeric, 3) AS jain,
       served_fraction AS served, messages, rounds, round(compute_ms::numeric, 3) AS ms
FROM unnest(ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'reuse', 'conflict_graph']) m,
     morpheus.vlc_evaluate('SELECT * FROM demo_aps', 'SELECT * FROM demo_users', method => m, quota => 2);

\echo '--- Monte Carlo comparison: 500 seeded drops of 8 users'
SELECT method, round((sum_rate_bps / 1e6)::numeric, 1) AS sum_mbps, round(jain::numeric, 3) AS jain,
       round(served_fraction::numeric, 3) AS served, round(messages::numeric, 1) AS messages,
       round(rounds::numeric, 1) AS rounds, round(compute_ms::numeric, 4) AS ms
FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM demo_aps', n_users => 8, drops => 500, quota => 2, seed => 1);

\echo '--- bad input is an ERROR with a hint, never a crash'
\set ON_ERROR_STOP 0
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM demo_aps', 'SELECT * FROM demo_users', method => 'magic');
\set ON_ERROR_STOP 1
