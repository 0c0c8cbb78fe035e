// Offset checkpoint files (storage/checkpoint.h: recovery-point-offset-checkpoint,
// log-start-offset-checkpoint), read at every start. Disk input: a malformed file is treated as
// empty, never a crash.
//
// Invariants: a parsed checkpoint formats to text that parses to the same offsets and formats
// to the same text.

#include "storage/checkpoint.h"

#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"

using namespace eddy::storage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  OffsetCheckpoint offsets;
  if (!parse_checkpoint(text, offsets)) return 0;
  const std::string formatted = format_checkpoint(offsets);
  OffsetCheckpoint again;
  FUZZ_CHECK(parse_checkpoint(formatted, again));
  FUZZ_CHECK(again == offsets);
  FUZZ_CHECK(format_checkpoint(again) == formatted);
  return 0;
}
