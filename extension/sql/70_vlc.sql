--------------------------------------------------------------------------------------------------------------------
-- vlc: visible light communication scheduling (Lambertian channel, amorphous cells, the stable-marriage protocol with
-- admission rules, two stages and proportional fairness, centralized baselines, schedules over slots, a stateful
-- step, Monte Carlo comparison with 95% intervals, coverage and planning). AP queries return id, x_m, y_m [, z_m,
-- power_w, semi_angle_deg]; user queries return id, x_m, y_m [, z_m, fov_deg, quota, tilt_deg, azimuth_deg];
-- trajectories return slot, id, x_m, y_m [, z_m]. NULL in an optional column means the named argument's value.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.vlc_channel(
    ap_sql text, user_sql text, room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5,
    room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60,
    fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0, area_m2 float8 DEFAULT 1e-4,
    filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5, responsivity float8 DEFAULT 0.53)
  RETURNS TABLE(ap_id int, user_id int, distance_m float8, irradiance_deg float8, incidence_deg float8, gain float8,
                visible boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_channel'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_channel(text, text, float8, float8, float8, float8, float8, float8, float8,
                                         float8, float8, float8, float8) IS
  'Lambertian line-of-sight DC gain H of every AP-user pair (0 outside the receiver field of view), with distance and angles.';

