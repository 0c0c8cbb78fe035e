#!/usr/bin/env bash
# The whole test suite (.ci/run execs it): install what is missing, then
#   release  gcc, release preset: unit tests (CTest) and the integration tests against the real
#            binary with real clients (pytest).
#   asan     clang, asan preset: ASan + UBSan, thread-safety analysis (-Wthread-safety, errors),
#            every unit test and a short smoke of every fuzz target over its seed corpus.
#   tsan     clang, tsan preset: the unit tests whose code runs on several threads.
# The integration tests mostly wait on sockets, so the asan and tsan builds run meanwhile, at
# nice 19 (they only take CPU the tests leave idle). Every stage runs even if an earlier one
# failed; the exit status is non-zero if any failed; a summary with each stage's time and
# CTest's / pytest's counts ends the output.
# EDDY_TEST_STAGES="release asan" runs a subset. ccache (Debian's) keeps repeated builds cheap.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
jobs=$(nproc)
stages=" ${EDDY_TEST_STAGES:-release asan tsan} "
logs=$(mktemp -d /tmp/eddy-test.XXXXXX)

# The unit tests whose code really runs on several threads: the storage flusher, log manager and
# cleaner, the event loops and connections, the group coordinator's thread, the metadata store's
# raft thread.
tsan_targets=(storage_tests net_test group_tests metadata_store_test)
tsan_tests='^(storage_|net_test\.|group_tests\.|metadata_store_test\.)'
# Already run by the release stage (format, generator freshness); the kafka-python cross-check
# exercises the codecs the protocol tests and the fuzz targets cover under ASan.
asan_skipped='^(format_check|protocol_generated_up_to_date|protocol_kafka_python_crosscheck)$'

summary=()
failed=0
# run <name> <command...>: runs a step with its output shown and kept, records the outcome.
run() {
  local name=$1 start status counts
  shift
  echo "==== $name"
  start=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name.log"
  status=${PIPESTATUS[0]}
  record "$name" "$status" $(($(date +%s) - start))
}
# record <name> <status> <seconds>: one summary line, with CTest's and pytest's counts.
record() {
  local counts
  counts=$(grep -hE '^[0-9]+% tests passed|^=+ .*(passed|failed|error).* in [0-9.]+s' \
    "$logs/$1.log" 2>/dev/null | sed 's/=//g; s/^ *//' | paste -sd ';' -)
  [ "$2" -eq 0 ] || failed=1
  summary+=("$(printf '%-16s %-6s %5ss  %s' "$1" "$([ "$2" -eq 0 ] && echo ok || echo FAILED)" \
    "$3" "$counts")")
}

build_release() { cmake --preset release >/dev/null && cmake --build --preset release -j "$jobs"; }
build_asan() { cmake --preset asan >/dev/null && cmake --build --preset asan -j "$jobs"; }
build_tsan() {
  cmake --preset tsan >/dev/null &&
    cmake --build --preset tsan -j "$jobs" --target "${tsan_targets[@]}"
}

# Builds the sanitizer presets the run needs, one after the other, at nice 19, in the
# background; each build's log and outcome go to $logs.
start_sanitizer_builds() {
  (
    for preset in asan tsan; do
      [[ $stages == *" $preset "* ]] || continue
      start=$(date +%s)
      nice -n 19 bash -c "$(declare -f "build_$preset"); $(declare -p jobs tsan_targets); build_$preset" \
        >"$logs/$preset-build.log" 2>&1
      echo "$? $(($(date +%s) - start))" >"$logs/$preset-build.status"
    done
  ) &
  sanitizer_builds=$!
}

# Shows a background build's log and records its outcome; false if it failed.
finish_build() {
  local status seconds
  echo "==== $1-build (ran in the background)"
  cat "$logs/$1-build.log"
  read -r status seconds <"$logs/$1-build.status"
  record "$1-build" "$status" "$seconds"
  [ "$status" -eq 0 ]
}

if [[ $stages == *" release "* ]]; then
  run release-build build_release
  release_built=$?
  start_sanitizer_builds
  if [ "$release_built" -eq 0 ]; then
    run release-ctest ctest --preset release -j "$jobs" --output-on-failure
    run release-pytest env EDDY_BINARY="$PWD/build/release/eddy" \
      /usr/bin/python3 -m pytest tests/integration -v -p no:cacheprovider
  fi
else
  start_sanitizer_builds
fi
wait "$sanitizer_builds"

if [[ $stages == *" asan "* ]] && finish_build asan; then
  run asan-ctest ctest --preset asan -j "$jobs" --output-on-failure -E "$asan_skipped"
fi
if [[ $stages == *" tsan "* ]] && finish_build tsan; then
  run tsan-ctest ctest --preset tsan -j "$jobs" --output-on-failure -R "$tsan_tests"
fi

# All stages' test counts in one plain closing line ("N passed, N failed").
total_counts() {
  local passed=0 failures=0 line n
  while read -r line; do
    n=$(sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/p' <<<"$line")
    [ -n "$n" ] && { failures=$((failures + ${n% *})); passed=$((passed + ${n#* } - ${n% *})); }
  done < <(grep -hE 'tests failed out of' "$logs"/*ctest.log 2>/dev/null)
  while read -r line; do
    n=$(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1)
    passed=$((passed + ${n:-0}))
    n=$(grep -oE '[0-9]+ (failed|error)' <<<"$line" | awk '{ sum += $1 } END { print sum + 0 }')
    failures=$((failures + ${n:-0}))
  done < <(grep -hE '^=+ .*(passed|failed|error).* in [0-9.]+s' "$logs"/*pytest.log 2>/dev/null)
  echo "$passed passed, $failures failed"
}

echo "==== summary (logs in $logs)"
printf '%s\n' "${summary[@]}"
total_counts
exit "$failed"
