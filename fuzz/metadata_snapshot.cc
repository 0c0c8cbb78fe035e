// Metadata snapshots (raft snapshot files; state_machine.h): decode_snapshot rebuilds an image
// from a header and records. Disk input: nothing in it may crash the broker at start.
//
// Invariants: a snapshot that decodes re-encodes to one that decodes to an equal image and
// encodes to the same bytes.

#include <cstdint>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "metadata/state_machine.h"

using namespace eddy::metadata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const SnapshotDecodeResult decoded = decode_snapshot(data, size);
  if (!decoded.ok()) return 0;
  const std::vector<uint8_t> encoded = encode_snapshot(decoded.image);
  const SnapshotDecodeResult again = decode_snapshot(encoded.data(), encoded.size());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.image.equals(decoded.image));
  FUZZ_CHECK(again.image.last_applied_index == decoded.image.last_applied_index);
  FUZZ_CHECK(encode_snapshot(again.image) == encoded);
  return 0;
}
