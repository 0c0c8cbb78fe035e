#include "broker/errors/kafka_errors.h"

namespace eddy::broker {

using protocol::ErrorCode;

ErrorCode kafka_error(storage::Error error) {
  switch (error) {
    case storage::Error::kNone:
      return ErrorCode::kNone;
    case storage::Error::kOffsetOutOfRange:
      return ErrorCode::kOffsetOutOfRange;
    case storage::Error::kCorruptMessage:
      return ErrorCode::kCorruptMessage;
    case storage::Error::kMessageTooLarge:
      return ErrorCode::kMessageTooLarge;
    case storage::Error::kRecordListTooLarge:
      return ErrorCode::kRecordListTooLarge;
    case storage::Error::kStorageError:
      return ErrorCode::kKafkaStorageError;
    case storage::Error::kUnknownPartition:
      return ErrorCode::kUnknownTopicOrPartition;
    case storage::Error::kPartitionExists:
      return ErrorCode::kTopicAlreadyExists;
  }
  return ErrorCode::kUnknownServerError;
}

ErrorCode kafka_error(metadata::Error error) {
  switch (error) {
    case metadata::Error::kNone:
      return ErrorCode::kNone;
    case metadata::Error::kUnknownTopic:
      return ErrorCode::kUnknownTopicOrPartition;
    case metadata::Error::kUnknownTopicId:
      return ErrorCode::kUnknownTopicId;
    case metadata::Error::kTimedOut:
      return ErrorCode::kRequestTimedOut;
    case metadata::Error::kInvalidTopic:
      return ErrorCode::kInvalidTopicException;
    case metadata::Error::kTopicExists:
      return ErrorCode::kTopicAlreadyExists;
    case metadata::Error::kInvalidPartitions:
      return ErrorCode::kInvalidPartitions;
    case metadata::Error::kInvalidReplicationFactor:
      return ErrorCode::kInvalidReplicationFactor;
    case metadata::Error::kInvalidRequest:
      return ErrorCode::kInvalidRequest;
    case metadata::Error::kInvalidConfig:
      return ErrorCode::kInvalidConfig;
    case metadata::Error::kNotController:
      return ErrorCode::kNotController;
    case metadata::Error::kInternal:
      return ErrorCode::kUnknownServerError;
  }
  return ErrorCode::kUnknownServerError;
}

ApiError to_api_error(const metadata::Status& status) {
  return {kafka_error(status.code), status.message};
}

}  // namespace eddy::broker
