#pragma once

#include "broker/dispatch/handler.h"
#include "broker/partitions/led_partition.h"
#include "protocol/generated/delete_records_request.h"
#include "protocol/generated/delete_records_response.h"

namespace eddy::broker {

// DeleteRecords 0-2: moves each partition's log start offset (the low watermark) up to the
// requested offset (-1: the high watermark). Segments wholly below it go at the next
// retention pass. Single node: no replicas to wait for, so `timeout_ms` is not used.
HandlerSpec delete_records_handler();

// The whole DeleteRecords answer; moves log start offsets as it goes.
protocol::DeleteRecordsResponse delete_records(const PartitionView& view,
                                               const protocol::DeleteRecordsRequest& request);

}  // namespace eddy::broker
