#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// FindCoordinator 0-6: the node coordinating a group (key type 0; __consumer_offsets is created on
// first use), batched coordinator_keys from v4. Transaction coordinators (key type 1) are not
// implemented yet: COORDINATOR_NOT_AVAILABLE.
HandlerSpec find_coordinator_handler();

}  // namespace eddy::broker
