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

// Why a controller operation failed. Domain errors, no Kafka numbers: the broker maps each to
// its Kafka error code (src/broker/errors/kafka_errors.h).
enum class Error {
  kNone,
  kUnknownTopic,              // no such topic or partition
  kUnknownTopicId,            // no topic with that id
  kTimedOut,                  // the quorum did not commit in time
  kInvalidTopic,              // a name that is not a legal topic name
  kTopicExists,               // CreateTopics of a name in use
  kInvalidPartitions,         // a partition count or assignment that cannot be
  kInvalidReplicationFactor,  // more replicas than brokers, or fewer than one
  kInvalidRequest,            // a request that contradicts itself
  kInvalidConfig,             // a config value the key table refuses
  kNotController,             // this node does not lead the metadata quorum
  kInternal,                  // the metadata log failed
};

// A per-item outcome: the error plus an optional human-readable message (Kafka's wording,
// passed to clients as is).
struct Status {
  Error code = Error::kNone;
  std::optional<std::string> message;

  bool ok() const { return code == Error::kNone; }
  static Status error(Error code, std::string message) { return {code, std::move(message)}; }
};

// Kafka's ConfigResource types.
enum class ConfigResourceType : int8_t { kTopic = 2, kBroker = 4 };

}  // namespace eddy::metadata
