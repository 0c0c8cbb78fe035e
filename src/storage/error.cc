#include "storage/error.h"

namespace eddy::storage {

const char* to_string(Error error) {
  switch (error) {
    case Error::kNone:
      return "none";
    case Error::kOffsetOutOfRange:
      return "offset out of range";
    case Error::kCorruptMessage:
      return "corrupt message";
    case Error::kMessageTooLarge:
      return "message too large";
    case Error::kRecordListTooLarge:
      return "record list too large";
    case Error::kStorageError:
      return "storage error";
    case Error::kUnknownPartition:
      return "unknown partition";
    case Error::kPartitionExists:
      return "partition exists";
  }
  return "unknown";
}

int16_t kafka_error_code(Error error) {
  switch (error) {
    case Error::kNone:
      return 0;
    case Error::kOffsetOutOfRange:
      return 1;
    case Error::kCorruptMessage:
      return 2;
    case Error::kMessageTooLarge:
      return 10;
    case Error::kRecordListTooLarge:
      return 18;
    case Error::kStorageError:
      return 56;
    case Error::kUnknownPartition:
      return 3;
    case Error::kPartitionExists:
      return 36;
  }
  return -1;
}

}  // namespace eddy::storage
