#pragma once

#include "broker/handler.h"

namespace eddy::broker {

// Produce 3-11: appends each partition's record batches to its log, byte for byte (only the
// broker-owned header fields are patched, in the request buffer itself). acks=0 sends no
// response; acks=1 and acks=-1 are the same on a single node: the append is in the page cache
// when the response leaves, which survives a process crash (fsync policy: docs/storage-format.md).
HandlerSpec produce_handler();

}  // namespace eddy::broker