CREATE FUNCTION morpheus.vlc_schedule(
    ap_sql text, user_sql text, method text DEFAULT 'stable_marriage', quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', variant text DEFAULT 'one_stage', admission_ratio float8 DEFAULT 0,
    min_link_snr_db float8 DEFAULT NULL, reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5, room_height_m float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    tilt_deg float8 DEFAULT 0, area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1,
    refractive_index float8 DEFAULT 1.5, responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6,
    noise text DEFAULT 'simple', n0 float8 DEFAULT 1e-21, rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1,
    blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(user_id int, ap_ids int[], signal float8, interference float8, noise_var float8, sinr float8,
                sinr_db float8, rate_bps float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_schedule'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_schedule(text, text, text, int, text, text, float8, float8, int, int, float8,
                                          float8, float8, float8, float8, float8, float8, float8, float8, float8,
                                          float8, float8, text, float8, text, float8, float8) IS
  'Schedules one slot: the serving APs (amorphous cell) of each user with its signal, interference, noise (A^2), SINR and rate.';

CREATE FUNCTION morpheus.vlc_schedule_slots(
    ap_sql text, user_sql text, slots int DEFAULT 20, trajectory_sql text DEFAULT NULL,
    method text DEFAULT 'stable_marriage', quota int DEFAULT NULL, ap_preference text DEFAULT 'gain',
    variant text DEFAULT 'one_stage', admission_ratio float8 DEFAULT 0, min_link_snr_db float8 DEFAULT NULL,
    pf_window int DEFAULT 10, reuse_factor int DEFAULT 4, seed int DEFAULT 1, room_width_m float8 DEFAULT 5,
    room_length_m float8 DEFAULT 5, room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1,
    semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1,
    blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(slot int, user_id int, ap_ids int[], sinr_db float8, rate_bps float8, average_rate_bps float8,
                handover boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_schedule_slots'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_schedule_slots(text, text, int, text, text, int, text, text, float8, float8, int,
                                                int, int, float8, float8, float8, float8, float8, float8, float8,
                                                float8, float8, float8, float8, float8, text, float8, text, float8,
                                                float8) IS
  'Schedules slot after slot (users may move along trajectory_sql): serving APs, SINR, rate, proportional-fair average and handovers per user and slot.';

CREATE FUNCTION morpheus.vlc_evaluate(
    ap_sql text, user_sql text, slots int DEFAULT 1, trajectory_sql text DEFAULT NULL,
    method text DEFAULT 'stable_marriage', quota int DEFAULT NULL, ap_preference text DEFAULT 'gain',
    variant text DEFAULT 'one_stage', admission_ratio float8 DEFAULT 0, min_link_snr_db float8 DEFAULT NULL,
    pf_window int DEFAULT 10, reuse_factor int DEFAULT 4, seed int DEFAULT 1, room_width_m float8 DEFAULT 5,
    room_length_m float8 DEFAULT 5, room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1,
    semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1,
    blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(users int, aps int, sum_rate_bps float8, mean_rate_bps float8, min_rate_bps float8, p5_rate_bps float8,
                jain float8, served_fraction_slot float8, served_fraction float8, lit_aps float8, messages float8,
                bits float8, rounds float8, handovers float8, compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_evaluate'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_evaluate(text, text, int, text, text, int, text, text, float8, float8, int, int,
                                          int, float8, float8, float8, float8, float8, float8, float8, float8,
                                          float8, float8, float8, float8, text, float8, text, float8, float8) IS
  'Schedules a horizon of slots and summarizes it: time-averaged sum, mean, minimum and 5th-percentile user rates, Jain index, served fractions, lit LEDs, messages, bits, rounds, handovers and scheduler time per slot.';

CREATE FUNCTION morpheus.vlc_step(
    ap_sql text, user_sql text, state_table regclass, method text DEFAULT 'stable_marriage',
    quota int DEFAULT NULL, ap_preference text DEFAULT 'proportional_fair', variant text DEFAULT 'one_stage',
    admission_ratio float8 DEFAULT 0, min_link_snr_db float8 DEFAULT NULL, pf_window int DEFAULT 10,
    reuse_factor int DEFAULT 4, seed int DEFAULT 1, room_width_m float8 DEFAULT 5,
    room_length_m float8 DEFAULT 5, room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1,
    semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1,
    blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(slot int, user_id int, ap_ids int[], sinr_db float8, rate_bps float8, average_rate_bps float8,
                handover boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_step'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_step(text, text, regclass, text, int, text, text, float8, float8, int, int, int,
                                      float8, float8, float8, float8, float8, float8, float8, float8, float8,
                                      float8, float8, float8, text, float8, text, float8, float8) IS
  'One slot of a scheduling job: schedules the users of user_sql from the proportional-fair averages kept in state_table, writes back which LEDs serve whom now, and returns the slot.';

CREATE FUNCTION morpheus.vlc_compare(
    ap_sql text, n_users int DEFAULT 10, drops int DEFAULT 100, slots int DEFAULT 20,
    methods text[] DEFAULT ARRAY['stable_marriage', 'stable_marriage_ap', 'tdma', 'tdma_all', 'reuse', 'conflict_graph',
                          'single_user', 'user_centric'],
    step_m float8 DEFAULT 0, user_height_m float8 DEFAULT 0.85, quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', variant text DEFAULT 'one_stage', admission_ratio float8 DEFAULT 0,
    min_link_snr_db float8 DEFAULT NULL, pf_window int DEFAULT 10, reuse_factor int DEFAULT 4,
    seed int DEFAULT 1, room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5,
    room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60,
    fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0, area_m2 float8 DEFAULT 1e-4,
    filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5, responsivity float8 DEFAULT 0.53,
    bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple', n0 float8 DEFAULT 1e-21,
    rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1, blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(method text, metric text, mean float8, ci95_low float8, ci95_high float8, ratio float8,
                ratio_ci95_low float8, ratio_ci95_high float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_compare'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_compare(text, int, int, int, text[], float8, float8, int, text, text, float8,
                                         float8, int, int, int, float8, float8, float8, float8, float8, float8,
                                         float8, float8, float8, float8, float8, float8, text, float8, text,
                                         float8, float8) IS
  'Monte Carlo comparison of schedulers over the same seeded drops and slots: per method and metric the mean with its 95% interval and the ratio to the first method with its paired 95% interval.';

CREATE FUNCTION morpheus.vlc_coverage(
    ap_sql text, user_sql text, room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5,
    room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60,
    fov_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0, area_m2 float8 DEFAULT 1e-4,
    filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5, responsivity float8 DEFAULT 0.53,
    bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple', n0 float8 DEFAULT 1e-21,
    rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1)
  RETURNS TABLE(user_id int, visible_aps int, ap_ids int[], best_ap_id int, best_snr_db float8, all_snr_db float8,
                overlap_users int)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_coverage'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_coverage(text, text, float8, float8, float8, float8, float8, float8, float8,
                                          float8, float8, float8, float8, float8, text, float8, text, float8) IS
  'Coverage report: per user the visible LEDs (strongest first), the SNR of the best LED alone and of all visible LEDs together, and how many other users share a visible LED.';

CREATE FUNCTION morpheus.vlc_planning_sweep(
    target_bps float8, n_users int DEFAULT 10,
    fov_deg_list float8[] DEFAULT ARRAY[20, 30, 40, 50, 60, 70]::float8[],
    leds_per_side_list int[] DEFAULT ARRAY[2, 3, 4, 5, 6], drops int DEFAULT 20, slots int DEFAULT 20,
    step_m float8 DEFAULT 0, user_height_m float8 DEFAULT 0.85, method text DEFAULT 'stable_marriage',
    quota int DEFAULT NULL, ap_preference text DEFAULT 'gain', variant text DEFAULT 'one_stage',
    admission_ratio float8 DEFAULT 0, min_link_snr_db float8 DEFAULT NULL, pf_window int DEFAULT 10,
    reuse_factor int DEFAULT 4, seed int DEFAULT 1, room_width_m float8 DEFAULT 5,
    room_length_m float8 DEFAULT 5, room_height_m float8 DEFAULT 3, power_w float8 DEFAULT 1,
    semi_angle_deg float8 DEFAULT 60, tilt_deg float8 DEFAULT 0, area_m2 float8 DEFAULT 1e-4,
    filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5, responsivity float8 DEFAULT 0.53,
    bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple', n0 float8 DEFAULT 1e-21,
    rate_model text DEFAULT 'shannon', dimming float8 DEFAULT 1, blockage_probability float8 DEFAULT 0)
  RETURNS TABLE(fov_deg float8, leds_per_side int, pitch_m float8, mean_rate_bps float8, p5_rate_bps float8,
                fraction_at_target float8, meets_target boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_planning_sweep'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_planning_sweep(float8, int, float8[], int[], int, int, float8, float8, text, int,
                                                text, text, float8, float8, int, int, int, float8, float8, float8,
                                                float8, float8, float8, float8, float8, float8, float8, float8,
                                                text, float8, text, float8, float8) IS
  'Planning sweep over receiver FOVs and square LED grids: time-averaged per-user rates pooled over drops, and whether 95% of users reach target_bps.';

CREATE FUNCTION morpheus.vlc_grid_aps(
    rows int DEFAULT 4, cols int DEFAULT 4, room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5,
    height_m float8 DEFAULT 3)
  RETURNS TABLE(id int, x_m float8, y_m float8, z_m float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_grid_aps'
  LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;
COMMENT ON FUNCTION morpheus.vlc_grid_aps(int, int, float8, float8, float8) IS
  'A rows x cols grid of ceiling APs centred in their cells (the reference room: 4 x 4 at 1.25 m pitch in 5 x 5 m).';

CREATE FUNCTION morpheus.vlc_random_users(
    n int DEFAULT 10, seed int DEFAULT 1, room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5,
    height_m float8 DEFAULT 0.85)
  RETURNS TABLE(id int, x_m float8, y_m float8, z_m float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_random_users'
  LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;
COMMENT ON FUNCTION morpheus.vlc_random_users(int, int, float8, float8, float8) IS
  'n users placed uniformly at random on the receiver plane (seeded: the same seed gives the same users).';

CREATE FUNCTION morpheus.vlc_random_walk(
    n int DEFAULT 10, slots int DEFAULT 100, step_m float8 DEFAULT 0.05, seed int DEFAULT 1,
    room_width_m float8 DEFAULT 5, room_length_m float8 DEFAULT 5, height_m float8 DEFAULT 0.85)
  RETURNS TABLE(slot int, id int, x_m float8, y_m float8, z_m float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_random_walk'
  LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;
COMMENT ON FUNCTION morpheus.vlc_random_walk(int, int, float8, int, float8, float8, float8) IS
  'Seeded random-waypoint trajectories: n users walking step_m metres per slot, one row per user and slot (a trajectory_sql for vlc_schedule_slots).';

