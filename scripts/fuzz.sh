#!/usr/bin/env bash
# Builds the libFuzzer target over the nmatrix text parser and binary decoder (tests/fuzz/nmatrix_fuzz.cpp) with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs it for SECONDS (default 60):
#   bash scripts/fuzz.sh [SECONDS]
# Seeds: tests/fuzz/corpus (hand-made, committed); new inputs the run finds go to build-fuzz/corpus (kept between
# runs, never committed). The build lowers the value limit to 32 MB (MORPHEUS_MAX_VALUE_BYTES) and libFuzzer fails
# any single allocation over 128 MB, so a declared shape that escapes the 54000 check is a finding. Eigen's own
# assertions stay on. Writes build/fuzz.counts ("fuzz 1 0" or "fuzz 0 1") and the executions to build/fuzz.execs.
# A crash leaves its input in build-fuzz/ (crash-*, oom-*, timeout-*): replay it with build-fuzz/nmatrix_fuzz FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
out=build-fuzz
mkdir -p "$out/obj" "$out/corpus" build
cxx="${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}"
launcher=()
command -v ccache >/dev/null && launcher=(ccache)
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
  -fno-sanitize-recover=all -DMORPHEUS_IN_CORE -DMORPHEUS_MAX_VALUE_BYTES=33554432 -DMORPHEUS_VERSION=\"fuzz\"
  -Isrc -isystem /usr/include/eigen3)
# the decoders and everything the factorized sums they are checked with call (kernels, thread team, plan)
sources=(tests/fuzz/nmatrix_fuzz.cpp src/core/*.cpp src/core/nmatrix/*.cpp src/core/linalg/*.cpp
  src/core/ml/normalized_data_matrix.cpp src/core/ml/data_matrix.cpp src/core/ml/plan.cpp)
objects=()
pids=()
jobs="$(nproc 2>/dev/null || echo 2)"
for src in "${sources[@]}"; do
  obj="$out/obj/$(echo "$src" | tr '/' '_').o"
  objects+=("$obj")
  # Rebuild when the source or any core header is newer than the object; one compiler per core.
  if [ ! -f "$obj" ] || [ -n "$(find "$src" src/core -newer "$obj" -name '*.[ch]pp' -print -quit)" ]; then
    rm -f "$obj"
    "${launcher[@]}" "$cxx" "${flags[@]}" -c "$src" -o "$obj" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then
      wait "${pids[0]}"
      pids=("${pids[@]:1}")
    fi
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$cxx" -fsanitize=fuzzer,address,undefined "${objects[@]}" -o "$out/nmatrix_fuzz"

log="$out/fuzz.log"
rc=0
(cd "$out" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ./nmatrix_fuzz -max_total_time="$secs" -timeout=10 -malloc_limit_mb=128 -rss_limit_mb=1536 -max_len=4096 \
  -dict=../tests/fuzz/nmatrix.dict -print_final_stats=1 corpus ../tests/fuzz/corpus) >"$log" 2>&1 || rc=$?
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
echo "${execs:-0}" >build/fuzz.execs
if [ "$rc" -eq 0 ]; then
  echo "fuzz 1 0" >build/fuzz.counts
  echo "fuzz: ${execs:-0} executions in ${secs}s, 0 crashes ($(ls "$out/corpus" | wc -l) corpus inputs)"
else
  echo "fuzz 0 1" >build/fuzz.counts
  grep -E 'ERROR|SUMMARY|nmatrix_fuzz:|Test unit written' "$log" | head -n 20
  echo "fuzz: FAILED after ${execs:-?} executions (full log: $log)"
  exit 1
fi
