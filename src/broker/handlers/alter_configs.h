#pragma once

// AlterConfigs 0-2 (legacy, non-incremental: the request's configs replace a topic's whole
// override set). The resource handling it shares with IncrementalAlterConfigs lives in
// configs/alter.h.

#include "broker/dispatch/handler.h"

namespace eddy::broker {

HandlerSpec alter_configs_handler();

}  // namespace eddy::broker
