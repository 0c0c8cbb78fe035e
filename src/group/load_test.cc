// Restart: what the coordinator writes to real __consumer_offsets partition logs is what a new
// coordinator loads back.

#include <gtest/gtest.h>

#include "group/offsets_log.h"
#include "storage/test_util.h"

namespace eddy::group {
namespace {

constexpr int32_t kPartitions = 3;

class LoadTest : public ::testing::Test {
 protected:
  storage::LogManagerConfig logs_config() const {
    storage::LogManagerConfig config;
    config.log_dirs = {dir_.path()};
    return config;
  }

  void create_partitions(storage::LogManager& logs) {
    for (int32_t p = 0; p < kPartitions; ++p) {
      storage::Error error = storage::Error::kNone;
      logs.create_partition(kOffsetsTopic, p, {}, error);
      ASSERT_EQ(error, storage::Error::kNone);
    }
  }

  std::unique_ptr<GroupManager> reload(storage::LogManager& logs, LogSink& sink) {
    auto manager = std::make_unique<GroupManager>(GroupConfig{}, sink, kPartitions);
    LoadStats stats;
    for (int32_t p = 0; p < kPartitions; ++p) {
      EXPECT_TRUE(load_partition(*logs.get(kOffsetsTopic, p), *manager, stats));
    }
    manager->finish_loading(2000);
    return manager;
  }

  static protocol::OffsetCommitRequest commit(const std::string& group, int64_t offset) {
    protocol::OffsetCommitRequest request;
    request.group_id = group;
    request.topics.push_back({"orders", {{0, offset, 1, -1, "note", {}}}, {}});
    return request;
  }

  storage::testing::TempDir dir_;
};

TEST_F(LoadTest, CommittedOffsetsSurviveARestartLastValueWins) {
  {
    storage::LogManager logs(logs_config());
    ASSERT_EQ(logs.open_all(), storage::Error::kNone);
    create_partitions(logs);
    LogSink sink(logs, [](int32_t) { return 0; });
    GroupManager manager(GroupConfig{}, sink, kPartitions);
    for (int64_t offset : {5, 10, 15}) manager.commit(commit("a", offset), 9, 1000);
    manager.commit(commit("b", 3), 9, 1000);
    manager.commit(commit("gone", 1), 9, 1000);
    ASSERT_EQ(manager.delete_group("gone", 1000), ErrorCode::kNone);
    logs.shutdown();
  }
  storage::LogManager logs(logs_config());
  ASSERT_EQ(logs.open_all(), storage::Error::kNone);
  LogSink sink(logs, [](int32_t) { return 0; });
  auto manager = reload(logs, sink);
  EXPECT_EQ(manager->group_count(), 2u);
  const FetchedGroup a = manager->fetch("a", std::nullopt);
  ASSERT_EQ(a.topics.size(), 1u);
  EXPECT_EQ(a.topics[0].partitions[0].committed_offset, 15);
  EXPECT_EQ(a.topics[0].partitions[0].metadata, "note");
  EXPECT_EQ(a.topics[0].partitions[0].committed_leader_epoch, 1);
  EXPECT_EQ(manager->fetch("b", std::nullopt).topics[0].partitions[0].committed_offset, 3);
  EXPECT_EQ(manager->find("gone"), nullptr);
}

TEST_F(LoadTest, StableGroupComesBackWithItsMembersAndAssignments) {
  std::string member_id;
  {
    storage::LogManager logs(logs_config());
    ASSERT_EQ(logs.open_all(), storage::Error::kNone);
    create_partitions(logs);
    LogSink sink(logs, [](int32_t) { return 0; });
    GroupConfig config;
    config.initial_rebalance_delay_ms = 0;
    GroupManager manager(config, sink, kPartitions);
    protocol::JoinGroupRequest join;
    join.group_id = "g";
    join.session_timeout_ms = 10000;
    join.protocol_type = "consumer";
    join.protocols.push_back({"range", {1}, {}});
    manager.join(
        join, ClientInfo{3, "c", "/h"},
        [&](protocol::JoinGroupResponse r) { member_id = r.member_id; }, 1000);
    manager.run_timers(1000);
    ASSERT_FALSE(member_id.empty());
    protocol::SyncGroupRequest sync;
    sync.group_id = "g";
    sync.member_id = member_id;
    sync.generation_id = 1;
    sync.assignments.push_back({member_id, {4, 2}, {}});
    manager.sync(
        sync, [](protocol::SyncGroupResponse) {}, 1000);
    logs.shutdown();
  }
  storage::LogManager logs(logs_config());
  ASSERT_EQ(logs.open_all(), storage::Error::kNone);
  LogSink sink(logs, [](int32_t) { return 0; });
  auto manager = reload(logs, sink);
  const Group* group = manager->find("g");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->state, GroupState::kStable);
  EXPECT_EQ(group->generation, 1);
  EXPECT_EQ(group->protocol_name, "range");
  ASSERT_EQ(group->members.count(member_id), 1u);
  EXPECT_EQ(group->members.at(member_id).assignment, (std::vector<uint8_t>{4, 2}));
}

TEST_F(LoadTest, ARecordOfMaxRecordBytesFitsTheLogsMaxMessageBytes) {
  storage::LogManager logs(logs_config());
  ASSERT_EQ(logs.open_all(), storage::Error::kNone);
  create_partitions(logs);
  LogSink sink(logs, [](int32_t) { return 0; });
  const size_t limit = sink.max_record_bytes(0);
  EXPECT_EQ(limit, size_t{LogSink::kDefaultMaxBatchBytes} - LogSink::kBatchOverheadBytes);
  std::vector<KeyValue> records(1);
  records[0].key = std::vector<uint8_t>(10, 'k');
  records[0].value = std::vector<uint8_t>(limit - 10, 'v');
  EXPECT_EQ(sink.append(0, records, 1000), ErrorCode::kNone);
  // Above the log's max.message.bytes: storage refuses it (in OffsetCommit's terms).
  records[0].value->resize(LogSink::kDefaultMaxBatchBytes);
  EXPECT_EQ(sink.append(0, records, 1000), ErrorCode::kInvalidCommitOffsetSize);
  logs.shutdown();
}

}  // namespace
}  // namespace eddy::group
