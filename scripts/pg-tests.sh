#!/usr/bin/env bash
# The PostgreSQL-side test layers, run by scripts/test.sh inside a throwaway cluster (PGHOST etc. are set):
# pg_regress over sql/ + expected/, pgTAP over tests/pgtap/ through pg_prove, the documentation's SQL against its
# shown output (scripts/doc-tests.py over README.md and docs/*.md), the bad-input sweep (tests/sweep) and the upgrade
# check.
# Writes "layer passed failed" lines to OUT/pg-tests.counts.
set -uo pipefail
out="${1:?output directory}"
counts="$out/pg-tests.counts"
: >"$counts"
rc=0

pgxs="$(dirname "$(pg_config --pgxs)")/.."
regress="$pgxs/test/regress/pg_regress"
mapfile -t tests < <(cd sql && ls ./*.sql | sed 's|^\./||; s|\.sql$||' | sort)
rm -rf "$out/regress"
mkdir -p "$out/regress"
"$regress" --inputdir=. --outputdir="$out/regress" --bindir="$(pg_config --bindir)" \
  --dbname=morpheus_regress --load-extension=morpheus "${tests[@]}" | tee "$out/regress/summary.log"
regress_rc=${PIPESTATUS[0]}
nfail=$(grep -cE '^(not ok|test .* \.\.\. FAILED| .* \.\.\. FAILED)' "$out/regress/summary.log" || true)
if [ "$regress_rc" -ne 0 ]; then
  [ "$nfail" -gt 0 ] || nfail=1
  [ -f "$out/regress/regression.diffs" ] && head -n 80 "$out/regress/regression.diffs"
  rc=1
fi
echo "pg_regress $(( ${#tests[@]} - nfail )) $nfail" >>"$counts"

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE morpheus_tap' &&
  psql -X -q -v ON_ERROR_STOP=1 -d morpheus_tap -c 'CREATE EXTENSION pgtap; CREATE EXTENSION morpheus; CREATE EXTENSION morpheus_test; CREATE EXTENSION dblink;' ||
  exit 1
pg_prove -d morpheus_tap --failures tests/pgtap/*.sql | tee "$out/pgtap.log"
prove_rc=${PIPESTATUS[0]}
total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$out/pgtap.log")
bad=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$out/pgtap.log" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
[ "$prove_rc" -eq 0 ] || { rc=1; [ "$bad" -gt 0 ] || bad=1; }
echo "pgTAP ${total:-0} ${bad}" >>"$counts"
[ -n "$total" ] && [ "$total" -gt 0 ] || { echo "pgTAP ran no tests"; rc=1; }

# the documentation's SQL blocks against their shown output, each file in a fresh database
python3 scripts/doc-tests.py --counts "$counts" README.md docs/*.md | tee "$out/docs.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
grep -q '^docs ' "$counts" || { echo "docs 0 1" >>"$counts"; rc=1; }

# the bad-input sweep over every function and aggregate (tests/sweep): no crash, no XX000, cancel honoured
rm -f "$out/sweep.counts"
bash tests/sweep/run.sh "$out" | tee "$out/sweep.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
if [ -f "$out/sweep.counts" ]; then cat "$out/sweep.counts" >>"$counts"; else echo "sweep 0 1" >>"$counts"; rc=1; fi

bash scripts/check-upgrades.sh | tee "$out/upgrades.log"
up_rc=${PIPESTATUS[0]}
up_ok=$(grep -c '^upgrade ok' "$out/upgrades.log" || true)
up_bad=$(grep -c '^upgrade FAILED' "$out/upgrades.log" || true)
[ "$up_rc" -eq 0 ] || { rc=1; [ "$up_bad" -gt 0 ] || up_bad=1; }
echo "upgrades $up_ok $up_bad" >>"$counts"
exit $rc
