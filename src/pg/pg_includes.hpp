// The one place PostgreSQL's C headers enter C++ code. Include it after every standard, Eigen and core header:
// core headers refuse to compile once PostgreSQL headers were seen (src/core/no_postgres.hpp).
#pragma once

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// Foundation core headers, so glue files may include them in any order after this one.
#include "core/dense.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/progress.hpp"

extern "C" {
#include "postgres.h"
// postgres.h must come first.
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"
}

// PostgreSQL's port.h redirects printf-family names to its own implementations and c.h defines short macros that
// collide with C++ code; undo them for the C++ that follows.
#undef printf
#undef fprintf
#undef sprintf
#undef snprintf
#undef vsnprintf
#undef vfprintf
#undef strerror
#undef Min
#undef Max
#undef Abs
#undef gettext
#undef dgettext
#undef ngettext
#undef dngettext
