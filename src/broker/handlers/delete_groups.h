#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// DeleteGroups 0-2 (group coordinator): only empty groups (NON_EMPTY_GROUP otherwise).
HandlerSpec delete_groups_handler();

}  // namespace eddy::broker
