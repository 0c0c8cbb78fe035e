#include "broker/handlers/list_offsets.h"

#include <set>
#include <string_view>
#include <utility>

#include "broker/broker.h"
#include "broker/errors.h"
#include "common/assert.h"
#include "storage/error.h"

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

asio::awaitable<ListOffsetsResponse> handle(RequestContext& context, ListOffsetsRequest& request) {
  const auto image = context.broker.metadata().current();
  const PartitionView view{context.broker.config(), *image, context.broker.logs()};
  co_return list_offsets(view, request, context.api_version);
}

}  // namespace

ListOffsetsResponse list_offsets(const PartitionView& view, const ListOffsetsRequest& request,
                                 int16_t version) {
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
  return make_handler_spec<ListOffsetsRequest, ListOffsetsResponse, &handle>(1, 10);
}

}  // namespace eddy::broker
