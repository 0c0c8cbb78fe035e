#pragma once

#include "broker/handler.h"

namespace eddy::broker {

// Heartbeat 0-4 (group coordinator).
HandlerSpec heartbeat_handler();

}  // namespace eddy::broker
