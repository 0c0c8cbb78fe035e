#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// OffsetFetch 0-9 (group coordinator; v0, which Kafka read from ZooKeeper, reads the same
// offsets as v1): all partitions when topics is null (v2+), several groups
// from v8. No transactional offsets exist yet, so require_stable (v7+) always sees stable offsets.
HandlerSpec offset_fetch_handler();

}  // namespace eddy::broker
