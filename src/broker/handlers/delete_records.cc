#include "broker/handlers/delete_records.h"

#include <string>
#include <utility>

#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "metadata/controller.h"
#include "storage/error.h"

namespace eddy::broker {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;
using protocol::ErrorCode;
using PartitionResult = DeleteRecordsResponse::DeleteRecordsPartitionResult;

// The low watermark stays -1 on errors, as in Kafka.
PartitionResult error_result(int32_t partition_index, ErrorCode error) {
  PartitionResult out;
  out.partition_index = partition_index;
  out.low_watermark = -1;
  out.error_code = protocol::to_int(error);
  return out;
}

PartitionResult delete_in_partition(const PartitionView& view, const std::string& topic,
                                    const DeleteRecordsRequest::DeleteRecordsPartition& requested) {
  const int32_t index = requested.partition_index;
  if (metadata::is_internal_topic(topic))
    return error_result(index, ErrorCode::kInvalidTopicException);
  LedPartition led = find_led_partition(view, topic, index, -1);
  if (led.error != ErrorCode::kNone) return error_result(index, led.error);
  // Only topics whose cleanup.policy includes "delete" may lose records (Kafka's rule).
  if (!led.log->config()->delete_enabled) {
    return error_result(index, ErrorCode::kPolicyViolation);
  }
  storage::Error error = led.log->delete_records_before(requested.offset);
  if (error != storage::Error::kNone) {
    return error_result(index, kafka_error(error));
  }
  PartitionResult out = error_result(index, ErrorCode::kNone);
  out.low_watermark = led.log->log_start_offset();
  return out;
}

asio::awaitable<DeleteRecordsResponse> handle(RequestContext& context,
                                              DeleteRecordsRequest& request) {
  const auto image = context.broker.metadata().current();
  const PartitionView view{context.broker.config(), *image, context.broker.logs()};
  co_return delete_records(view, request);
}

}  // namespace

DeleteRecordsResponse delete_records(const PartitionView& view,
                                     const DeleteRecordsRequest& request) {
  DeleteRecordsResponse response;
  response.topics.reserve(request.topics.size());
  for (const auto& topic : request.topics) {
    DeleteRecordsResponse::DeleteRecordsTopicResult topic_result;
    topic_result.name = topic.name;
    topic_result.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      topic_result.partitions.push_back(delete_in_partition(view, topic.name, partition));
    }
    response.topics.push_back(std::move(topic_result));
  }
  return response;
}

HandlerSpec delete_records_handler() {
  return make_handler_spec<DeleteRecordsRequest, DeleteRecordsResponse, &handle>(0, 2);
}

}  // namespace eddy::broker
