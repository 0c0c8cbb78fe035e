#pragma once

#include "broker/handler.h"

namespace eddy::broker {

// OffsetCommit 2-9 (group coordinator). Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION.
HandlerSpec offset_commit_handler();

}  // namespace eddy::broker
