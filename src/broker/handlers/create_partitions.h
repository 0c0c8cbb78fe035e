#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// CreatePartitions 0-3: grows a topic to a new total count (never shrinks); manual
// assignments may name this node only; validate_only.
HandlerSpec create_partitions_handler();

}  // namespace eddy::broker
