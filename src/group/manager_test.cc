// The group state machine driven with a fake clock and an in-memory record sink.

#include "group/manager.h"

#include <gtest/gtest.h>

namespace eddy::group {
namespace {

using protocol::to_int;

struct MemorySink : RecordSink {
  ErrorCode append(int32_t partition, const std::vector<KeyValue>& records, int64_t) override {
    if (fail) return fail_with;
    for (const KeyValue& record : records) written.push_back({partition, record});
    return ErrorCode::kNone;
  }
  size_t max_record_bytes(int32_t) const override { return max_record; }
  std::vector<std::pair<int32_t, KeyValue>> written;
  bool fail = false;
  ErrorCode fail_with = ErrorCode::kCoordinatorNotAvailable;
  size_t max_record = 1 << 20;
};

struct JoinResult {
  bool answered = false;
  protocol::JoinGroupResponse response;
};

struct SyncResult {
  bool answered = false;
  protocol::SyncGroupResponse response;
};

class GroupManagerTest : public ::testing::Test {
 protected:
  GroupManagerTest() : manager_(make_config(), sink_, 50) {}

  static GroupConfig make_config() {
    GroupConfig config;
    config.initial_rebalance_delay_ms = 100;
    return config;
  }

  protocol::JoinGroupRequest join_request(const std::string& member_id,
                                          std::vector<std::string> protocols = {"range"},
                                          std::optional<std::string> instance = std::nullopt) {
    protocol::JoinGroupRequest request;
    request.group_id = "g";
    request.member_id = member_id;
    request.session_timeout_ms = 10000;
    request.rebalance_timeout_ms = 5000;
    request.protocol_type = "consumer";
    request.group_instance_id = std::move(instance);
    for (const auto& name : protocols) request.protocols.push_back({name, {1, 2}, {}});
    return request;
  }

  std::shared_ptr<JoinResult> join(protocol::JoinGroupRequest request, int16_t version = 9) {
    auto result = std::make_shared<JoinResult>();
    manager_.join(
        std::move(request), ClientInfo{version, "client", "/127.0.0.1"},
        [result](protocol::JoinGroupResponse response) {
          result->answered = true;
          result->response = std::move(response);
        },
        now_);
    return result;
  }

  // v4+ dance: the first JoinGroup returns MEMBER_ID_REQUIRED and the id to use.
  std::shared_ptr<JoinResult> join_new(std::vector<std::string> protocols = {"range"}) {
    auto first = join(join_request("", protocols));
    EXPECT_TRUE(first->answered);
    EXPECT_EQ(first->response.error_code, to_int(ErrorCode::kMemberIdRequired));
    return join(join_request(first->response.member_id, protocols));
  }

  std::shared_ptr<SyncResult> sync(const std::string& member_id, int32_t generation,
                                   std::vector<std::pair<std::string, uint8_t>> assignments = {}) {
    protocol::SyncGroupRequest request;
    request.group_id = "g";
    request.member_id = member_id;
    request.generation_id = generation;
    for (const auto& [id, byte] : assignments) request.assignments.push_back({id, {byte}, {}});
    auto result = std::make_shared<SyncResult>();
    manager_.sync(
        request,
        [result](protocol::SyncGroupResponse response) {
          result->answered = true;
          result->response = std::move(response);
        },
        now_);
    return result;
  }

  int16_t heartbeat(const std::string& member_id, int32_t generation) {
    protocol::HeartbeatRequest request;
    request.group_id = "g";
    request.member_id = member_id;
    request.generation_id = generation;
    return manager_.heartbeat(request, now_).error_code;
  }

  // Lets the delayed initial rebalance end: it extends once per round of new members.
  void settle() {
    for (int i = 0; i < 3; ++i) advance(100);
  }

  void advance(int64_t ms) {
    now_ += ms;
    manager_.run_timers(now_);
  }

  GroupState state() const { return manager_.find("g")->state; }

