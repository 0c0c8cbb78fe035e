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

}  // namespace eddy::storage
