#pragma once

// DescribeConfigs 0-4 for TOPIC and BROKER resources (BROKER_LOGGER answers an empty list):
// every config with its effective value, source (v0: is_default), synonyms (v1+) and type (v3+),
// as configs/describe.h describes them.

#include "broker/dispatch/handler.h"

namespace eddy::broker {

HandlerSpec describe_configs_handler();

}  // namespace eddy::broker
