// Compile-time wall between the pure C++ core and PostgreSQL.
// Every header in src/core includes this file first; it fails the build if a PostgreSQL header was seen before.
#pragma once

#if defined(POSTGRES_H) || defined(PG_CONFIG_H) || defined(FMGR_H)
#error "src/core must not include PostgreSQL headers: put PostgreSQL code in src/pg"
#endif

#ifdef MORPHEUS_IN_CORE
// Set by the build for core translation units; a PostgreSQL header included after this one is caught here too.
namespace morpheus::detail {
struct CoreHasNoPostgres {};
}  // namespace morpheus::detail
#endif
