#!/usr/bin/env bash
# Installs the Debian packages Eddy needs to build, run and test, skipping those present.
# Runs `apt-get update` once, and only when something is missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config python3 git clang-format clang-tidy ccache
  libasio-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libraft-dev libuv1-dev
  libgtest-dev libgmock-dev libbenchmark-dev librdkafka-dev
  # sanitizer builds and fuzzing (asan and tsan presets): Debian's clang, libFuzzer runtime
  clang libclang-rt-14-dev
  # tests: real Kafka clients
  kcat python3-pytest python3-kafka python3-confluent-kafka
  python3-lz4 python3-snappy python3-zstandard  # codecs for kafka-python
  python3-xxhash  # kafka-python's lz4 for magic 0 (Kafka 0.9's frame checksum)
  golang-go golang-github-shopify-sarama-dev  # sarama 1.22, built offline by test_old_clients.py
)

# tests: kafkajs runs on node; a node installed some other way is fine too.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# kafkajs for the JavaScript test clients, at the version tests/js/package-lock.json pins.
js_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/js"
if [ ! -d "$js_dir/node_modules" ]; then
  echo "installing kafkajs into $js_dir/node_modules"
  npm ci --prefix "$js_dir" --no-audit --no-fund --loglevel=error
fi
