#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/handler.h"
#include "config/server_config.h"
#include "metadata/image.h"
#include "protocol/error_code.h"
#include "protocol/generated/list_offsets_request.h"
#include "protocol/generated/list_offsets_response.h"
#include "storage/log_manager.h"

namespace eddy::broker {

// ListOffsets 1-10: per partition, the earliest (-2), latest (-1), max-timestamp (-3, v7+),
// earliest-local (-4, v8+) or latest-tiered (-5, v9+) offset, or the first offset whose
// record timestamp is >= the requested one.
HandlerSpec list_offsets_handler();

// What the offset APIs read to answer: this node's config, a metadata image and the logs.
struct PartitionView {
  const config::ServerConfig& config;
  const metadata::MetadataImage& image;
  const storage::LogManager& logs;
};

// A partition this node leads with its log, or the error a request about it gets.
struct LedPartition {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  int32_t leader_epoch = -1;
  std::shared_ptr<storage::PartitionLog> log;
};

// The error for a client's `current_leader_epoch` against ours (-1: the client does not
// check). Newer than ours: UNKNOWN_LEADER_EPOCH (we may lag); older: FENCED_LEADER_EPOCH.
protocol::ErrorCode check_leader_epoch(int32_t current_leader_epoch, int32_t leader_epoch);

// Finds `topic`/`partition` led here and checks the client's leader epoch. Errors:
// UNKNOWN_TOPIC_OR_PARTITION (not in the image), NOT_LEADER_OR_FOLLOWER (led elsewhere, or
// its log is not open yet), then check_leader_epoch's. Shared by the offset APIs.
LedPartition find_led_partition(const PartitionView& view, const std::string& topic,
                                int32_t partition, int32_t current_leader_epoch);

// The whole ListOffsets answer at `version`; reads storage, never blocks on appends.
protocol::ListOffsetsResponse list_offsets(const PartitionView& view,
                                           const protocol::ListOffsetsRequest& request,
                                           int16_t version);

}  // namespace eddy::broker
