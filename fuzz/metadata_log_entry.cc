// Metadata log entries (one raft entry = one record batch, docs/metadata-log.md): decode_batch,
// then the records applied by MetadataStateMachine, as a broker replaying its log does. The log
// is disk input: nothing in it may crash the broker.
//
// Invariants: a decoded batch re-encodes to bytes that decode to the same records and encode to
// the same bytes; apply is deterministic (two machines, one image); the resulting image
// survives a snapshot round trip (encode_snapshot, decode_snapshot) unchanged.

#include <cstdint>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "metadata/log_records.h"
#include "metadata/state_machine.h"

using namespace eddy::metadata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const DecodeResult decoded = decode_batch(data, size);
  if (!decoded.ok()) return 0;

  const std::vector<uint8_t> encoded = encode_batch(decoded.records);
  const DecodeResult again = decode_batch(encoded.data(), encoded.size());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.records == decoded.records);
  FUZZ_CHECK(encode_batch(again.records) == encoded);

  MetadataStateMachine first;
  MetadataStateMachine second;
  for (const Record& record : decoded.records) {
    const bool applied = first.apply(record).ok();
    FUZZ_CHECK(second.apply(record).ok() == applied);
  }
  first.set_last_applied_index(7);
  second.set_last_applied_index(7);
  FUZZ_CHECK(first.image().equals(second.image()));

  const std::vector<uint8_t> snapshot = encode_snapshot(first.image());
  const SnapshotDecodeResult restored = decode_snapshot(snapshot.data(), snapshot.size());
  FUZZ_CHECK(restored.ok());
  FUZZ_CHECK(restored.image.equals(first.image()));
  FUZZ_CHECK(encode_snapshot(restored.image) == snapshot);
  return 0;
}
