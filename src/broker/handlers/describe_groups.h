#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// DescribeGroups 0-5 (group coordinator).
HandlerSpec describe_groups_handler();

}  // namespace eddy::broker
