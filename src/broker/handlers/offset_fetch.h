#pragma once

#include "broker/handler.h"

namespace eddy::broker {

// OffsetFetch 1-9 (group coordinator): all partitions when topics is null (v2+), several groups
// from v8. No transactional offsets exist yet, so require_stable (v7+) always sees stable offsets.
HandlerSpec offset_fetch_handler();

}  // namespace eddy::broker
