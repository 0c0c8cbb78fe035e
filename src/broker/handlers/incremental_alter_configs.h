#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// IncrementalAlterConfigs 0-1: SET, DELETE, APPEND and SUBTRACT (list configs) on topic
// overrides; validate_only. Topic changes take effect at once (PartitionSync updates the
// logs when the change is committed). Broker resources: see check_alter_resource.
HandlerSpec incremental_alter_configs_handler();

}  // namespace eddy::broker
