#pragma once

#include <cstdint>

#include "broker/dispatch/handler.h"
#include "broker/fetch/fetch_waiters.h"
#include "broker/partitions/led_partition.h"
#include "protocol/generated/produce_request.h"
#include "protocol/generated/produce_response.h"

namespace eddy::broker {

// Produce 0-11: validates each partition's records (produce/validator.h) and appends them to
// its log byte for byte (only the broker-owned header fields are patched, in the request
// buffer itself). acks=0 sends no response; acks=1 and acks=-1 are the same on a single node:
// the append is in the page cache when the response leaves, which survives a process crash
// (fsync policy: docs/storage-format.md).
HandlerSpec produce_handler();

// The whole Produce answer for the topics in `view.image` at `version` (unknown topics answer
// UNKNOWN_TOPIC_OR_PARTITION; auto-creation happened before). Validates and appends; every
// log appended to is passed to `waiters` (null: nobody waits, as in tests).
protocol::ProduceResponse produce(const PartitionView& view, protocol::ProduceRequest& request,
                                  int16_t version, int64_t now_ms, FetchWaiters* waiters);

}  // namespace eddy::broker
