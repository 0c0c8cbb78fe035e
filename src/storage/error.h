#pragma once

// Errors the storage engine reports: domain errors, no Kafka numbers. The broker maps each to
// one Kafka error code (src/broker/errors/kafka_errors.h).

namespace eddy::storage {

enum class Error {
  kNone,
  kOffsetOutOfRange,    // an offset outside [log start, log end]
  kCorruptMessage,      // a stored batch that fails its CRC or framing
  kMessageTooLarge,     // one batch above max.message.bytes
  kRecordListTooLarge,  // an append larger than segment.bytes
  kStorageError,        // an I/O error on the log dir
  kUnknownPartition,    // no log for that partition
  kPartitionExists,     // creating a log that exists
};

const char* to_string(Error error);

}  // namespace eddy::storage
