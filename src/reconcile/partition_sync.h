#pragma once

// Keeps the partition logs on disk in step with the metadata image: a partition that appears
// in the image gets a log, a topic that disappears (or is re-created under a new id) loses
// its logs, and a topic whose configs change (its own or the dynamic broker configs it falls
// back to) gets its newly resolved TopicConfig: the one place configs are resolved.
//
// Threads: apply() runs on the metadata store's raft thread (its image listener) and once at
// start-up; the log manager is thread-safe.

#include "config/server_config.h"
#include "metadata/image.h"
#include "storage/log_manager.h"

namespace eddy::reconcile {

class PartitionSync {
 public:
  PartitionSync(const config::ServerConfig& config, storage::LogManager& logs)
      : config_(config), logs_(logs) {}

  // Brings storage from `old_image` to `new_image`.
  void apply(const metadata::MetadataImage& old_image, const metadata::MetadataImage& new_image);

  // At start-up: creates the logs the image has and storage lacks; logs storage has for
  // topics the image lacks are left alone with a warning (the metadata may be what is wrong).
  void reconcile(const metadata::MetadataImage& image);

 private:
  void create_logs(const metadata::MetadataImage& image, const metadata::TopicImage& topic,
                   int32_t first_partition);
  // Hands each open log of `topic` its configuration resolved under `image`.
  void update_configs(const metadata::MetadataImage& image, const metadata::TopicImage& topic);
  void delete_logs(const metadata::TopicImage& topic);

  const config::ServerConfig& config_;
  storage::LogManager& logs_;
};

// The first partition of `topic` led by `node_id` whose log is not open (it failed to open and
// is offline, retried by the log manager), or -1. CreateTopics asks after the commit: the image
// listener (apply) has created the logs by the time the commit is acknowledged.
int32_t first_partition_without_log(const storage::LogManager& logs,
                                    const metadata::TopicImage& topic, int32_t node_id);

}  // namespace eddy::reconcile
