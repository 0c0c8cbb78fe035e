#include "reconcile/partition_sync.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "metadata/test_images.h"
#include "storage/test_util.h"

namespace eddy::reconcile {
namespace {

using storage::testing::TempDir;

constexpr int32_t kNode = 1;
constexpr int64_t kNow = 1'700'000'000'000;

// Topic `name` with id `id` and `partitions` partitions led by `leader`.
metadata::TopicPtr make_topic(const std::string& name, uint8_t id, int32_t partitions,
                              metadata::ConfigMap configs = {}, int32_t leader = kNode) {
  auto topic = metadata::testing::topic_image(name, partitions, leader, 0, std::move(configs));
  topic->topic_id.bytes[15] = id;
  return topic;
}

metadata::MetadataImage image_of(std::initializer_list<metadata::TopicPtr> topics) {
  metadata::MetadataImage image;
  for (const auto& topic : topics) {
    image.topics_by_name[topic->name] = topic;
    image.topics_by_id[topic->topic_id] = topic;
  }
  return image;
}

class PartitionSyncTest : public ::testing::Test {
 protected:
  PartitionSyncTest() : logs_(log_config(dir_)) {
    server_.node_id = kNode;
    EXPECT_EQ(logs_.open_all(), storage::Error::kNone);
  }

  static storage::LogManagerConfig log_config(const TempDir& dir) {
    storage::LogManagerConfig config;
    config.log_dirs = {dir.path()};
    return config;
  }

  int64_t retention_ms(const std::string& topic, int32_t partition) const {
    return logs_.get(topic, partition)->config()->retention_ms;
  }

  TempDir dir_;
  config::ServerConfig server_;
  storage::LogManager logs_;
  PartitionSync sync_{server_, logs_};
};

TEST_F(PartitionSyncTest, ANewTopicGetsItsLogsWithItsResolvedConfig) {
  sync_.apply(image_of({}), image_of({make_topic("t", 1, 3, {{"retention.ms", "1234"}})}));
  for (int32_t p = 0; p < 3; ++p) {
    ASSERT_NE(logs_.get("t", p), nullptr);
    EXPECT_EQ(retention_ms("t", p), 1234);
  }
  EXPECT_EQ(logs_.get("t", 3), nullptr);
}

TEST_F(PartitionSyncTest, AddedPartitionsGetLogsAndTheOthersKeepTheirs) {
  const auto one = image_of({make_topic("t", 1, 1)});
  sync_.apply(image_of({}), one);
  const auto first = logs_.get("t", 0);
  ASSERT_NE(first, nullptr);
  sync_.apply(one, image_of({make_topic("t", 1, 3)}));
  EXPECT_EQ(logs_.get("t", 0), first);
  EXPECT_NE(logs_.get("t", 1), nullptr);
  EXPECT_NE(logs_.get("t", 2), nullptr);
}

TEST_F(PartitionSyncTest, ADeletedTopicLosesItsLogs) {
  const auto before = image_of({make_topic("t", 1, 2)});
  sync_.apply(image_of({}), before);
  sync_.apply(before, image_of({}));
  EXPECT_EQ(logs_.get("t", 0), nullptr);
  EXPECT_EQ(logs_.get("t", 1), nullptr);
}

TEST_F(PartitionSyncTest, ATopicRecreatedUnderANewIdStartsWithEmptyLogs) {
  const auto before = image_of({make_topic("t", 1, 1)});
  sync_.apply(image_of({}), before);
  auto bytes = storage::testing::make_batches(2, 3, kNow);
  ASSERT_EQ(logs_.get("t", 0)->append(bytes, 0, kNow).error, storage::Error::kNone);
  ASSERT_EQ(logs_.get("t", 0)->log_end_offset(), 6);
  sync_.apply(before, image_of({make_topic("t", 2, 1)}));
  ASSERT_NE(logs_.get("t", 0), nullptr);
  EXPECT_EQ(logs_.get("t", 0)->log_end_offset(), 0);
}

TEST_F(PartitionSyncTest, ChangedOverridesReachTheOpenLogs) {
  const auto before = image_of({make_topic("t", 1, 2)});
  sync_.apply(image_of({}), before);
  sync_.apply(before, image_of({make_topic("t", 1, 2, {{"retention.ms", "5000"}})}));
  EXPECT_EQ(retention_ms("t", 0), 5000);
  EXPECT_EQ(retention_ms("t", 1), 5000);
}

TEST_F(PartitionSyncTest, DynamicBrokerConfigsReachEveryTopicWithoutAnOverride) {
  const auto plain = make_topic("plain", 1, 1);
  const auto pinned = make_topic("pinned", 2, 1, {{"retention.ms", "42"}});
  const auto before = image_of({plain, pinned});
  sync_.apply(image_of({}), before);
  auto after = before;
  after.broker_configs[""]["log.retention.ms"] = "7000";
  sync_.apply(before, after);
  EXPECT_EQ(retention_ms("plain", 0), 7000);
  EXPECT_EQ(retention_ms("pinned", 0), 42);
  // This node's own dynamic setting wins over the cluster default.
  auto node = after;
  node.broker_configs["1"]["log.retention.ms"] = "8000";
  sync_.apply(after, node);
  EXPECT_EQ(retention_ms("plain", 0), 8000);
}

TEST_F(PartitionSyncTest, StartUpCreatesMissingLogsAndLeavesUnknownOnes) {
  storage::Error error = storage::Error::kNone;
  ASSERT_NE(logs_.create_partition("stray", 0, config::TopicConfig{}, error), nullptr);
  sync_.reconcile(image_of({make_topic("t", 1, 2)}));
  EXPECT_NE(logs_.get("t", 0), nullptr);
  EXPECT_NE(logs_.get("t", 1), nullptr);
  EXPECT_NE(logs_.get("stray", 0), nullptr);
}

TEST_F(PartitionSyncTest, FirstPartitionWithoutLogCountsOnlyPartitionsLedHere) {
  auto topic = std::make_shared<metadata::TopicImage>(*make_topic("t", 1, 3));
  topic->partitions[0].leader = kNode + 1;
  EXPECT_EQ(first_partition_without_log(logs_, *topic, kNode), 1);
  storage::Error error = storage::Error::kNone;
  ASSERT_NE(logs_.create_partition("t", 1, config::TopicConfig{}, error), nullptr);
  EXPECT_EQ(first_partition_without_log(logs_, *topic, kNode), 2);
  ASSERT_NE(logs_.create_partition("t", 2, config::TopicConfig{}, error), nullptr);
  EXPECT_EQ(first_partition_without_log(logs_, *topic, kNode), -1);
}

}  // namespace
}  // namespace eddy::reconcile
