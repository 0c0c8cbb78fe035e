#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// Heartbeat 0-4 (group coordinator).
HandlerSpec heartbeat_handler();

}  // namespace eddy::broker
