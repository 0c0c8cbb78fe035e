#include "broker/fetch/fetch_sessions.h"

#include <gtest/gtest.h>

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

FetchRequest request(int32_t session_id, int32_t epoch,
                     std::vector<std::pair<int32_t, int64_t>> partitions_and_offsets) {
  FetchRequest out;
  out.session_id = session_id;
  out.session_epoch = epoch;
  if (!partitions_and_offsets.empty()) {
    auto& topic = out.topics.emplace_back();
    topic.topic = "t";
    for (auto [partition, offset] : partitions_and_offsets) {
      auto& entry = topic.partitions.emplace_back();
      entry.partition = partition;
      entry.fetch_offset = offset;
      entry.partition_max_bytes = 1000;
    }
  }
  return out;
}

// A response for every partition of `served`, all with high watermark `hw` and no records.
FetchResponse quiet_response(const FetchRequest& served, int64_t hw) {
  FetchResponse out;
  for (const auto& topic : served.topics) {
    auto& entry = out.responses.emplace_back();
    entry.topic = topic.topic;
    for (const auto& partition : topic.partitions) {
      auto& data = entry.partitions.emplace_back();
      data.partition_index = partition.partition;
      data.high_watermark = hw;
      data.last_stable_offset = hw;
      data.log_start_offset = 0;
    }
  }
  return out;
}

size_t partition_count(const FetchResponse& response) {
  size_t count = 0;
  for (const auto& topic : response.responses) count += topic.partitions.size();
  return count;
}

TEST(FetchSessions, SessionlessRequestsCreateNothing) {
  FetchSessionCache cache;
  auto req = request(0, -1, {{0, 5}});
  SessionUse use = begin_session(cache, req);
  EXPECT_EQ(use.session, nullptr);
  auto response = quiet_response(req, 10);
  end_session(cache, use, response);
  EXPECT_EQ(response.session_id, 0);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessions, IncrementalResponsesCarryOnlyNews) {
  FetchSessionCache cache;
  auto full = request(0, 0, {{0, 5}, {1, 7}});
  SessionUse use = begin_session(cache, full);
  ASSERT_NE(use.session, nullptr);
  auto response = quiet_response(full, 10);
  end_session(cache, use, response);
  const int32_t id = response.session_id;
  EXPECT_GT(id, 0);
  EXPECT_EQ(partition_count(response), 2u);  // a full response lists everything

  // Epoch 1, nothing changed: the request names no partitions, the broker serves both from
  // the session, and the response lists none.
  auto incremental = request(id, 1, {});
  use = begin_session(cache, incremental);
  ASSERT_TRUE(use.incremental);
  ASSERT_EQ(incremental.topics.size(), 1u);
  EXPECT_EQ(incremental.topics[0].partitions.size(), 2u);
  EXPECT_EQ(incremental.topics[0].partitions[1].fetch_offset, 7);
  response = quiet_response(incremental, 10);
  end_session(cache, use, response);
  EXPECT_EQ(partition_count(response), 0u);

  // Epoch 2: partition 1's high watermark moved, so only it is in the response.
  auto next = request(id, 2, {{0, 6}});
  use = begin_session(cache, next);
  EXPECT_EQ(next.topics[0].partitions[0].fetch_offset, 6);  // updated from the request
  response = quiet_response(next, 10);
  response.responses[0].partitions[1].high_watermark = 11;
  end_session(cache, use, response);
  ASSERT_EQ(partition_count(response), 1u);
  EXPECT_EQ(response.responses[0].partitions[0].partition_index, 1);
}

TEST(FetchSessions, ForgottenPartitionsLeaveTheSession) {
  FetchSessionCache cache;
  auto full = request(0, 0, {{0, 0}, {1, 0}});
  SessionUse use = begin_session(cache, full);
  auto response = quiet_response(full, 1);
  end_session(cache, use, response);
  auto next = request(response.session_id, 1, {});
  auto& forgotten = next.forgotten_topics_data.emplace_back();
  forgotten.topic = "t";
  forgotten.partitions = {0};
  use = begin_session(cache, next);
  ASSERT_EQ(next.topics.size(), 1u);
  ASSERT_EQ(next.topics[0].partitions.size(), 1u);
  EXPECT_EQ(next.topics[0].partitions[0].partition, 1);
  end_session(cache, use, response);
}

TEST(FetchSessions, WrongEpochUnknownIdAndConcurrentUseAreRefused) {
  FetchSessionCache cache;
  auto full = request(0, 0, {{0, 0}});
  SessionUse use = begin_session(cache, full);
  auto response = quiet_response(full, 1);
  end_session(cache, use, response);
  const int32_t id = response.session_id;

  auto stale = request(id, 5, {});
  EXPECT_EQ(begin_session(cache, stale).error, ErrorCode::kInvalidFetchSessionEpoch);
  auto unknown = request(id + 100, 1, {});
  EXPECT_EQ(begin_session(cache, unknown).error, ErrorCode::kFetchSessionIdNotFound);

  auto first = request(id, 1, {});
  SessionUse in_flight = begin_session(cache, first);
  ASSERT_EQ(in_flight.error, ErrorCode::kNone);
  auto second = request(id, 2, {});
  EXPECT_EQ(begin_session(cache, second).error, ErrorCode::kInvalidFetchSessionEpoch);
  response = quiet_response(first, 1);
  end_session(cache, in_flight, response);
  auto after = request(id, 2, {});
  EXPECT_EQ(begin_session(cache, after).error, ErrorCode::kNone);
}

TEST(FetchSessions, CloseAndBoundedCacheEvictsLeastRecentlyUsed) {
  FetchSessionCache cache(2);
  std::vector<int32_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto full = request(0, 0, {{0, 0}});
    SessionUse use = begin_session(cache, full);
    ASSERT_NE(use.session, nullptr);
    auto response = quiet_response(full, 1);
    end_session(cache, use, response);
    ids.push_back(response.session_id);
  }
  EXPECT_EQ(cache.size(), 2u);
  auto evicted = request(ids[0], 1, {});
  EXPECT_EQ(begin_session(cache, evicted).error, ErrorCode::kFetchSessionIdNotFound);

  auto close = request(ids[1], -1, {{0, 0}});  // (X, -1): close X, fetch without a session
  SessionUse use = begin_session(cache, close);
  EXPECT_EQ(use.session, nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace eddy::broker
