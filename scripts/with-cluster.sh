#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, then stops and deletes the cluster, on success, failure or
# interrupt. The cluster is private: its own data directory under /tmp, reachable only through a Unix socket in that
# directory (listen_addresses = ''), trust authentication for user postgres inside it. Run as root, the server runs
# as the postgres system user (PostgreSQL refuses root); otherwise as the calling user.
#   scripts/with-cluster.sh [-o 'name=value' ...] -- command [args...]
# The command sees PGHOST, PGPORT, PGUSER=postgres, PGDATABASE=postgres and MORPHEUS_CLUSTER_DIR.
set -euo pipefail

extra_opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o) extra_opts+=(-c "$2"); shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-o name=value ...] -- command [args...]" >&2; exit 2; }

PG_CONFIG="${PG_CONFIG:-pg_config}"
BIN="$("$PG_CONFIG" --bindir)"
dir="$(mktemp -d /tmp/morpheus-pg.XXXXXX)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
chmod 700 "$dir"
port="${MORPHEUS_PGPORT:-5432}"

cleanup() {
  local rc=$?
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
      "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ $rc -ne 0 ] && [ -f "$dir/server.log" ]; then
    echo "with-cluster: command failed (exit $rc); last server log lines:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
  fi
  rm -rf "$dir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c max_worker_processes=8 \
      -c max_parallel_workers=4 ${extra_opts[*]:-}" >/dev/null

export PGHOST="$dir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres MORPHEUS_CLUSTER_DIR="$dir"
unset PGPASSWORD PGSERVICE
"$@"
