#pragma once

// Finding a partition that this node leads, with its log — the first step of every request
// that reads or writes a partition (Produce, Fetch, ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch) — with Kafka's errors for each way it can fail.

#include <cstdint>
#include <memory>
#include <string>

#include "config/server_config.h"
#include "metadata/image.h"
#include "protocol/error_code.h"
#include "storage/log_manager.h"

namespace eddy::broker {

// What a partition lookup reads: this node's config, a metadata image and the logs.
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

// Finds partition `partition` of `topic` (null: the topic does not exist) led here and checks
// the client's leader epoch. Errors: UNKNOWN_TOPIC_OR_PARTITION (not in the image),
// NOT_LEADER_OR_FOLLOWER (led elsewhere, or its log is not open yet — the client retries),
// then check_leader_epoch's, then KAFKA_STORAGE_ERROR (its log failed to open: offline).
LedPartition find_led_partition(const PartitionView& view, const metadata::TopicImage* topic,
                                int32_t partition, int32_t current_leader_epoch);
LedPartition find_led_partition(const PartitionView& view, const std::string& topic,
                                int32_t partition, int32_t current_leader_epoch);

}  // namespace eddy::broker
