#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// DeleteTopics 0-6: by name (all versions) or by topic id (v6). Internal topics are refused.
HandlerSpec delete_topics_handler();

}  // namespace eddy::broker
