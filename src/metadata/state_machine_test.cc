#include "metadata/state_machine.h"

#include <gtest/gtest.h>

#include "metadata/controller.h"

namespace eddy::metadata {
namespace {

ControllerDefaults defaults() {
  return ControllerDefaults{1, 3, 1};
}

// Builds a history through the controller, applying each plan as the store would.
std::vector<std::vector<Record>> sample_history() {
  std::vector<std::vector<Record>> history;
  MetadataStateMachine machine;
  auto commit = [&](std::vector<Record> records) {
    for (const Record& record : records) EXPECT_TRUE(machine.apply(record).ok());
    history.push_back(std::move(records));
  };
  std::vector<Record> records;
  plan_register_broker(RegisterBrokerRecord{1, {{"PLAINTEXT", "127.0.0.1", 9092}}, {}}, records);
  commit(std::move(records));
  records = {};
  plan_create_topics(machine.image(), defaults(),
                     {{"a", 2, 1, {{"cleanup.policy", "compact"}}}, {"b", -1, -1, {}}}, records);
  commit(std::move(records));
  records = {};
  plan_create_partitions(machine.image(), defaults(), {{"a", 5}}, records);
  commit(std::move(records));
  records = {};
  plan_alter_configs(
      machine.image(),
      {{ConfigResourceType::kTopic, "a", {{"retention.ms", "5"}, {"cleanup.policy", std::nullopt}}},
       {ConfigResourceType::kBroker, "1", {{"log.retention.ms", "9"}}}},
      records);
  commit(std::move(records));
  records = {};
  plan_delete_topics(machine.image(), {{"b", {}}}, records);
  commit(std::move(records));
  return history;
}

MetadataStateMachine replay(const std::vector<std::vector<Record>>& history) {
  MetadataStateMachine machine;
  uint64_t index = 0;
  for (const auto& batch : history) {
    for (const Record& record : batch) EXPECT_TRUE(machine.apply(record).ok());
    machine.set_last_applied_index(++index);
  }
  return machine;
}

TEST(MetadataStateMachine, AppliesHistory) {
  MetadataStateMachine machine = replay(sample_history());
  const MetadataImage& image = machine.image();
  ASSERT_EQ(image.topics_by_name.size(), 1u);
  const TopicImage* a = image.topic("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(image.topic(a->topic_id), a);
  EXPECT_EQ(a->partitions.size(), 5u);
  for (size_t i = 0; i < a->partitions.size(); ++i) {
    EXPECT_EQ(a->partitions[i].partition_index, static_cast<int32_t>(i));
    EXPECT_EQ(a->partitions[i].leader, 1);
    EXPECT_EQ(a->partitions[i].replicas, std::vector<int32_t>{1});
  }
  EXPECT_EQ(a->configs, (ConfigMap{{"retention.ms", "5"}}));
  EXPECT_EQ(image.topic("b"), nullptr);
  EXPECT_EQ(image.broker_configs.at("1"), (ConfigMap{{"log.retention.ms", "9"}}));
  ASSERT_EQ(image.brokers.size(), 1u);
  EXPECT_EQ(image.brokers.at(1).listeners[0].port, 9092);
  EXPECT_EQ(image.last_applied_index, 5u);
}

TEST(MetadataStateMachine, SameRecordsGiveSameImage) {
  auto history = sample_history();
  MetadataStateMachine first = replay(history);
  MetadataStateMachine second = replay(history);
  EXPECT_TRUE(first.image().equals(second.image()));
  // And a different history gives a different image.
  history.pop_back();
  EXPECT_FALSE(first.image().equals(replay(history).image()));
}

TEST(MetadataStateMachine, SnapshotRestoresEqualImage) {
  MetadataStateMachine machine = replay(sample_history());
  std::vector<uint8_t> bytes = encode_snapshot(machine.image());
  SnapshotDecodeResult restored = decode_snapshot(bytes.data(), bytes.size());
  ASSERT_TRUE(restored.ok()) << restored.error;
  EXPECT_TRUE(restored.image.equals(machine.image()));
  EXPECT_EQ(encode_snapshot(restored.image), bytes);
}

TEST(MetadataStateMachine, CorruptSnapshotIsAnError) {
  MetadataStateMachine machine = replay(sample_history());
  std::vector<uint8_t> bytes = encode_snapshot(machine.image());
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(decode_snapshot(bytes.data(), size).ok());
  }
}

TEST(MetadataStateMachine, PublishedImagesAreNotChangedByLaterApplies) {
  MetadataStateMachine machine;
  Uuid id = Uuid::random();
  ASSERT_TRUE(machine.apply(TopicRecord{"t", id}).ok());
  ASSERT_TRUE(machine.apply(PartitionRecord{id, 0, {1}, {1}, 1, 0, 0}).ok());
  auto before = machine.publish();
  ASSERT_TRUE(machine.apply(PartitionRecord{id, 1, {1}, {1}, 1, 0, 0}).ok());
  ASSERT_TRUE(machine.apply(ConfigRecord{ConfigResourceType::kTopic, "t", "k", "v"}).ok());
  EXPECT_EQ(before->topic("t")->partitions.size(), 1u);
  EXPECT_TRUE(before->topic("t")->configs.empty());
  auto after = machine.publish();
  EXPECT_EQ(after->topic("t")->partitions.size(), 2u);
  EXPECT_EQ(after->topic(id)->configs.size(), 1u);
}

TEST(MetadataStateMachine, InconsistentRecordsAreRejectedWithoutChange) {
  MetadataStateMachine machine;
  Uuid id = Uuid::random();
  EXPECT_FALSE(machine.apply(PartitionRecord{id, 0, {1}, {1}, 1, 0, 0}).ok());
  EXPECT_FALSE(machine.apply(RemoveTopicRecord{id}).ok());
  EXPECT_FALSE(machine.apply(ConfigRecord{ConfigResourceType::kTopic, "x", "k", "v"}).ok());
  EXPECT_FALSE(machine.apply(TopicRecord{"zero", Uuid{}}).ok());
  ASSERT_TRUE(machine.apply(TopicRecord{"t", id}).ok());
  EXPECT_FALSE(machine.apply(TopicRecord{"t", Uuid::random()}).ok());
  EXPECT_FALSE(machine.apply(TopicRecord{"other", id}).ok());
  EXPECT_FALSE(machine.apply(PartitionRecord{id, 1, {1}, {1}, 1, 0, 0}).ok());  // gap
  EXPECT_FALSE(machine.apply(PartitionRecord{id, -1, {1}, {1}, 1, 0, 0}).ok());
  EXPECT_EQ(machine.image().topics_by_name.size(), 1u);
  EXPECT_TRUE(machine.image().topic("t")->partitions.empty());
}

}  // namespace
}  // namespace eddy::metadata

namespace eddy::metadata {
namespace {

// Regression: editing a topic the machine alone owns must not read the old copy after
// replacing it (caught by ASan as a use-after-free).
TEST(MetadataStateMachine, EditsSolelyOwnedTopics) {
  Uuid id = Uuid::random();
  std::shared_ptr<const MetadataImage> published;
  {
    MetadataStateMachine first;
    ASSERT_TRUE(first.apply(TopicRecord{"t", id}).ok());
    published = first.publish();
  }
  MetadataStateMachine second(*published);
  published.reset();
  ASSERT_TRUE(second.apply(ConfigRecord{ConfigResourceType::kTopic, "t", "k", "v"}).ok());
  ASSERT_TRUE(second.apply(ConfigRecord{ConfigResourceType::kTopic, "t", "k2", "v"}).ok());
  EXPECT_EQ(second.image().topic(id)->configs.size(), 2u);
}

}  // namespace
}  // namespace eddy::metadata
