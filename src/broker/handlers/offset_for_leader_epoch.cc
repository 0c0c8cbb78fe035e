#include "broker/handlers/offset_for_leader_epoch.h"

#include <algorithm>
#include <utility>

#include "broker/dispatch/broker.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;
using EpochEndOffset = OffsetForLeaderEpochResponse::EpochEndOffset;

EpochEndOffset end_offset_for(
    const PartitionView& view, const std::string& topic,
    const OffsetForLeaderEpochRequest::OffsetForLeaderPartition& requested) {
  EpochEndOffset out;  // leader_epoch and end_offset -1: undefined
  out.partition = requested.partition;
  LedPartition led =
      find_led_partition(view, topic, requested.partition, requested.current_leader_epoch);
  out.error_code = protocol::to_int(led.error);
  if (led.error != ErrorCode::kNone || requested.leader_epoch < 0) return out;
  out.leader_epoch = std::min(requested.leader_epoch, led.leader_epoch);
  out.end_offset = led.log->log_end_offset();
  return out;
}

asio::awaitable<OffsetForLeaderEpochResponse> handle(RequestContext& context,
                                                     OffsetForLeaderEpochRequest& request) {
  const auto image = context.broker.metadata().current();
  const PartitionView view{context.broker.config(), *image, context.broker.logs()};
  co_return offset_for_leader_epoch(view, request);
}

}  // namespace

OffsetForLeaderEpochResponse offset_for_leader_epoch(const PartitionView& view,
                                                     const OffsetForLeaderEpochRequest& request) {
  OffsetForLeaderEpochResponse response;
  response.topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult topic_result;
    topic_result.topic = topic.topic;
    topic_result.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      topic_result.partitions.push_back(end_offset_for(view, topic.topic, partition));
    }
    response.topics.push_back(std::move(topic_result));
  }
  return response;
}

HandlerSpec offset_for_leader_epoch_handler() {
  return make_handler_spec<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, &handle>(0,
                                                                                               4);
}

}  // namespace eddy::broker
