#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// OffsetDelete 0 (group coordinator, KIP-496): not for topics a consumer group subscribes to
// (GROUP_SUBSCRIBED_TO_TOPIC).
HandlerSpec offset_delete_handler();

}  // namespace eddy::broker
