#pragma once

// The produce validation pass for the legacy message format (magic 0 and 1), which Produce
// v0-2 may carry: Kafka 3.x's up-conversion (LogValidator with toMagic 2). Every message, and
// every inner message of a compressed wrapper, is checked and rewritten into one magic 2
// batch: offsets 0..n-1 (storage assigns the base), the messages' own timestamps (magic 0 has
// none: -1), no producer id, the producer's codec (the last wrapper's) unless the topic's
// compression.type names another. Rules and error codes: docs/record-batch.md, "Up-conversion".
// Allocates per call, not per record; the v2 path (validator.cc) stays allocation-free.

#include <cstdint>
#include <span>

#include "broker/produce/policy.h"
#include "broker/produce/validator.h"

namespace eddy::broker {

// True when a Produce request at `api_version` carries a legacy message set: v0-2 only, told
// by the magic byte, which sits at the same place in both formats.
bool is_legacy_message_set(std::span<const uint8_t> records, int16_t api_version);

// Validates and up-converts one partition's legacy message set. On success `batches` is the
// one new batch, in scratch.rewritten.
ValidatedRecords up_convert_legacy_records(std::span<const uint8_t> records,
                                           const ProducePolicy& policy, int64_t now_ms,
                                           ProduceValidationScratch& scratch);

}  // namespace eddy::broker
