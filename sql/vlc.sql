-- VLC scheduling examples: a 4 x 4 LED grid in a 5 x 5 x 3 m room, users on the 0.85 m receiver plane.
SET extra_float_digits = 0;
CREATE TABLE vlc_aps AS SELECT * FROM morpheus.vlc_grid_aps(rows => 4, cols => 4);
CREATE TABLE vlc_users(id int PRIMARY KEY, x_m float8, y_m float8);
INSERT INTO vlc_users VALUES (1, 0.7, 0.6), (2, 1.9, 1.8), (3, 4.4, 0.7), (4, 2.5, 4.2), (5, 3.1, 3.1);

SELECT id, x_m, y_m, z_m FROM vlc_aps ORDER BY id LIMIT 5;

-- channel gains (x 1e-6) of user 2, strongest first; H = 0 beyond the 60 degree field of view
SELECT ap_id, round(distance_m::numeric, 3) AS d_m, round(incidence_deg::numeric, 1) AS psi_deg,
       round((gain * 1e6)::numeric, 4) AS gain_e6, visible
FROM morpheus.vlc_channel(ap_sql => 'SELECT * FROM vlc_aps', user_sql => 'SELECT * FROM vlc_users')
WHERE user_id = 2 ORDER BY gain DESC, ap_id LIMIT 6;

-- reference value: directly under an LED, h = 2.15 m, semi-angle 60 -> H = 2.06583e-5
SELECT round((gain * 1e5)::numeric, 5) AS gain_e5
FROM morpheus.vlc_channel('SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m', 'SELECT 1 AS id, 2.5 AS x_m, 2.5 AS y_m');

-- decentralized stable marriage (user-proposing), at most 2 APs per user: the cells of 0.1.0
SELECT user_id, ap_ids, round(sinr_db::numeric, 2) AS sinr_db, round((rate_bps / 1e6)::numeric, 2) AS rate_mbps
FROM morpheus.vlc_schedule(ap_sql => 'SELECT * FROM vlc_aps', user_sql => 'SELECT * FROM vlc_users', quota => 2)
ORDER BY user_id;

-- admission: users propose only to LEDs within 0.6 of their best gain; LEDs nobody proposes to stay dark
SELECT user_id, ap_ids, round(sinr_db::numeric, 2) AS sinr_db, round((rate_bps / 1e6)::numeric, 2) AS rate_mbps
FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', admission_ratio => 0.6)
ORDER BY user_id;

-- proportional-fair stable marriage slot after slot: the LED ranks proposals by gain over the user's average rate
SELECT slot, user_id, ap_ids, round((rate_bps / 1e6)::numeric, 1) AS mbps,
       round((average_rate_bps / 1e6)::numeric, 2) AS avg_mbps, handover
FROM morpheus.vlc_schedule_slots('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', slots => 3, quota => 2,
                                 ap_preference => 'proportional_fair')
ORDER BY slot, user_id;

-- every method over the same 20 slots (compute_ms varies and is left out)
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 1) AS sum_mbps, round(jain::numeric, 3) AS jain,
       round((p5_rate_bps / 1e6)::numeric, 1) AS p5_mbps, round(served_fraction_slot::numeric, 2) AS served_slot,
       round(lit_aps::numeric, 2) AS lit, round(messages::numeric, 2) AS messages, round(bits::numeric, 1) AS bits
FROM unnest(ARRAY['stable_marriage', 'stable_marriage_ap', 'tdma', 'tdma_all', 'reuse', 'conflict_graph',
                  'single_user', 'user_centric']) m,
     morpheus.vlc_evaluate('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', method => m, slots => 20,
                           ap_preference => 'proportional_fair');

-- the exhaustive single-slot optimum on a small instance (4 APs, 3 users) is never beaten
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 2) AS sum_mbps
FROM unnest(ARRAY['exhaustive', 'stable_marriage', 'user_centric', 'tdma']) m,
     morpheus.vlc_evaluate('SELECT * FROM vlc_aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM vlc_users WHERE id <= 3',
                           method => m);

-- coverage report
SELECT user_id, visible_aps, best_ap_id, round(best_snr_db::numeric, 2) AS best_snr_db,
       round(all_snr_db::numeric, 2) AS all_snr_db, overlap_users
FROM morpheus.vlc_coverage('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users') ORDER BY user_id;

-- a scheduling job: the state table keeps which LEDs serve whom and each user's average rate
CREATE TABLE vlc_state(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[], average_rate_bps float8);
SELECT slot, user_id, ap_ids, round((rate_bps / 1e6)::numeric, 1) AS mbps, handover
FROM morpheus.vlc_step('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', state_table => 'vlc_state', quota => 2);
SELECT slot, user_id, ap_ids, round((rate_bps / 1e6)::numeric, 1) AS mbps, handover
FROM morpheus.vlc_step('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', state_table => 'vlc_state', quota => 2);
SELECT user_id, slot, ap_ids, round((average_rate_bps / 1e6)::numeric, 2) AS avg_mbps FROM vlc_state ORDER BY 1;

-- Monte Carlo: 20 seeded drops of 8 users, 10 slots; means with 95% intervals and paired ratios to the first method
SELECT method, round((mean / 1e6)::numeric, 1) AS sum_mbps, round((ci95_low / 1e6)::numeric, 1) AS lo,
       round((ci95_high / 1e6)::numeric, 1) AS hi, round(ratio::numeric, 3) AS ratio,
       round(ratio_ci95_low::numeric, 3) AS ratio_lo, round(ratio_ci95_high::numeric, 3) AS ratio_hi
FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM vlc_aps', n_users => 8, drops => 20, slots => 10, seed => 7,
                          methods => ARRAY['stable_marriage', 'tdma', 'user_centric'],
                          ap_preference => 'proportional_fair')
WHERE metric = 'sum_rate_bps';

-- planning: which FOV and LED grid give 95% of 10 users 40 Mb/s
SELECT fov_deg, leds_per_side, pitch_m, round((p5_rate_bps / 1e6)::numeric, 1) AS p5_mbps, meets_target
FROM morpheus.vlc_planning_sweep(target_bps => 40e6, n_users => 10, fov_deg_list => '{30,60}',
                                 leds_per_side_list => '{3,4}', drops => 5, slots => 10,
                                 ap_preference => 'proportional_fair')
ORDER BY 1, 2;

-- bad input: an unknown method lists the valid ones
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', method => 'greedy');
-- a user outside the room
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT 9 AS id, 5.5 AS x_m, 1 AS y_m');
-- a gap in a trajectory
SELECT * FROM morpheus.vlc_schedule_slots('SELECT * FROM vlc_aps', 'SELECT id FROM vlc_users', slots => 2,
  trajectory_sql => 'SELECT 1 AS slot, id, x_m, y_m FROM vlc_users');

DROP TABLE vlc_aps, vlc_users, vlc_state;
