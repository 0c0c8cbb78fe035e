#pragma once

// Handler-core tests: a metadata image whose partitions this node (1) leads, with their logs
// created in a test's LogManager, so a core function reads and writes real partition logs.

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "config/topic_config.h"
#include "metadata/image.h"
#include "metadata/test_images.h"
#include "storage/log_manager.h"

namespace eddy::broker::testing {

inline void add_led_topic(metadata::MetadataImage& image, storage::LogManager& logs,
                          const std::string& name, int32_t partitions, int32_t leader_epoch,
                          metadata::ConfigMap configs = {}, int32_t leader = 1) {
  // The typed config as PartitionSync would resolve it (no broker settings in tests).
  const config::TopicConfig resolved = config::resolve_topic_config(configs, {});
  auto topic =
      metadata::testing::topic_image(name, partitions, leader, leader_epoch, std::move(configs));
  for (int32_t p = 0; p < partitions; ++p) {
    storage::Error error = storage::Error::kNone;
    ASSERT_NE(logs.create_partition(name, p, resolved, error), nullptr);
  }
  image.topics_by_name[name] = topic;
}

}  // namespace eddy::broker::testing
