#include "metadata/controller.h"

#include <gtest/gtest.h>

#include "metadata/state_machine.h"

namespace eddy::metadata {
namespace {

ControllerDefaults defaults() {
  return ControllerDefaults{0, 4, 1};
}

class MetadataControllerTest : public ::testing::Test {
 protected:
  void commit(const std::vector<Record>& records) {
    for (const Record& record : records) ASSERT_TRUE(machine_.apply(record).ok());
  }
  std::vector<TopicResult> create(std::vector<CreateTopicSpec> specs) {
    std::vector<Record> records;
    auto results = plan_create_topics(machine_.image(), defaults(), specs, records);
    commit(records);
    return results;
  }
  MetadataStateMachine machine_;
};

TEST_F(MetadataControllerTest, TopicNameRules) {
  EXPECT_TRUE(validate_topic_name("a.b_c-D9").ok());
  EXPECT_TRUE(validate_topic_name(std::string(249, 'x')).ok());
  for (std::string bad : {std::string(), std::string("."), std::string(".."), std::string(250, 'x'),
                          std::string("a b"), std::string("a/b"), std::string("caf\xc3\xa9"),
                          std::string("a\0b", 3)}) {
    Status status = validate_topic_name(bad);
    EXPECT_EQ(status.code, Error::kInvalidTopic) << bad;
    EXPECT_TRUE(status.message.has_value());
  }
}

TEST_F(MetadataControllerTest, CreateTopicsPerItemErrors) {
  auto results = create({{"ok", -1, -1, {}},
                         {"bad name", 1, 1, {}},
                         {"zero", 0, 1, {}},
                         {"negative", -5, 1, {}},
                         {"rf3", 1, 3, {}},
                         {"rf0", 1, 0, {}},
                         {"dup", 1, 1, {}},
                         {"dup", 1, 1, {}}});
  ASSERT_EQ(results.size(), 8u);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_FALSE(results[0].topic_id.is_zero());
  EXPECT_EQ(results[0].num_partitions, 4);
  EXPECT_EQ(results[0].replication_factor, 1);
  EXPECT_EQ(results[1].status.code, Error::kInvalidTopic);
  EXPECT_EQ(results[2].status.code, Error::kInvalidPartitions);
  EXPECT_EQ(results[3].status.code, Error::kInvalidPartitions);
  EXPECT_EQ(results[4].status.code, Error::kInvalidReplicationFactor);
  EXPECT_TRUE(results[4].status.message.has_value());
  EXPECT_EQ(results[5].status.code, Error::kInvalidReplicationFactor);
  EXPECT_EQ(results[6].status.code, Error::kInvalidRequest);
  EXPECT_EQ(results[7].status.code, Error::kInvalidRequest);
  ASSERT_NE(machine_.image().topic("ok"), nullptr);
  EXPECT_EQ(machine_.image().topic("ok")->partitions.size(), 4u);
  EXPECT_EQ(machine_.image().topics_by_name.size(), 1u);

  auto again = create({{"ok", 1, 1, {}}});
  EXPECT_EQ(again[0].status.code, Error::kTopicExists);
}

TEST_F(MetadataControllerTest, DeleteByNameAndId) {
  auto created = create({{"a", 1, 1, {}}, {"b", 1, 1, {}}});
  std::vector<Record> records;
  auto results = plan_delete_topics(
      machine_.image(),
      {{"a", {}}, {"", created[1].topic_id}, {"nope", {}}, {"", Uuid::random()}, {"a", {}}},
      records);
  commit(records);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(results[0].topic_id, created[0].topic_id);
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_EQ(results[1].name, "b");
  EXPECT_EQ(results[2].status.code, Error::kUnknownTopic);
  EXPECT_EQ(results[3].status.code, Error::kUnknownTopicId);
  EXPECT_EQ(results[4].status.code, Error::kUnknownTopic);
  EXPECT_TRUE(machine_.image().topics_by_name.empty());
}

TEST_F(MetadataControllerTest, CreatePartitionsOnlyIncreases) {
  create({{"a", 2, 1, {}}});
  std::vector<Record> records;
  auto results =
      plan_create_partitions(machine_.image(), defaults(), {{"a", 5}, {"missing", 3}}, records);
  commit(records);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(results[1].status.code, Error::kUnknownTopic);
  EXPECT_EQ(machine_.image().topic("a")->partitions.size(), 5u);
  records.clear();
  results = plan_create_partitions(machine_.image(), defaults(), {{"a", 5}}, records);
  EXPECT_EQ(results[0].status.code, Error::kInvalidPartitions);
  results = plan_create_partitions(machine_.image(), defaults(), {{"a", 3}}, records);
  EXPECT_EQ(results[0].status.code, Error::kInvalidPartitions);
  EXPECT_TRUE(records.empty());
}

TEST_F(MetadataControllerTest, AlterConfigsValidatesResources) {
  create({{"a", 1, 1, {}}});
  std::vector<Record> records;
  auto results =
      plan_alter_configs(machine_.image(),
                         {{ConfigResourceType::kTopic, "a", {{"retention.ms", "1"}}},
                          {ConfigResourceType::kTopic, "missing", {{"retention.ms", "1"}}},
                          {ConfigResourceType::kBroker, "abc", {{"x", "1"}}},
                          {ConfigResourceType::kBroker, "", {{"x", "1"}}},
                          {ConfigResourceType::kBroker, "0", {{"", "1"}}}},
                         records);
  commit(records);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(results[1].status.code, Error::kUnknownTopic);
  EXPECT_EQ(results[2].status.code, Error::kInvalidRequest);
  EXPECT_TRUE(results[3].status.ok());
  EXPECT_EQ(results[4].status.code, Error::kInvalidConfig);
  EXPECT_EQ(machine_.image().topic("a")->configs.at("retention.ms"), "1");
  EXPECT_EQ(machine_.image().broker_configs.at("").at("x"), "1");
}

}  // namespace
}  // namespace eddy::metadata
