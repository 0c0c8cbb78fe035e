#pragma once

// Small value types shared by the metadata records, the image and the controller.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/uuid.h"

namespace eddy::metadata {

// Kafka's 16-byte ids (common/uuid.h).
using eddy::Uuid;
using eddy::UuidHash;

// Kafka's numeric error codes used by the controller operations.
enum class ErrorCode : int16_t {
  kNone = 0,
  kUnknownTopicOrPartition = 3,
  kRequestTimedOut = 7,
  kInvalidTopicException = 17,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidRequest = 42,
  kInvalidConfig = 40,
  kNotController = 41,
  kUnknownServerError = -1,
  kUnknownTopicId = 100,
};

// A per-item outcome: Kafka's error code plus an optional human-readable message.
struct Status {
  ErrorCode code = ErrorCode::kNone;
  std::optional<std::string> message;

  bool ok() const { return code == ErrorCode::kNone; }
  static Status error(ErrorCode code, std::string message) { return {code, std::move(message)}; }
};

// Kafka's ConfigResource types.
enum class ConfigResourceType : int8_t { kTopic = 2, kBroker = 4 };

}  // namespace eddy::metadata
