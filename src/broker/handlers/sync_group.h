#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// SyncGroup 0-5 (group coordinator): the leader's assignment in, each member's out. The answer may
// be parked until the leader syncs.
HandlerSpec sync_group_handler();

}  // namespace eddy::broker
