#pragma once

#include "broker/handler.h"

namespace eddy::broker {

// Fetch 4-16: whole batches from each partition's log, sent from the segment files with
// sendfile (no copy of record bytes in user space). Long poll: when fewer than min_bytes are
// available the request waits up to max_wait_ms, woken early by appends (FetchWaiters).
// Size rules as KIP-74: at most max_bytes in all and partition_max_bytes per partition, but
// the first batch returned is sent whole even when larger, so a consumer always progresses.
// Fetch sessions (KIP-227): see fetch_sessions.h.
HandlerSpec fetch_handler();

}  // namespace eddy::broker
