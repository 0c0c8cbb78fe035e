#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// CreateTopics 0-7: name, partition count, replication factor (1 on a single node), manual
// assignments naming this node only, validated configs, validate_only (v1+); v5+ also returns the
// resolved partition count, replication factor and full config list, v7 the topic id.
HandlerSpec create_topics_handler();

}  // namespace eddy::broker
