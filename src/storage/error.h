#pragma once

// Errors the storage engine reports. Each maps to one Kafka error code, so broker handlers can
// answer clients without knowing storage internals.

#include <cstdint>

namespace eddy::storage {

enum class Error {
  kNone,
  kOffsetOutOfRange,    // OFFSET_OUT_OF_RANGE (1)
  kCorruptMessage,      // CORRUPT_MESSAGE (2): a stored batch that fails its CRC or framing
  kMessageTooLarge,     // MESSAGE_TOO_LARGE (10): one batch above max.message.bytes
  kRecordListTooLarge,  // RECORD_LIST_TOO_LARGE (18): a request larger than segment.bytes
  kStorageError,        // KAFKA_STORAGE_ERROR (56): an I/O error on the log dir
  kUnknownPartition,    // UNKNOWN_TOPIC_OR_PARTITION (3)
  kPartitionExists,     // TOPIC_ALREADY_EXISTS (36)
};

const char* to_string(Error error);

// The Kafka protocol error code for `error`.
int16_t kafka_error_code(Error error);

}  // namespace eddy::storage
