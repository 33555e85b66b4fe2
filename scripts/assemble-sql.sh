#!/bin/sh
# Assembles the extension's SQL scripts from one file per module (extension/sql/NN_module.sql, in NN order):
#   OUT/morpheus--V.sql        the install script of the current version V (extension/morpheus.control)
#   OUT/morpheus--A--V.sql     for every extension/upgrade/morpheus--A--V.sql: that hand-written first part (it drops
#                              the old functions, aggregates and operators), then every module file except the type
#                              files (*.type.sql) that version A already had (their first line says "-- since X").
# Old install scripts (extension/morpheus--A.sql) are kept as they were released and installed beside these.
# Used by CMakeLists.txt and Makefile.pgxs. POSIX sh, no dependency beyond sed and sort.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: assemble-sql.sh OUTPUT_DIRECTORY}
mkdir -p "$out"
ver=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$here/extension/morpheus.control")

# version_le A B: true if A <= B (dotted numbers)
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" = "$1" ]; }

# body FROM: the module files in order; with FROM, the type files introduced at or before FROM are left out.
body() {
  for f in "$here"/extension/sql/*.sql; do
    case "$f" in
      *.type.sql)
        since=$(sed -n '1s/^-- since \([0-9.]*\).*/\1/p' "$f")
        [ -n "$since" ] || { echo "assemble-sql: $f must start with '-- since X.Y.Z'" >&2; exit 1; }
        if [ -n "$1" ] && version_le "$since" "$1"; then continue; fi ;;
    esac
    printf '\n-- ---- %s\n' "$(basename "$f")"
    cat "$f"
  done
}

tmp="$out/morpheus--$ver.sql.tmp"
{
  printf -- '-- morpheus %s install script, assembled from extension/sql/*.sql by scripts/assemble-sql.sh.\n' "$ver"
  printf -- '-- Objects live in schema morpheus (see morpheus.control).\n'
  printf '\\echo Use "CREATE EXTENSION morpheus" to load this file. \\quit\n'
  body ""
} >"$tmp"
mv "$tmp" "$out/morpheus--$ver.sql"

for pre in "$here"/extension/upgrade/morpheus--*--"$ver".sql; do
  [ -f "$pre" ] || continue
  from=$(basename "$pre" .sql | sed 's/^morpheus--\(.*\)--.*$/\1/')
  tmp="$out/morpheus--$from--$ver.sql.tmp"
  { cat "$pre"; body "$from"; } >"$tmp"
  mv "$tmp" "$out/morpheus--$from--$ver.sql"
done
