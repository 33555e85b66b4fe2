--------------------------------------------------------------------------------------------------------------------
-- vlc: visible light communication scheduling (Lambertian channel, amorphous cells, stable-marriage scheduler and
-- centralized baselines). AP queries return id, x, y [, z, power_w, semi_angle_deg]; user queries return id, x, y
-- [, z, fov_deg, quota]. Metres, watts, degrees; NULL in an optional column means the named argument's value.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.vlc_channel(
    ap_sql text, user_sql text,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53)
  RETURNS TABLE(ap_id int, user_id int, distance_m float8, irradiance_deg float8, incidence_deg float8, gain float8,
                visible boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_channel'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_channel(text, text, float8, float8, float8, float8, float8, float8, float8, float8,
                                         float8, float8) IS
  'Lambertian line-of-sight DC gain H of every AP-user pair (0 outside the receiver field of view), with distance and angles.';

CREATE FUNCTION morpheus.vlc_schedule(
    ap_sql text, user_sql text, method text DEFAULT 'stable_marriage', quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon')
  RETURNS TABLE(user_id int, ap_ids int[], signal float8, interference float8, noise_var float8, sinr float8,
                sinr_db float8, rate_bps float8, time_share float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_schedule'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_schedule(text, text, text, int, text, int, int, float8, float8, float8, float8,
                                          float8, float8, float8, float8, float8, float8, float8, text, float8, text) IS
  'Schedules one slot: the serving APs (amorphous cell) of each user with its signal, interference, noise (A^2), SINR and rate.';

CREATE FUNCTION morpheus.vlc_evaluate(
    ap_sql text, user_sql text, method text DEFAULT 'stable_marriage', quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon')
  RETURNS TABLE(users int, aps int, sum_rate_bps float8, mean_rate_bps float8, min_rate_bps float8,
                jain float8, served_fraction float8, active_aps int, messages bigint, rounds bigint, compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_evaluate'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_evaluate(text, text, text, int, text, int, int, float8, float8, float8, float8,
                                          float8, float8, float8, float8, float8, float8, float8, text, float8, text) IS
  'Schedules one slot and summarizes it: sum rate, Jain fairness, served fraction, protocol messages and rounds, scheduler time.';

CREATE FUNCTION morpheus.vlc_compare(
    ap_sql text, n_users int DEFAULT 10, drops int DEFAULT 100,
    methods text[] DEFAULT ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'reuse', 'conflict_graph'],
    quota int DEFAULT NULL, ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon', user_height float8 DEFAULT 0.85)
  RETURNS TABLE(method text, sum_rate_bps float8, sum_rate_sd_bps float8, mean_rate_bps float8,
                min_rate_bps float8, jain float8, served_fraction float8, messages float8, rounds float8,
                compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_compare'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_compare(text, int, int, text[], int, text, int, int, float8, float8, float8, float8,
                                         float8, float8, float8, float8, float8, float8, float8, text, float8, text,
                                         float8) IS
  'Monte Carlo comparison of schedulers over seeded uniform user drops: per-method means of sum rate, fairness, messages, time.';

CREATE FUNCTION morpheus.vlc_grid_aps(rows int DEFAULT 4, cols int DEFAULT 4, room_width float8 DEFAULT 5,
                                      room_length float8 DEFAULT 5, height float8 DEFAULT 3)
  RETURNS TABLE(id int, x float8, y float8, z float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_grid_aps'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.vlc_grid_aps(int, int, float8, float8, float8) IS
  'A rows x cols grid of ceiling APs centred in their cells (the reference room: 4 x 4 at 1.25 m pitch in 5 x 5 m).';

CREATE FUNCTION morpheus.vlc_random_users(n int DEFAULT 10, seed int DEFAULT 1, room_width float8 DEFAULT 5,
                                          room_length float8 DEFAULT 5, height float8 DEFAULT 0.85)
  RETURNS TABLE(id int, x float8, y float8, z float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_random_users'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.vlc_random_users(int, int, float8, float8, float8) IS
  'n users placed uniformly at random on the receiver plane (seeded: the same seed gives the same users).';
