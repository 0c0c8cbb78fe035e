#pragma once

// The one mapping from the lower layers' domain errors to Kafka's error codes. Storage and the
// metadata controller report what went wrong in their own terms; handlers answer clients with
// what these functions return.

#include <optional>
#include <string>
#include <utility>

#include "metadata/types.h"
#include "protocol/error_code.h"
#include "storage/error.h"

namespace eddy::broker {

protocol::ErrorCode kafka_error(storage::Error error);
protocol::ErrorCode kafka_error(metadata::Error error);

// A per-item outcome of an admin API: Kafka's error code and an optional message.
struct ApiError {
  protocol::ErrorCode code = protocol::ErrorCode::kNone;
  std::optional<std::string> message;

  bool ok() const { return code == protocol::ErrorCode::kNone; }
  static ApiError make(protocol::ErrorCode code, std::string message) {
    return {code, std::move(message)};
  }
};

// The metadata store's status, in protocol terms (the numeric codes are Kafka's in both).
ApiError to_api_error(const metadata::Status& status);

}  // namespace eddy::broker
