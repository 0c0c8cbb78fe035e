#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// JoinGroup 0-9 (group coordinator): member ids, MEMBER_ID_REQUIRED from v4, static members from
// v5. The answer may be parked until the rebalance completes.
HandlerSpec join_group_handler();

}  // namespace eddy::broker
