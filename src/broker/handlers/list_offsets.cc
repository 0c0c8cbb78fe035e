#include "broker/handlers/list_offsets.h"

#include <algorithm>
#include <functional>
#include <set>
#include <string_view>
#include <utility>

#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "common/assert.h"
#include "common/clock.h"
#include "storage/error.h"
#include "storage/segment.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
using PartitionRequest = ListOffsetsRequest::ListOffsetsPartition;
using PartitionResponse = ListOffsetsResponse::ListOffsetsPartitionResponse;
using TopicPartitionKey = std::pair<std::string_view, int32_t>;

// The special timestamps of the protocol (Kafka's ListOffsetsRequest constants).
constexpr int64_t kLatestTimestamp = -1;
constexpr int64_t kEarliestTimestamp = -2;
constexpr int64_t kMaxTimestamp = -3;            // KIP-734
constexpr int64_t kEarliestLocalTimestamp = -4;  // KIP-405
constexpr int64_t kLatestTieredTimestamp = -5;   // KIP-1005

constexpr int8_t kReadUncommitted = 0;
constexpr int8_t kReadCommitted = 1;

// A special timestamp needs the version that introduced it; other negative values mean
// nothing. Kafka answers UNSUPPORTED_VERSION for both.
bool timestamp_supported(int64_t timestamp, int16_t version) {
  switch (timestamp) {
    case kLatestTimestamp:
    case kEarliestTimestamp:
      return true;
    case kMaxTimestamp:
      return version >= 7;
    case kEarliestLocalTimestamp:
      return version >= 8;
    case kLatestTieredTimestamp:
      return version >= 9;
    default:
      return timestamp >= 0;
  }
}

// Offset, timestamp and leader epoch stay -1 (unknown), as Kafka answers on errors.
PartitionResponse error_response(int32_t partition_index, ErrorCode error) {
  PartitionResponse out;
  out.partition_index = partition_index;
  out.error_code = protocol::to_int(error);
  return out;
}

// The end of what a consumer at this isolation level may read.
int64_t last_fetchable_offset(const storage::PartitionLog& log, int8_t isolation_level) {
  return isolation_level == kReadCommitted ? log.last_stable_offset() : log.high_watermark();
}

PartitionResponse lookup_offset(const LedPartition& led, const PartitionRequest& requested,
                                int8_t isolation_level) {
  PartitionResponse out = error_response(requested.partition_index, ErrorCode::kNone);
  const storage::PartitionLog& log = *led.log;
  switch (requested.timestamp) {
    case kEarliestTimestamp:
    case kEarliestLocalTimestamp:  // without tiered storage the local log is the whole log
      out.offset = log.log_start_offset();
      out.leader_epoch = led.leader_epoch;
      return out;
    case kLatestTimestamp:
      out.offset = last_fetchable_offset(log, isolation_level);
      out.leader_epoch = led.leader_epoch;
      return out;
    case kLatestTieredTimestamp:  // nothing is tiered: no offset, as Kafka answers
      return out;
  }
  storage::OffsetLookup found = requested.timestamp == kMaxTimestamp
                                    ? log.max_timestamp()
                                    : log.offset_for_timestamp(requested.timestamp);
  if (found.error != storage::Error::kNone) {
    return error_response(requested.partition_index, kafka_error(found.error));
  }
  // A record the consumer may not read yet is not reported (Kafka filters the same way).
  if (found.offset < 0 || found.offset >= last_fetchable_offset(log, isolation_level)) return out;
  out.offset = found.offset;
  out.timestamp = found.timestamp_ms;
  out.leader_epoch = found.leader_epoch;  // the batch's epoch; -1 if it carries none
  return out;
}

// Partitions named more than once in the request; Kafka answers INVALID_REQUEST for them.
std::set<TopicPartitionKey> duplicated_partitions(const ListOffsetsRequest& request) {
  std::set<TopicPartitionKey> seen;
  std::set<TopicPartitionKey> duplicated;
  for (const auto& topic : request.topics) {
    for (const auto& partition : topic.partitions) {
      TopicPartitionKey key{topic.name, partition.partition_index};
      if (!seen.insert(key).second) duplicated.insert(key);
    }
  }
  return duplicated;
}

PartitionResponse answer_partition(const PartitionView& view, const std::string& topic,
                                   const PartitionRequest& requested, int8_t isolation_level,
                                   int16_t version) {
  const int32_t index = requested.partition_index;
  if (!timestamp_supported(requested.timestamp, version)) {
    return error_response(index, ErrorCode::kUnsupportedVersion);
  }
  if (isolation_level != kReadUncommitted && isolation_level != kReadCommitted) {
    return error_response(index, ErrorCode::kInvalidRequest);
  }
  LedPartition led = find_led_partition(view, topic, index, requested.current_leader_epoch);
  if (led.error != ErrorCode::kNone) return error_response(index, led.error);
  return lookup_offset(led, requested, isolation_level);
}

