// Settings of a distributed-DRACO worker node (defined in module.cpp's _PG_init): its worker index and the attack
// it mounts when configured to be Byzantine.
#pragma once

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

extern int g_dist_worker_id;               // morpheus.worker_id: 1..n, 0 = not a worker
extern int g_dist_worker_attack;           // morpheus.worker_attack: a draco::Attack value
extern double g_dist_worker_attack_scale;  // morpheus.worker_attack_scale: 0 = the attack's default
extern const config_enum_entry kDistAttacks[];

}  // namespace morpheus::pg
