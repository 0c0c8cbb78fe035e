#pragma once

// The one mapping from the lower layers' domain errors to Kafka's error codes. Storage and the
// metadata controller report what went wrong in their own terms; handlers answer clients with
// what these functions return.

#include "metadata/types.h"
#include "protocol/error_code.h"
#include "storage/error.h"

namespace eddy::broker {

protocol::ErrorCode kafka_error(storage::Error error);
protocol::ErrorCode kafka_error(metadata::Error error);

}  // namespace eddy::broker
