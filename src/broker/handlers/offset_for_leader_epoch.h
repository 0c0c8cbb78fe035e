#pragma once

#include "broker/dispatch/handler.h"
#include "broker/partitions/led_partition.h"
#include "protocol/generated/offset_for_leader_epoch_request.h"
#include "protocol/generated/offset_for_leader_epoch_response.h"

namespace eddy::broker {

// OffsetForLeaderEpoch 0-4 (v0 answers without the epoch, as Kafka): the end offset of a
// leader epoch, which clients compare with their position to detect log truncation after a
// leader change.
//
// Single-node simplification: leadership never moves and the log is never truncated, so
// every epoch's log runs to the log end offset. For a requested epoch at or above the
// partition's, the answer is (partition's epoch, log end offset); for an older one,
// (requested epoch, log end offset). Kafka would answer an older epoch with the start offset
// of the next epoch from its leader-epoch cache; Eddy keeps no such cache yet. A cluster
// mode with leader changes needs one.
// A requested epoch of -1 gets (-1, -1), as in Kafka.
HandlerSpec offset_for_leader_epoch_handler();

// The whole OffsetForLeaderEpoch answer.
protocol::OffsetForLeaderEpochResponse offset_for_leader_epoch(
    const PartitionView& view, const protocol::OffsetForLeaderEpochRequest& request);

}  // namespace eddy::broker
