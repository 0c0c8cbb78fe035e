#!/usr/bin/env bash
# CTest's fuzz smoke: runs one fuzz target for a few seconds over its committed seed corpus.
# New inputs go to a scratch directory (the committed corpus stays untouched); any crash,
# leak, timeout or broken invariant fails the test and leaves its input in the scratch dir.
# Usage: smoke.sh <fuzzer> <seed corpus dir> <scratch dir>   (EDDY_FUZZ_SMOKE_SECONDS, default 10)
set -euo pipefail
fuzzer=$1 seeds=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch/corpus"
dirs=("$scratch/corpus")
[ -d "$seeds" ] && dirs+=("$seeds")
exec "$fuzzer" -max_total_time="${EDDY_FUZZ_SMOKE_SECONDS:-10}" -timeout=10 -rss_limit_mb=2048 \
  -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$scratch/" "${dirs[@]}"
