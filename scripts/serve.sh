#!/usr/bin/env bash
# Quick start: install what is missing, build, and run a broker on 127.0.0.1:9092 with its
# data in ./data. Extra arguments go to eddy (e.g. --override num.partitions=3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release eddy   # only the broker: tests and benchmarks are built by scripts/test.sh
exec build/release/eddy serve --config config/server.properties "$@"
