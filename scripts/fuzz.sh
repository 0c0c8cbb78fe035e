#!/usr/bin/env bash
# Fuzzing campaigns over the libFuzzer targets of the asan build (fuzz/README.md).
#
#   scripts/fuzz.sh [--minutes N] [--jobs J] [--rounds R] [target...]
#
# Runs every target (default: all of build/asan/fuzz/fuzz_*) for N minutes (default 5) per
# round, J targets at a time (default 1), R rounds (default 1), all under `nice -n 19` so a
# campaign only eats idle CPU. Each target keeps its growing corpus in
# build/fuzz-campaign/<target>/corpus (the committed seeds in fuzz/corpus/<target> are read,
# never written) and its crash inputs in build/fuzz-campaign/<target>/artifacts/. A crash
# does not end the target's time: the fuzzer restarts (at most 5 crashes per target and round).
#
# Prints per target: CPU seconds, executions, corpus size, crashes (artifact paths). Every run
# is also appended to build/fuzz-campaign/ledger.tsv, from which `scripts/fuzz.sh --totals`
# prints the figures of all campaigns so far (docs/reliability.md quotes them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${EDDY_FUZZ_BUILD:-$root/build/asan}
campaign=${EDDY_FUZZ_CAMPAIGN:-$root/build/fuzz-campaign}
ledger=$campaign/ledger.tsv
minutes=5 jobs=1 rounds=1 totals=0
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --totals) totals=1; shift ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
mkdir -p "$campaign"

print_totals() {
  [ -f "$ledger" ] || { echo "no campaign yet ($ledger)"; return; }
  printf '%-22s %12s %16s %8s\n' target "CPU seconds" executions crashes
  awk -F'\t' '
    { cpu[$2] += $3; execs[$2] += $4; crashes[$2] += $5; total_cpu += $3; total_execs += $4;
      total_crashes += $5 }
    END {
      for (t in cpu) printf "%-22s %12.0f %16.0f %8d\n", t, cpu[t], execs[t], crashes[t]
      printf "~total %12.0f %16.0f %8d  (%.2f CPU hours)\n", total_cpu, total_execs,
             total_crashes, total_cpu / 3600
    }' "$ledger" | sort -k1,1 | sed 's/^~total/total                 /'
}
if [ "$totals" = 1 ]; then print_totals; exit 0; fi

if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$build"/fuzz/fuzz_*; do
    name=${binary##*/fuzz_}
    [ "$name" = seed_writer ] || targets+=("$name")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $build/fuzz: cmake --preset asan && cmake --build --preset asan" >&2; exit 1; }

# Children's user+system CPU seconds of this shell so far (bash's `times`, second line),
# into the variable named $1. `times` must run in this shell, not in a $(...) subshell.
children_cpu_seconds() {
  local file
  file=$(mktemp)
  times >"$file"
  printf -v "$1" '%s' "$(sed -n 2p "$file" | awk '{
    total = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); total += p[1] * 60 + p[2] }
    printf "%.1f", total }')"
  rm -f "$file"
}

# Runs one target for `seconds`; appends one ledger line; prints its summary line.
run_target() {
  local target=$1 seconds=$2
  local binary=$build/fuzz/fuzz_$target dir=$campaign/$target
  local seeds=$root/fuzz/corpus/$target
  mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/logs"
  local corpora=("$dir/corpus")
  [ -d "$seeds" ] && corpora+=("$seeds")
  local start_cpu end_time crashes=0 execs=0 runs=0
  children_cpu_seconds start_cpu
  end_time=$(($(date +%s) + seconds))
  while :; do
    local left=$((end_time - $(date +%s)))
    [ "$left" -ge 5 ] && [ "$crashes" -lt 5 ] || break
    local log=$dir/logs/$(date +%Y%m%dT%H%M%S)-$runs.log
    runs=$((runs + 1))
    # -timeout is wall time: at nice 19 on a busy machine a quick input can wait seconds.
    if ! nice -n 19 "$binary" -max_total_time="$left" -timeout=60 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" "${corpora[@]}" >"$log" 2>&1; then
      crashes=$((crashes + 1))
      grep -h "Test unit written to\|invariant broken\|ERROR: \|SUMMARY" "$log" | head -4 |
        sed "s|^|  $target: |" >&2
    fi
    local n
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # A crashed run prints no final stats: take the last progress line's count instead.
    [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    execs=$((execs + ${n:-0}))
  done
  local cpu end_cpu
  children_cpu_seconds end_cpu
  cpu=$(awk -v a="$start_cpu" -v b="$end_cpu" 'BEGIN { printf "%.0f", b - a }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$cpu" "$execs" "$crashes" \
    >>"$ledger"
  local files bytes
  files=$(find "$dir/corpus" -type f | wc -l)
  bytes=$(du -sk "$dir/corpus" | cut -f1)
  printf '%-22s cpu %6ss  execs %11s  corpus %6s files %7s KiB  crashes %s\n' "$target" "$cpu" \
    "$execs" "$files" "$bytes" "$crashes"
  if [ "$crashes" -gt 0 ]; then
    find "$dir/artifacts" -type f -newermt "@$((end_time - seconds))" | sed 's/^/    artifact: /'
  fi
}

echo "== fuzz campaign: ${#targets[@]} targets, $minutes min each, $jobs at a time, $rounds round(s), nice 19"
for ((round = 1; round <= rounds; round++)); do
  running=0
  for target in "${targets[@]}"; do
    [ -x "$build/fuzz/fuzz_$target" ] || { echo "no fuzz target $target in $build/fuzz" >&2; exit 1; }
    run_target "$target" $((minutes * 60)) &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
  done
  wait
done
echo "== all campaigns so far ($ledger)"
print_totals
