#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// LeaveGroup 0-5 (group coordinator), the batch form (several members, static members by instance
// id) from v3.
HandlerSpec leave_group_handler();

}  // namespace eddy::broker
