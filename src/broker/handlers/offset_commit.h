#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// OffsetCommit 0-9 (group coordinator). Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION. v0 (which Kafka kept in ZooKeeper, and a KRaft Kafka 3.x refused
// with UNSUPPORTED_VERSION) commits to the coordinator like v1+ without a generation; v1's
// explicit commit timestamp sets the commit time and the expiry (docs/kafka-differences.md).
HandlerSpec offset_commit_handler();

}  // namespace eddy::broker