// --- v0 ------------------------------------------------------------------------------------

// The segments of `log` for legacy_offsets_before. Their mtimes cost an fstat each, so only a
// lookup by timestamp asks for them.
std::vector<SegmentTime> segment_times(
    const std::vector<std::shared_ptr<storage::Segment>>& segments, bool with_mtimes) {
  std::vector<SegmentTime> out;
  out.reserve(segments.size());
  for (const auto& segment : segments) {
    out.push_back({segment->base_offset(), with_mtimes ? segment->last_modified_ms() : 0});
  }
  return out;
}

PartitionResponse answer_partition_v0(const PartitionView& view, const std::string& topic,
                                      const PartitionRequest& requested, int64_t now_ms) {
  const int32_t index = requested.partition_index;
  LedPartition led = find_led_partition(view, topic, index, -1);
  if (led.error != ErrorCode::kNone) return error_response(index, led.error);
  const storage::PartitionLog& log = *led.log;
  const bool by_time =
      requested.timestamp != kLatestTimestamp && requested.timestamp != kEarliestTimestamp;
  const auto segments = log.segments();
  const std::vector<SegmentTime> times = segment_times(segments, by_time);
  const LegacyOffsetsLog legacy{times, segments.back()->size_bytes() > 0, log.log_start_offset(),
                                log.log_end_offset()};
  // A consumer never sees offsets above the high watermark; on a single node it is the log end.
  PartitionResponse out = error_response(index, ErrorCode::kNone);
  out.old_style_offsets =
      legacy_offsets_before(legacy, requested.timestamp, requested.max_num_offsets, now_ms);
  return out;
}

// Kafka's v0 path checks no duplicates and no special timestamps.
ListOffsetsResponse list_offsets_v0(const PartitionView& view, const ListOffsetsRequest& request,
                                    int64_t now_ms) {
  ListOffsetsResponse response;
  for (const auto& topic : request.topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse topic_response;
    topic_response.name = topic.name;
    for (const auto& partition : topic.partitions) {
      topic_response.partitions.push_back(answer_partition_v0(view, topic.name, partition, now_ms));
    }
    response.topics.push_back(std::move(topic_response));
  }
  return response;
}

asio::awaitable<ListOffsetsResponse> handle(RequestContext& context, ListOffsetsRequest& request) {
  const auto image = context.broker.metadata().current();
  const PartitionView view{context.broker.config(), *image, context.broker.logs()};
  co_return list_offsets(view, request, context.api_version, wall_clock_ms());
}

}  // namespace

std::vector<int64_t> legacy_offsets_before(const LegacyOffsetsLog& log, int64_t timestamp,
                                           int32_t max_num_offsets, int64_t now_ms) {
  EDDY_ASSERT(!log.segments.empty());
  std::vector<SegmentTime> candidates;
  candidates.reserve(log.segments.size() + 1);
  for (const SegmentTime& segment : log.segments) {
    candidates.push_back(
        {std::max(segment.base_offset, log.log_start_offset), segment.last_modified_ms});
  }
  if (log.active_segment_has_bytes) candidates.push_back({log.log_end_offset, now_ms});

  // The newest candidate to report, as an index one past it (0: none).
  size_t end = candidates.size();
  if (timestamp == kEarliestTimestamp) {
    end = 1;
  } else if (timestamp != kLatestTimestamp) {
    while (end > 0 && candidates[end - 1].last_modified_ms > timestamp) --end;
  }
  const size_t count = std::min(end, static_cast<size_t>(std::max(max_num_offsets, 0)));
  std::vector<int64_t> offsets;
  offsets.reserve(count);
  for (size_t i = end; i > end - count; --i) offsets.push_back(candidates[i - 1].base_offset);
  std::ranges::sort(offsets, std::greater<>());
  return offsets;
}

ListOffsetsResponse list_offsets(const PartitionView& view, const ListOffsetsRequest& request,
                                 int16_t version, int64_t now_ms) {
  if (version == 0) return list_offsets_v0(view, request, now_ms);
  const std::set<TopicPartitionKey> duplicated = duplicated_partitions(request);
  ListOffsetsResponse response;
  response.topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse topic_response;
    topic_response.name = topic.name;
    topic_response.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      if (duplicated.contains(TopicPartitionKey{topic.name, partition.partition_index})) {
        topic_response.partitions.push_back(
            error_response(partition.partition_index, ErrorCode::kInvalidRequest));
        continue;
      }
      topic_response.partitions.push_back(
          answer_partition(view, topic.name, partition, request.isolation_level, version));
    }
    response.topics.push_back(std::move(topic_response));
  }
  return response;
}

HandlerSpec list_offsets_handler() {
  return make_handler_spec<ListOffsetsRequest, ListOffsetsResponse, &handle>(0, 10);
}

}  // namespace eddy::broker
