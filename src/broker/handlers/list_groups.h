#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// ListGroups 0-5 (group coordinator): states filter from v4, types filter from v5 (every Eddy group
// is "classic").
HandlerSpec list_groups_handler();

}  // namespace eddy::broker