  int64_t now_ = 1'000'000;
  MemorySink sink_;
  GroupManager manager_;
};

TEST_F(GroupManagerTest, PartitionIsKafkasHashOfTheGroupId) {
  // Java: "test-group".hashCode() = 627841412; % 50 = 12. "polygenelubricants" hashes to
  // Integer.MIN_VALUE, which Kafka's Utils.abs maps to 0.
  EXPECT_EQ(partition_for_group("test-group", 50), 12);
  EXPECT_EQ(partition_for_group("polygenelubricants", 50), 0);
  EXPECT_EQ(partition_for_group("", 50), 0);
}

TEST_F(GroupManagerTest, FirstMemberWaitsForTheInitialDelayThenLeadsAndSyncs) {
  auto joined = join_new();
  EXPECT_FALSE(joined->answered);
  EXPECT_EQ(state(), GroupState::kPreparingRebalance);
  advance(99);
  EXPECT_FALSE(joined->answered);
  advance(1);
  ASSERT_TRUE(joined->answered);
  const auto& response = joined->response;
  EXPECT_EQ(response.error_code, 0);
  EXPECT_EQ(response.generation_id, 1);
  EXPECT_EQ(response.leader, response.member_id);
  EXPECT_EQ(response.protocol_name, "range");
  ASSERT_EQ(response.members.size(), 1u);
  EXPECT_EQ(state(), GroupState::kCompletingRebalance);

  auto synced = sync(response.member_id, 1, {{response.member_id, 7}});
  ASSERT_TRUE(synced->answered);
  EXPECT_EQ(synced->response.error_code, 0);
  EXPECT_EQ(synced->response.assignment, (std::vector<uint8_t>{7}));
  EXPECT_EQ(state(), GroupState::kStable);
  ASSERT_EQ(sink_.written.size(), 1u);  // the generation was persisted before the answer
  EXPECT_EQ(sink_.written[0].first, partition_for_group("g", 50));
  EXPECT_EQ(heartbeat(response.member_id, 1), 0);
  EXPECT_EQ(heartbeat(response.member_id, 0), to_int(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(heartbeat("nobody", 1), to_int(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupManagerTest, OldClientsGetAMemberIdWithoutTheExtraRoundTrip) {
  auto joined = join(join_request(""), 3);
  settle();
  ASSERT_TRUE(joined->answered);
  EXPECT_EQ(joined->response.error_code, 0);
  EXPECT_FALSE(joined->response.member_id.empty());
}

TEST_F(GroupManagerTest, ProtocolIsTheOneAllSupportChosenByVotes) {
  auto a = join_new({"roundrobin", "range"});
  auto b = join_new({"sticky", "range", "roundrobin"});
  auto c = join_new({"range", "roundrobin"});
  settle();
  ASSERT_TRUE(a->answered && b->answered && c->answered);
  // Candidates: range, roundrobin. Votes: a→roundrobin, b→range, c→range.
  EXPECT_EQ(a->response.protocol_name, "range");
  EXPECT_EQ(a->response.generation_id, 1);
  auto d = join(join_request("", {"other"}));
  EXPECT_EQ(d->response.error_code, to_int(ErrorCode::kInconsistentGroupProtocol));
}

TEST_F(GroupManagerTest, SecondMemberTriggersARebalanceAndHeartbeatsSayRebalanceInProgress) {
  auto first = join_new();
  settle();
  const std::string leader = first->response.member_id;
  sync(leader, 1, {{leader, 1}});
  auto second = join_new();
  EXPECT_FALSE(second->answered);
  EXPECT_EQ(heartbeat(leader, 1), to_int(ErrorCode::kRebalanceInProgress));
  auto rejoin = join(join_request(leader));
  ASSERT_TRUE(rejoin->answered && second->answered);
  EXPECT_EQ(rejoin->response.generation_id, 2);
  EXPECT_EQ(rejoin->response.members.size(), 2u);  // the leader sees everyone
  EXPECT_TRUE(second->response.members.empty());
  // A follower's SyncGroup waits for the leader's.
  auto follower_sync = sync(second->response.member_id, 2);
  EXPECT_FALSE(follower_sync->answered);
  sync(leader, 2, {{leader, 1}, {second->response.member_id, 2}});
  ASSERT_TRUE(follower_sync->answered);
  EXPECT_EQ(follower_sync->response.assignment, (std::vector<uint8_t>{2}));
}

TEST_F(GroupManagerTest, SilentMemberExpiresAfterItsSessionTimeout) {
  auto first = join_new();
  auto second = join_new();
  settle();
  const std::string a = first->response.member_id;
  const std::string b = second->response.member_id;
  sync(a, 1, {});
  sync(b, 1, {});
  for (int i = 0; i < 3; ++i) {
    advance(3000);
    EXPECT_EQ(heartbeat(a, 1), 0);
  }
  EXPECT_EQ(manager_.find("g")->members.count(b), 1u);
  // b never heartbeat: gone after 10 s; a is told to rejoin.
  advance(3000);
  EXPECT_EQ(heartbeat(a, 1), to_int(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(state(), GroupState::kPreparingRebalance);
  EXPECT_EQ(manager_.find("g")->members.count(b), 0u);
  auto rejoin = join(join_request(a));
  ASSERT_TRUE(rejoin->answered);
  EXPECT_EQ(rejoin->response.generation_id, 2);
}

TEST_F(GroupManagerTest, MembersThatDoNotRejoinInTheRebalanceTimeoutAreRemoved) {
  auto first = join_new();
  auto second = join_new();
  settle();
  sync(first->response.member_id, 1, {});
  auto third = join_new();
  auto rejoin = join(join_request(first->response.member_id));
  EXPECT_FALSE(rejoin->answered);
  advance(2500);
  EXPECT_EQ(heartbeat(second->response.member_id, 1), to_int(ErrorCode::kRebalanceInProgress));
  advance(2500);  // the 5 s rebalance timeout
  ASSERT_TRUE(rejoin->answered && third->answered);
  EXPECT_EQ(rejoin->response.generation_id, 2);
  EXPECT_EQ(manager_.find("g")->members.size(), 2u);
}

TEST_F(GroupManagerTest, LeavingLastMemberEmptiesTheGroup) {
  auto first = join_new();
  settle();
  sync(first->response.member_id, 1, {});
  protocol::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.members.push_back({first->response.member_id, std::nullopt, std::nullopt, {}});
  leave.members.push_back({"ghost", std::nullopt, std::nullopt, {}});
  const auto response = manager_.leave(leave, 3, now_);
  ASSERT_EQ(response.members.size(), 2u);
  EXPECT_EQ(response.members[0].error_code, 0);
  EXPECT_EQ(response.members[1].error_code, to_int(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(state(), GroupState::kEmpty);
  EXPECT_EQ(manager_.find("g")->generation, 2);
  EXPECT_EQ(manager_.describe("g").group_state, "Empty");
}

TEST_F(GroupManagerTest, StaticMemberRestartKeepsItsAssignmentAndFencesTheOldId) {
  auto first = join(join_request("", {"range"}, "instance-1"));
  settle();
  ASSERT_TRUE(first->answered);
  const std::string old_id = first->response.member_id;
  sync(old_id, 1, {{old_id, 9}});
  auto again = join(join_request("", {"range"}, "instance-1"));
  ASSERT_TRUE(again->answered);  // no rebalance: same protocols, Stable group
  const std::string new_id = again->response.member_id;
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(again->response.generation_id, 1);
  EXPECT_TRUE(again->response.skip_assignment);
  auto synced = sync(new_id, 1);
  EXPECT_EQ(synced->response.assignment, (std::vector<uint8_t>{9}));
  protocol::HeartbeatRequest zombie;
  zombie.group_id = "g";
  zombie.member_id = old_id;
  zombie.generation_id = 1;
  zombie.group_instance_id = "instance-1";
  EXPECT_EQ(manager_.heartbeat(zombie, now_).error_code, to_int(ErrorCode::kFencedInstanceId));
}

TEST_F(GroupManagerTest, SessionTimeoutOutsideTheBrokerRangeIsRefused) {
  auto request = join_request("");
  request.session_timeout_ms = 1000;
  EXPECT_EQ(join(request)->response.error_code, to_int(ErrorCode::kInvalidSessionTimeout));
  request.group_id = "";
  EXPECT_EQ(join(request)->response.error_code, to_int(ErrorCode::kInvalidGroupId));
}

TEST_F(GroupManagerTest, PendingMemberIdExpires) {
  auto first = join(join_request(""));
  ASSERT_EQ(first->response.error_code, to_int(ErrorCode::kMemberIdRequired));
  advance(10000);
  EXPECT_EQ(manager_.find("g")->pending_members.size(), 0u);
  auto late = join(join_request(first->response.member_id));
  EXPECT_EQ(late->response.error_code, to_int(ErrorCode::kUnknownMemberId));
}

protocol::OffsetCommitRequest commit_request(int32_t generation, const std::string& member,
                                             std::string metadata = "meta") {
  protocol::OffsetCommitRequest request;
  request.group_id = "g";
  request.generation_id_or_member_epoch = generation;
  request.member_id = member;
  request.topics.push_back(
      {"t", {{0, 42, 3, -1, metadata, {}}, {1, 7, -1, -1, std::nullopt, {}}}, {}});
  return request;
}

TEST_F(GroupManagerTest, SimpleCommitRoundTripsMetadata) {
  const auto committed = manager_.commit(commit_request(-1, ""), 9, now_);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(sink_.written.size(), 2u);
  const FetchedGroup fetched = manager_.fetch("g", std::nullopt);
  ASSERT_EQ(fetched.topics.size(), 1u);
  ASSERT_EQ(fetched.topics[0].partitions.size(), 2u);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_leader_epoch, 3);
  EXPECT_EQ(fetched.topics[0].partitions[0].metadata, "meta");
  EXPECT_EQ(fetched.topics[0].partitions[1].metadata, "");
  const FetchedGroup unknown = manager_.fetch("other", FetchTopics{{"t", {0}, {}}});
  EXPECT_EQ(unknown.topics[0].partitions[0].committed_offset, -1);
}

TEST_F(GroupManagerTest, CommitChecksMetadataSizeGenerationAndMember) {
  const auto too_large = manager_.commit(commit_request(-1, "", std::string(4097, 'x')), 9, now_);
  EXPECT_EQ(too_large.topics[0].partitions[0].error_code,
            to_int(ErrorCode::kOffsetMetadataTooLarge));
  EXPECT_EQ(too_large.topics[0].partitions[1].error_code, 0);
  EXPECT_EQ(manager_.commit(commit_request(1, "x"), 8, now_ + 1).topics[0].partitions[0].error_code,
            to_int(ErrorCode::kUnknownMemberId));
  auto joined = join_new();
  settle();
  const std::string member = joined->response.member_id;
  EXPECT_EQ(manager_.commit(commit_request(1, member), 8, now_).topics[0].partitions[0].error_code,
            to_int(ErrorCode::kRebalanceInProgress));
  sync(member, 1, {});
  EXPECT_EQ(manager_.commit(commit_request(0, member), 8, now_).topics[0].partitions[0].error_code,
            to_int(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(manager_.commit(commit_request(1, member), 8, now_).topics[0].partitions[0].error_code,
            0);
  sink_.fail = true;
  EXPECT_EQ(manager_.commit(commit_request(1, member), 8, now_).topics[0].partitions[0].error_code,
            to_int(ErrorCode::kCoordinatorNotAvailable));
}

TEST_F(GroupManagerTest, DeleteGroupsOnlyWhenEmptyAndWritesTombstones) {
  EXPECT_EQ(manager_.delete_group("g", now_), ErrorCode::kGroupIdNotFound);
  auto joined = join_new();
  settle();
  EXPECT_EQ(manager_.delete_group("g", now_), ErrorCode::kNonEmptyGroup);
  protocol::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.member_id = joined->response.member_id;
  EXPECT_EQ(manager_.leave(leave, 1, now_).error_code, 0);
  manager_.commit(commit_request(-1, ""), 9, now_);
  sink_.written.clear();
  EXPECT_EQ(manager_.delete_group("g", now_), ErrorCode::kNone);
  EXPECT_EQ(manager_.find("g"), nullptr);
  ASSERT_EQ(sink_.written.size(), 3u);
  for (const auto& [partition, record] : sink_.written) EXPECT_FALSE(record.value.has_value());
}

TEST_F(GroupManagerTest, OffsetDeleteRefusesSubscribedTopics) {
  // Consumer subscription v0: version, ["t"], user data.
  auto request = join_request("");
  request.protocols = {{"range", {0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff}, {}}};
  auto first = join(request);
  request.member_id = first->response.member_id;
  auto joined = join(request);
  settle();
  sync(joined->response.member_id, 1, {});
  manager_.commit(commit_request(1, joined->response.member_id), 9, now_);
  protocol::OffsetDeleteRequest remove;
  remove.group_id = "g";
  remove.topics.push_back({"t", {{0, {}}}, {}});
  const auto response = manager_.delete_offsets(remove, now_);
  EXPECT_EQ(response.topics[0].partitions[0].error_code,
            to_int(ErrorCode::kGroupSubscribedToTopic));
}

TEST_F(GroupManagerTest, EmptyGroupOffsetsExpireAfterRetention) {
  manager_.commit(commit_request(-1, ""), 9, now_);
  manager_.expire_offsets(now_ + 10080LL * 60000 - 1);
  EXPECT_NE(manager_.find("g"), nullptr);
  manager_.expire_offsets(now_ + 10080LL * 60000);
  EXPECT_EQ(manager_.find("g"), nullptr);
}

TEST_F(GroupManagerTest, Version1CommitTimestampIsKeptAndDatesTheExpiry) {
  protocol::OffsetCommitRequest request = commit_request(-1, "");
  request.topics[0].partitions[0].commit_timestamp = now_ - 60000;
  ASSERT_EQ(manager_.commit(request, 1, now_).topics[0].partitions[0].error_code, 0);
  ASSERT_EQ(manager_.find("g")->offsets.size(), 2u);
  EXPECT_EQ(manager_.find("g")->offsets.at({"t", 0}).commit_timestamp_ms, now_ - 60000);
  EXPECT_EQ(manager_.find("g")->offsets.at({"t", 1}).commit_timestamp_ms, now_);
  // Partition 0's offset expires a minute before partition 1's.
  manager_.expire_offsets(now_ + 10080LL * 60000 - 60000);
  ASSERT_NE(manager_.find("g"), nullptr);
  EXPECT_EQ(manager_.find("g")->offsets.count({"t", 0}), 0u);
  EXPECT_EQ(manager_.find("g")->offsets.count({"t", 1}), 1u);
}

TEST_F(GroupManagerTest, ListGroupsFiltersByStateCaseInsensitively) {
  manager_.commit(commit_request(-1, ""), 9, now_);
  EXPECT_EQ(manager_.list({"empty"}, {}).size(), 1u);
  EXPECT_EQ(manager_.list({"Stable"}, {}).size(), 0u);
  EXPECT_EQ(manager_.list({}, {"consumer"}).size(), 0u);
  EXPECT_EQ(manager_.list({}, {"classic"}).size(), 1u);
}

TEST_F(GroupManagerTest, ShutdownAnswersParkedJoins) {
  auto joined = join_new();
  EXPECT_FALSE(joined->answered);
  manager_.fail_parked(ErrorCode::kNotCoordinator);
  ASSERT_TRUE(joined->answered);
  EXPECT_EQ(joined->response.error_code, to_int(ErrorCode::kNotCoordinator));
}

}  // namespace
}  // namespace eddy::group

namespace eddy::group {
namespace {

// Bounds: a group's record must fit in one __consumer_offsets record, and nothing of a refused
// request or a failed write stays in memory.
class GroupLimitsTest : public GroupManagerTest {
 protected:
  GroupLimitsTest() { sink_.max_record = 4000; }

  protocol::JoinGroupRequest join_with_metadata(const std::string& member_id, size_t bytes) {
    auto request = join_request(member_id);
    request.protocols[0].metadata.assign(bytes, 0x5a);
    return request;
  }

  std::shared_ptr<SyncResult> sync_with_assignment(const std::string& member_id, size_t bytes) {
    protocol::SyncGroupRequest request;
    request.group_id = "g";
    request.member_id = member_id;
    request.generation_id = manager_.find("g")->generation;
    request.assignments.push_back({member_id, std::vector<uint8_t>(bytes, 0x33), {}});
    auto result = std::make_shared<SyncResult>();
    manager_.sync(
        std::move(request),
        [result](protocol::SyncGroupResponse response) {
          result->answered = true;
          result->response = std::move(response);
        },
        now_);
    return result;
  }

  // One member through MEMBER_ID_REQUIRED and the initial delay: the leader of generation 1.
  std::string lead_alone(size_t metadata_bytes) {
    auto first = join(join_with_metadata("", metadata_bytes));
    EXPECT_EQ(first->response.error_code, to_int(ErrorCode::kMemberIdRequired));
    auto joined = join(join_with_metadata(first->response.member_id, metadata_bytes));
    settle();
    EXPECT_TRUE(joined->answered);
    EXPECT_EQ(joined->response.error_code, 0);
    return joined->response.member_id;
  }
};

TEST_F(GroupLimitsTest, JoinGroupWhoseMetadataCannotBeStoredIsRefusedAndNothingKept) {
  auto refused = join(join_with_metadata("", 4001));
  ASSERT_TRUE(refused->answered);
  EXPECT_EQ(refused->response.error_code, to_int(ErrorCode::kUnknownServerError));
  EXPECT_EQ(manager_.find("g"), nullptr);  // not even an empty group
  EXPECT_EQ(manager_.timer_count(), 0u);   // nor a pending member id

  // Within the bound (protocol name included) the same member joins normally.
  const std::string leader = lead_alone(4000 - std::string("range").size());
  EXPECT_EQ(state(), GroupState::kCompletingRebalance);
  auto too_big_rejoin = join(join_with_metadata(leader, 5000));
  ASSERT_TRUE(too_big_rejoin->answered);
  EXPECT_EQ(too_big_rejoin->response.error_code, to_int(ErrorCode::kUnknownServerError));
  const Member& member = manager_.find("g")->members.at(leader);
  EXPECT_EQ(member.protocols.at(0).metadata.size(), 4000 - std::string("range").size());
}

TEST_F(GroupLimitsTest, SyncGroupWhoseRecordIsTooLargeFailsAndReleasesTheAssignments) {
  const std::string leader = lead_alone(100);
  auto failed = sync_with_assignment(leader, 4000);
  ASSERT_TRUE(failed->answered);
  EXPECT_EQ(failed->response.error_code, to_int(ErrorCode::kUnknownServerError));
  EXPECT_TRUE(sink_.written.empty());                   // never built, never written
  EXPECT_EQ(state(), GroupState::kPreparingRebalance);  // Kafka: rebalance again
  const Member& member = manager_.find("g")->members.at(leader);
  EXPECT_TRUE(member.assignment.empty());
  EXPECT_EQ(member.assignment.capacity(), 0u);  // the memory went back

  // The group still works: the member rejoins and a storable assignment completes it.
  auto rejoined = join(join_with_metadata(leader, 100));
  ASSERT_TRUE(rejoined->answered);
  EXPECT_EQ(rejoined->response.error_code, 0);
  auto synced = sync_with_assignment(leader, 1000);
  ASSERT_TRUE(synced->answered);
  EXPECT_EQ(synced->response.error_code, 0);
  EXPECT_EQ(synced->response.assignment.size(), 1000u);
  EXPECT_EQ(state(), GroupState::kStable);
  ASSERT_EQ(sink_.written.size(), 1u);
}

TEST_F(GroupLimitsTest, ManyMembersTogetherBeyondTheLimitFailTheSync) {
  // Each member fits alone; the four together (plus assignments) do not.
  std::vector<std::shared_ptr<JoinResult>> joins;
  for (int i = 0; i < 4; ++i) {
    auto first = join(join_with_metadata("", 1000));
    joins.push_back(join(join_with_metadata(first->response.member_id, 1000)));
  }
  settle();
  std::string leader;
  for (const auto& joined : joins) {
    ASSERT_TRUE(joined->answered);
    if (joined->response.leader == joined->response.member_id) leader = joined->response.member_id;
  }
  auto failed = sync_with_assignment(leader, 10);
  ASSERT_TRUE(failed->answered);
  EXPECT_EQ(failed->response.error_code, to_int(ErrorCode::kUnknownServerError));
  EXPECT_TRUE(sink_.written.empty());
}

TEST_F(GroupLimitsTest, AStorageRefusalOfTheGroupRecordIsUnknownServerError) {
  // Kafka's storeGroup: MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE become UNKNOWN_SERVER_ERROR
  // (the sink reports them as OffsetCommit's INVALID_COMMIT_OFFSET_SIZE).
  const std::string leader = lead_alone(100);
  sink_.fail = true;
  sink_.fail_with = ErrorCode::kInvalidCommitOffsetSize;
  auto failed = sync_with_assignment(leader, 10);
  ASSERT_TRUE(failed->answered);
  EXPECT_EQ(failed->response.error_code, to_int(ErrorCode::kUnknownServerError));
  EXPECT_EQ(manager_.find("g")->members.at(leader).assignment.capacity(), 0u);
}

TEST_F(GroupLimitsTest, RecordSizeIsComputedAsEncoded) {
  auto first = join(join_with_metadata("", 300));
  auto a = join(join_with_metadata(first->response.member_id, 300));
  auto b = join(join_with_metadata("", 77), 3);  // old client: no MEMBER_ID_REQUIRED
  auto static_request = join_with_metadata("", 5);
  static_request.group_instance_id = "instance-1";
  auto c = join(std::move(static_request));
  settle();
  ASSERT_TRUE(a->answered && b->answered && c->answered);
  const Group* group = manager_.find("g");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->record_value_bytes(), encode_group_value(group->to_value()).size());
  sync_with_assignment(a->response.leader, 123);
  EXPECT_EQ(state(), GroupState::kStable);
  EXPECT_EQ(group->record_value_bytes(), encode_group_value(group->to_value()).size());
  ASSERT_EQ(sink_.written.size(), 1u);
  EXPECT_EQ(sink_.written[0].second.value->size(), group->record_value_bytes());
}

}  // namespace
}  // namespace eddy::group
