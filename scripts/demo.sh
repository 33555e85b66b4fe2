#!/usr/bin/env bash
# The demo: installs dependencies, builds and installs morpheus, starts a throwaway cluster, creates the extension and
# runs every script in scripts/demo/ in order, printing the results. The cluster is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec 9>/tmp/morpheus-install.lock
flock 9
MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh >/dev/null
scripts/with-cluster.sh -- bash -c '
  set -euo pipefail
  psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION morpheus"
  for f in scripts/demo/*.sql; do
    echo "=== $f"
    psql -X -v ON_ERROR_STOP=1 -f "$f"
  done'
