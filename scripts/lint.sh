#!/usr/bin/env bash
# clang-tidy with the repository's .clang-tidy over the given files, or over the C++ files
# changed since a git revision (default: origin-less HEAD~1). Uses a compile database from a
# configured build dir (default build/debug; `cmake --preset debug` makes one).
#   scripts/lint.sh src/net/connection.cc       scripts/lint.sh --since HEAD~5
set -euo pipefail
cd "$(dirname "$0")/.."
build=${EDDY_LINT_BUILD:-build/debug}
[ -f "$build/compile_commands.json" ] || cmake --preset debug >/dev/null
if [ "${1:-}" = "--since" ]; then
  mapfile -t files < <(git diff --name-only "${2:-HEAD~1}" -- '*.cc' | grep -v '^src/protocol/generated/' || true)
else
  files=("$@")
fi
[ ${#files[@]} -gt 0 ] || { echo "lint: no files"; exit 0; }
# clang 14 does not advertise the coroutine support Asio checks for; tell Asio it is there.
clang-tidy -p "$build" --quiet --extra-arg=-DASIO_HAS_CO_AWAIT=1 "${files[@]}"
