#!/usr/bin/env bash
# Rebuilds the committed seed corpora (fuzz/corpus/<target>/) from real client traffic.
#
#   scripts/capture-seeds.sh [pytest selection...]
#
# 1. Runs a representative part of the integration suite (default below) with EDDY_CAPTURE_DIR
#    set: tests/integration/capture_proxy.py stands between the clients (kafka-python,
#    confluent-kafka/librdkafka, kafkajs, raw frames) and the broker and stores each distinct
#    request frame.
# 2. fuzz_seed_writer cuts the frames into per-target inputs (request frames and bodies, the
#    record batches of Produce requests, their compressed payloads, legacy message sets) and
#    adds encoder-made inputs for the disk formats.
# 3. Each target's libFuzzer -merge=1 keeps the smallest set with the same coverage.
# Needs the asan build's fuzz targets and an eddy binary ($EDDY_BINARY, else build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fuzz_dir=$root/build/asan/fuzz
[ -x "$fuzz_dir/fuzz_seed_writer" ] || { echo "build the asan preset's fuzz targets first" >&2; exit 1; }
export EDDY_BINARY=${EDDY_BINARY:-$root/build/release/eddy}

work=$(mktemp -d /tmp/eddy-capture.XXXXXX)
trap 'rm -rf "$work"' EXIT
selection=("$@")
if [ ${#selection[@]} -eq 0 ]; then
  selection=(tests/integration/test_produce_consume.py tests/integration/test_legacy_formats.py
             tests/integration/test_groups.py tests/integration/test_topic_admin.py
             tests/integration/test_fetch_sessions.py tests/integration/test_metadata.py
             tests/integration/test_retention_offsets.py tests/integration/test_fetch_rules.py
             tests/integration/test_hostile_input.py)
fi

echo "== capturing request frames: ${selection[*]}"
EDDY_CAPTURE_DIR=$work/frames /usr/bin/python3 -m pytest -q -p no:cacheprovider -m "not slow" \
  "${selection[@]}" || echo "(some tests failed; their frames are still useful seeds)"
echo "captured $(find "$work/frames" -type f | wc -l) distinct frames"

"$fuzz_dir/fuzz_seed_writer" "$work/frames" "$work/raw"

for raw in "$work"/raw/*/; do
  target=$(basename "$raw")
  fuzzer=$fuzz_dir/fuzz_$target
  [ -x "$fuzzer" ] || { echo "no fuzzer for $target" >&2; continue; }
  merged=$work/merged/$target
  mkdir -p "$merged" "$root/fuzz/corpus/$target"
  # Old seeds take part, so a rerun never loses coverage it had.
  "$fuzzer" -merge=1 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 \
    "$merged" "$root/fuzz/corpus/$target" "$raw" >"$work/merge-$target.log" 2>&1 ||
    { tail -20 "$work/merge-$target.log"; exit 1; }
  rm -rf "$root/fuzz/corpus/$target"
  mv "$merged" "$root/fuzz/corpus/$target"
  printf '%-22s %5d seeds %7s\n' "$target" "$(find "$root/fuzz/corpus/$target" -type f | wc -l)" \
    "$(du -sh "$root/fuzz/corpus/$target" | cut -f1)"
done
echo "total: $(du -sh "$root/fuzz/corpus" | cut -f1)"
