#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "broker/dispatch/handler.h"
#include "broker/partitions/led_partition.h"
#include "protocol/error_code.h"
#include "protocol/generated/fetch_request.h"
#include "protocol/generated/fetch_response.h"

namespace eddy::broker {

// Fetch 0-17: whole batches from each partition's log, sent from the segment files with
// sendfile (no copy of record bytes in user space; v0-3 get a down-converted copy). Long poll:
// when fewer than min_bytes are available the request waits up to max_wait_ms, woken early by
// appends (FetchWaiters). Size rules as KIP-74: at most max_bytes in all and
// partition_max_bytes per partition, but the first batch returned is sent whole even when
// larger, so a consumer always progresses. Fetch sessions (KIP-227): see fetch/fetch_sessions.h.
HandlerSpec fetch_handler();

// The core, without sockets or waiting: the requested partitions resolved once against a
// metadata image, then read as they are now, as often as the long poll needs.
struct FetchPlan {
  struct Partition {
    const protocol::FetchRequest::FetchPartition* request = nullptr;
    std::shared_ptr<storage::PartitionLog> log;  // null when `error` is set
    protocol::ErrorCode error = protocol::ErrorCode::kNone;
  };
  struct Topic {
    const protocol::FetchRequest::FetchTopic* request = nullptr;
    std::vector<Partition> partitions;
  };
  std::vector<Topic> topics;
};

struct FetchRead {
  protocol::FetchResponse response;
  int64_t bytes = 0;       // record bytes in the response
  bool any_error = false;  // some partition answers an error (the fetch returns at once)
};

// `request` must outlive the plan (it points into it).
FetchPlan plan_fetch(const PartitionView& view, const protocol::FetchRequest& request,
                     int16_t version);
FetchRead read_fetch(const FetchPlan& plan, const protocol::FetchRequest& request, int16_t version);
// Whether the long poll is over: min_bytes met, an error to report, or no wait asked.
bool fetch_satisfied(const FetchRead& read, const protocol::FetchRequest& request);

}  // namespace eddy::broker
