-- morpheus demo, part 70: VLC scheduling. LED access points and users live in tables; a scheduling job runs slot after
-- slot from SQL, keeping each user's average rate in a table; a Monte Carlo compares the decentralized stable-marriage
-- scheduler with the centralized baselines on the same slots, with 95% intervals.
\echo '--- a 5 x 5 x 3 m room: 16 ceiling LEDs (1.25 m pitch) and 8 users walking on the 0.85 m desk plane'
CREATE TEMP TABLE demo_aps AS SELECT id, x_m, y_m, z_m, 1.0 AS power_w FROM morpheus.vlc_grid_aps(rows => 4, cols => 4);
CREATE TEMP TABLE demo_walk AS SELECT * FROM morpheus.vlc_random_walk(n => 8, slots => 6, step_m => 0.3, seed => 42);
SELECT id, round(x_m::numeric, 2) AS x_m, round(y_m::numeric, 2) AS y_m FROM demo_walk WHERE slot = 1 ORDER BY id;

\echo '--- coverage: LEDs each user sees, SNR of its best LED and of all of them, users it overlaps with'
SELECT user_id, visible_aps, best_ap_id, round(best_snr_db::numeric, 1) AS best_snr_db,
       round(all_snr_db::numeric, 1) AS all_snr_db, overlap_users
FROM morpheus.vlc_coverage('SELECT * FROM demo_aps', 'SELECT id, x_m, y_m FROM demo_walk WHERE slot = 1')
ORDER BY user_id;

\echo '--- a scheduling job: one vlc_step per slot (users at their current positions), state kept in demo_state'
CREATE TEMP TABLE demo_state(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[],
                             average_rate_bps float8);
SELECT format($$SELECT slot, count(*) FILTER (WHERE cardinality(ap_ids) > 0) AS served,
                       round((sum(rate_bps) / 1e6)::numeric, 1) AS sum_mbps, count(*) FILTER (WHERE handover) AS handovers
                FROM morpheus.vlc_step('SELECT * FROM demo_aps',
                                       'SELECT id, x_m, y_m FROM demo_walk WHERE slot = %s', 'demo_state', quota => 2)
                GROUP BY slot$$, s)
FROM generate_series(1, 6) s \gexec

\echo '--- which LEDs serve whom now, and each user''s proportional-fair average'
SELECT user_id, slot, ap_ids, round((average_rate_bps / 1e6)::numeric, 1) AS avg_mbps FROM demo_state ORDER BY user_id;

\echo '--- the same walk scheduled in one call, under each method (time-averaged over the 6 slots)'
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 1) AS sum_mbps, round(jain::numeric, 3) AS jain,
       round(served_fraction_slot::numeric, 2) AS served_per_slot, round(lit_aps::numeric, 1) AS lit_leds,
       round(messages::numeric, 1) AS messages_per_slot, round(handovers::numeric, 2) AS handovers_per_slot
FROM unnest(ARRAY['stable_marriage', 'tdma', 'tdma_all', 'reuse', 'conflict_graph', 'single_user', 'user_centric']) m,
     morpheus.vlc_evaluate('SELECT * FROM demo_aps', 'SELECT DISTINCT id FROM demo_walk', method => m, slots => 6,
                           trajectory_sql => 'SELECT * FROM demo_walk', quota => 2,
                           ap_preference => 'proportional_fair');

\echo '--- Monte Carlo: 100 seeded drops of 16 users, 20 slots; sum rate and Jain with 95% intervals, ratio to SM'
SELECT method, metric, round((mean / CASE WHEN metric = 'jain' THEN 1 ELSE 1e6 END)::numeric, 3) AS mean,
       round((ci95_low / CASE WHEN metric = 'jain' THEN 1 ELSE 1e6 END)::numeric, 3) AS lo,
       round((ci95_high / CASE WHEN metric = 'jain' THEN 1 ELSE 1e6 END)::numeric, 3) AS hi,
       round(ratio::numeric, 3) AS ratio_to_sm
FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM demo_aps', n_users => 16, drops => 100, slots => 20,
                          methods => ARRAY['stable_marriage', 'tdma', 'conflict_graph', 'user_centric'],
                          ap_preference => 'proportional_fair', seed => 1)
WHERE metric IN ('sum_rate_bps', 'jain') ORDER BY metric, method;

\echo '--- bad input is an ERROR with a hint, never a crash'
\set ON_ERROR_STOP 0
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM demo_aps', 'SELECT id, x_m, y_m FROM demo_walk WHERE slot = 1',
                                    method => 'magic');
\set ON_ERROR_STOP 1
