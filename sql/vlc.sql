-- VLC scheduling examples: a 4 x 4 LED grid in a 5 x 5 x 3 m room, users on the 0.85 m receiver plane.
SET extra_float_digits = 0;
CREATE TABLE vlc_aps AS SELECT * FROM morpheus.vlc_grid_aps(rows => 4, cols => 4);
CREATE TABLE vlc_users(id int PRIMARY KEY, x float8, y float8);
INSERT INTO vlc_users VALUES (1, 0.7, 0.6), (2, 1.9, 1.8), (3, 4.4, 0.7), (4, 2.5, 4.2), (5, 3.1, 3.1);

SELECT id, x, y, z FROM vlc_aps ORDER BY id LIMIT 5;

-- channel gains (x 1e-6) of user 2, strongest first; H = 0 beyond the 60 degree field of view
SELECT ap_id, round(distance_m::numeric, 3) AS d_m, round(incidence_deg::numeric, 1) AS psi_deg,
       round((gain * 1e6)::numeric, 4) AS gain_e6, visible
FROM morpheus.vlc_channel(ap_sql => 'SELECT * FROM vlc_aps', user_sql => 'SELECT * FROM vlc_users')
WHERE user_id = 2 ORDER BY gain DESC, ap_id LIMIT 6;

-- reference value: directly under an LED, h = 2.15 m, semi-angle 60 -> H = 2.06583e-5
SELECT round((gain * 1e5)::numeric, 5) AS gain_e5
FROM morpheus.vlc_channel('SELECT 1 AS id, 2.5 AS x, 2.5 AS y', 'SELECT 1 AS id, 2.5 AS x, 2.5 AS y');

-- decentralized stable marriage (user-proposing), at most 2 APs per user
SELECT user_id, ap_ids, round(sinr_db::numeric, 2) AS sinr_db, round((rate_bps / 1e6)::numeric, 2) AS rate_mbps
FROM morpheus.vlc_schedule(ap_sql => 'SELECT * FROM vlc_aps', user_sql => 'SELECT * FROM vlc_users', quota => 2)
ORDER BY user_id;

-- network-centric TDMA baseline: strongest AP, round-robin
SELECT user_id, ap_ids, round(time_share::numeric, 3) AS share, round((rate_bps / 1e6)::numeric, 2) AS rate_mbps
FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', method => 'tdma')
ORDER BY user_id;

-- one summary row per method (compute_ms varies and is left out)
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 2) AS sum_mbps, round(jain::numeric, 4) AS jain,
       served_fraction, active_aps, messages, rounds
FROM unnest(ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'reuse', 'conflict_graph']) m,
     morpheus.vlc_evaluate('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', method => m, quota => 2);

-- the exhaustive optimum on a small instance (4 APs, 3 users) is never beaten
SELECT m AS method, round((sum_rate_bps / 1e6)::numeric, 2) AS sum_mbps
FROM unnest(ARRAY['exhaustive', 'stable_marriage', 'greedy', 'tdma']) m,
     morpheus.vlc_evaluate('SELECT * FROM vlc_aps WHERE id IN (1, 2, 5, 6)', 'SELECT * FROM vlc_users WHERE id <= 3',
                           method => m);

-- Monte Carlo comparison over 50 seeded drops of 8 users
SELECT method, round((sum_rate_bps / 1e6)::numeric, 1) AS sum_mbps, round(jain::numeric, 3) AS jain,
       round(served_fraction::numeric, 3) AS served, round(messages::numeric, 1) AS messages,
       round(rounds::numeric, 2) AS rounds
FROM morpheus.vlc_compare(ap_sql => 'SELECT * FROM vlc_aps', n_users => 8, drops => 50, seed => 7, quota => 2);

-- bad input: an unknown method lists the valid ones
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT * FROM vlc_users', method => 'optimal');
-- a user outside the room
SELECT * FROM morpheus.vlc_schedule('SELECT * FROM vlc_aps', 'SELECT 9 AS id, 5.5 AS x, 1 AS y');

DROP TABLE vlc_aps, vlc_users;
