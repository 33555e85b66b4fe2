#include "pg/read_only.hpp"

#include <cstring>

#include "pg/guard.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "utils/guc_tables.h"
#include "utils/plancache.h"
}

namespace morpheus::pg {
namespace {

// The kind of write a query could do, or nullptr for a plain read.
const char* write_kind(const Query* q) {
  if (q->commandType == CMD_UTILITY) return "a utility statement";
  if (q->commandType != CMD_SELECT) return nullptr;  // the command tag names it
  if (q->hasModifyingCTE) return "a SELECT with a data-modifying WITH";
  if (q->rowMarks != NIL) return "a SELECT ... FOR UPDATE/SHARE";
  if (q->utilityStmt != nullptr) return "a SELECT INTO";
  return "";
}

struct Refusal {
  const char* query_arg;
  char kind[96];
};

void refuse(const Refusal* r) {
  ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                  errmsg("%s must be a read-only query, but it is %s", r->query_arg, r->kind),
                  errhint("Pass a SELECT, VALUES or TABLE statement (WITH only for reading): query arguments are read "
                          "with your rights and never write.")));
}

// Fills r->kind with the first writing statement of the plan (empty if every statement only reads).
void check_plan(SPIPlanPtr plan, Refusal* r) {
  r->kind[0] = '\0';
  ListCell* lc;
  foreach (lc, SPI_plan_get_plan_sources(plan)) {
    const CachedPlanSource* ps = static_cast<const CachedPlanSource*>(lfirst(lc));
    ListCell* qc;
    foreach (qc, ps->query_list) {
      const Query* q = static_cast<const Query*>(lfirst(qc));
      const char* kind = write_kind(q);
      if (kind != nullptr && kind[0] == '\0') continue;
      if (kind == nullptr)
        snprintf(r->kind, sizeof r->kind, "a %s", GetCommandTagName(ps->commandTag));
      else
        snprintf(r->kind, sizeof r->kind, "%s", kind);
      return;
    }
  }
}

// The value every morpheus SQL and PL/pgSQL function pins (extension/sql/*.sql).
constexpr const char* kPinnedPath = "pg_catalog, pg_temp";

bool pinned(const char* path) { return path != nullptr && std::strcmp(path, kPinnedPath) == 0; }

}  // namespace

std::string caller_search_path() {
  const char* current = namespace_search_path;
  if (!pinned(current)) return current != nullptr ? current : "";
  // Each pinned function entered pushed an entry whose prior value is what was in force before it: the first prior
  // value that is not the pinned one is the caller's.
  config_generic** vars = get_guc_variables();
  const int n = GetNumConfigOptions();
  for (int i = 0; i < n; ++i) {
    if (vars[i] == nullptr || std::strcmp(vars[i]->name, "search_path") != 0) continue;
    for (const GucStack* st = vars[i]->stack; st != nullptr; st = st->prev) {
      const char* prior = st->prior.val.stringval;
      if (prior != nullptr && !pinned(prior)) return prior;
    }
    break;
  }
  return current;
}

void require_read_only(SPIPlanPtr plan, const char* query_arg) {
  Refusal r{query_arg, {}};
  Refusal* rp = &r;
  pg_call([plan, rp] { check_plan(plan, rp); });
  if (r.kind[0] != '\0') pg_call([rp] { refuse(rp); });
}

ReadOnlyScope::ReadOnlyScope() {
  const std::string path = caller_search_path();
  const char* caller = std::strcmp(path.c_str(), namespace_search_path) == 0 ? nullptr : path.c_str();
  nest_level_ = pg_call([caller] {
    const int level = NewGUCNestLevel();
    (void)set_config_option("transaction_read_only", "on", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    if (caller != nullptr)
      (void)set_config_option("search_path", caller, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
  });
}

ReadOnlyScope::~ReadOnlyScope() {
  const int level = nest_level_;
  try {
    pg_call([level] { AtEOXact_GUC(true, level); });
  } catch (...) {  // the transaction abort restores the setting
  }
}

}  // namespace morpheus::pg
