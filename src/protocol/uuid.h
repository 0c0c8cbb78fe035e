#pragma once

// The protocol's `uuid` type is Kafka's 16-byte id (common/uuid.h).
#include "common/uuid.h"

namespace eddy::protocol {
using eddy::Uuid;
}  // namespace eddy::protocol
