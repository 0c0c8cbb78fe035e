#include "broker/handlers/produce.h"

#include <algorithm>

#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "broker/partitions/auto_create.h"
#include "broker/produce/policy.h"
#include "broker/produce/validator.h"
#include "common/clock.h"
#include "metadata/controller.h"
#include "protocol/error_code.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::ProduceRequest;
using protocol::ProduceResponse;
using PartitionResponse = ProduceResponse::PartitionProduceResponse;

PartitionResponse partition_error(int32_t index, ErrorCode error, std::string message = {}) {
  PartitionResponse out;
  out.index = index;
  out.error_code = protocol::to_int(error);
  out.base_offset = -1;
  if (!message.empty()) out.error_message = std::move(message);
  return out;
}

// The request's records field is a view into the request frame, which this request owns
// (dispatch keeps it alive for the handler's whole run), so patching it in place is safe.
std::span<uint8_t> mutable_bytes(const protocol::Records& records) {
  return {const_cast<uint8_t*>(records.data), records.size_bytes};
}

// What the partitions of one request share.
struct ProduceCall {
  const PartitionView& view;
  int16_t version;
  int64_t now_ms;
  FetchWaiters* waiters;
  ProduceValidationScratch& scratch;
};

PartitionResponse refused(int32_t index, ValidatedRecords& validated) {
  PartitionResponse out = partition_error(index, validated.error, std::move(validated.message));
  for (auto& detail : validated.record_errors) {
    out.record_errors.push_back({detail.batch_index, std::move(detail.message)});
  }
  return out;
}

PartitionResponse append_partition(ProduceCall& call, const metadata::TopicImage& topic,
                                   const ProduceRequest::PartitionProduceData& data) {
  const LedPartition led = find_led_partition(call.view, &topic, data.index, -1);
  if (led.error != ErrorCode::kNone) return partition_error(data.index, led.error);
  const ProducePolicy policy = produce_policy_for(*led.log->config());

  ValidatedRecords validated = validate_produce_records(mutable_bytes(data.records), call.version,
                                                        policy, call.now_ms, call.scratch);
  if (validated.error != ErrorCode::kNone) return refused(data.index, validated);
  const storage::AppendResult appended =
      led.log->append(validated.batches, validated.summary, led.leader_epoch, call.now_ms);
  if (appended.error != storage::Error::kNone) {
    const ErrorCode code = kafka_error(appended.error);
    return partition_error(data.index, code, storage::to_string(appended.error));
  }
  if (call.waiters != nullptr) call.waiters->notify(led.log.get());
  PartitionResponse out;
  out.index = data.index;
  out.base_offset = appended.base_offset;
  out.log_append_time_ms = appended.log_append_time_ms;
  out.log_start_offset = appended.log_start_offset;
  return out;
}

// Kafka's topic-level refusals: an unknown topic, and internal topics, which only their
// coordinators write (a client's records there would be unreadable to the coordinator).
ErrorCode topic_error(const metadata::TopicImage* topic, const std::string& name) {
  if (topic == nullptr) return ErrorCode::kUnknownTopicOrPartition;
  if (metadata::is_internal_topic(name)) return ErrorCode::kInvalidTopicException;
  return ErrorCode::kNone;
}

ProduceResponse::TopicProduceResponse produce_topic(ProduceCall& call,
                                                    const ProduceRequest::TopicProduceData& data,
                                                    ErrorCode request_error) {
  ProduceResponse::TopicProduceResponse out;
  out.name = data.name;
  const metadata::TopicImage* topic = call.view.image.topic(data.name);
  if (request_error == ErrorCode::kNone) request_error = topic_error(topic, data.name);
  if (request_error != ErrorCode::kNone) {
    for (const auto& partition : data.partition_data) {
      out.partition_responses.push_back(partition_error(partition.index, request_error));
    }
    return out;
  }
  for (const auto& partition : data.partition_data) {
    out.partition_responses.push_back(append_partition(call, *topic, partition));
  }
  return out;
}

bool names_unknown_topic(const metadata::MetadataImage& image, const ProduceRequest& request) {
  return std::ranges::any_of(request.topic_data,
                             [&](const auto& topic) { return image.topic(topic.name) == nullptr; });
}

// Unknown topics are auto-created (auto.create.topics.enable) before the append, so a producer
// that skipped Metadata still lands its records; names that cannot be created stay unknown.
asio::awaitable<std::shared_ptr<const metadata::MetadataImage>> image_with_created_topics(
    Broker& broker, const metadata::MetadataImage& image, const ProduceRequest& request) {
  std::vector<std::string> missing;
  for (const auto& topic : request.topic_data) {
    if (image.topic(topic.name) == nullptr) missing.push_back(topic.name);
  }
  // Failures need no handling here: a topic still missing is answered
  // UNKNOWN_TOPIC_OR_PARTITION by produce_topic().
  const auto created =
      co_await auto_create_topics(broker.config(), broker.metadata(), std::move(missing));
  static_cast<void>(created);
  co_return broker.metadata().current();
}

asio::awaitable<ProduceResponse> handle(RequestContext& context, ProduceRequest& request) {
  Broker& broker = context.broker;
  auto image = broker.metadata().current();
  // Checked here rather than inside the coroutine: calling one allocates its frame, and
  // nearly every request names only known topics.
  if (broker.config().auto_create_topics_enable && names_unknown_topic(*image, request)) {
    image = co_await image_with_created_topics(broker, *image, request);
  }
  const PartitionView view{broker.config(), *image, broker.logs()};
  context.suppress_response = request.acks == 0;
  co_return produce(view, request, context.api_version, wall_clock_ms(), &broker.fetch_waiters());
}

}  // namespace

ProduceResponse produce(const PartitionView& view, ProduceRequest& request, int16_t version,
                        int64_t now_ms, FetchWaiters* waiters) {
  // One per event-loop thread: validation's buffers are reused from request to request.
  thread_local ProduceValidationScratch scratch;
  const bool valid_acks = request.acks == 0 || request.acks == 1 || request.acks == -1;
  const ErrorCode request_error = valid_acks ? ErrorCode::kNone : ErrorCode::kInvalidRequiredAcks;
  ProduceCall call{view, version, now_ms, waiters, scratch};
  ProduceResponse response;
  for (const auto& topic : request.topic_data) {
    response.responses.push_back(produce_topic(call, topic, request_error));
  }
  return response;
}

HandlerSpec produce_handler() {
  return make_handler_spec<ProduceRequest, ProduceResponse, &handle>(0, 11);
}

}  // namespace eddy::broker
