#!/usr/bin/env bash
# The whole test suite: install what is missing, build (release preset), run the unit tests
# (CTest) and the integration tests against the real binary with real clients (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release

echo "== unit tests (ctest)"
ctest --preset release -j "$(nproc)" --output-on-failure

echo "== integration tests (pytest, real eddy binary, real clients)"
export EDDY_BINARY="$PWD/build/release/eddy"
/usr/bin/python3 -m pytest tests/integration -v -p no:cacheprovider
