#include "broker/handlers/produce.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "broker/auto_create.h"
#include "broker/broker.h"
#include "broker/led_partition.h"
#include "broker/produce_policy_cache.h"
#include "broker/produce_validation.h"
#include "common/clock.h"
#include "protocol/error_code.h"
#include "protocol/generated/produce_request.h"
#include "protocol/generated/produce_response.h"
#include "records/batch_header.h"

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

// Produce v7 introduced zstd (KIP-110); older requests may not carry it.
constexpr int16_t kFirstZstdVersion = 7;

// Produce v3 introduced record batches (magic 2); v0-2 may carry either format.
constexpr int16_t kFirstBatchOnlyVersion = 3;

// Eddy stores magic 2 only and does not up-convert legacy message sets (docs/record-batch.md,
// "Legacy formats"); v0-2 requests carrying magic 2 batches follow the v3+ rules below.
bool is_legacy_message_set(const records::BatchIterator& batches) {
  const int8_t magic = batches.header().magic;
  return batches.error() == records::BatchError::kBadMagic && (magic == 0 || magic == 1);
}

// Kafka's shape rules for a partition's records in Produce v3+: exactly one batch, of magic 2
// (zstd only from v7). Framing and CRC faults are left to storage, which names them precisely.
std::optional<PartitionResponse> check_shape(int32_t index, const protocol::Records& records,
                                             int16_t version) {
  records::BatchIterator batches({records.data, records.size_bytes}, /*verify_crc=*/false);
  const bool has_batch = batches.next();
  const auto fail = [&](ErrorCode error, const char* what) {
    return partition_error(index, error,
                           fmt::format("Produce requests with version {} {}", version, what));
  };
  if (!has_batch && version < kFirstBatchOnlyVersion && is_legacy_message_set(batches)) {
    return partition_error(index, ErrorCode::kUnsupportedForMessageFormat,
                           "Eddy stores record batches of magic 2 only; message sets of magic 0 "
                           "or 1 are not accepted");
  }
  if (!has_batch && batches.error() == records::BatchError::kBadMagic) {
    return fail(ErrorCode::kInvalidRecord,
                "are only allowed to contain record batches with magic version 2");
  }
  if (!has_batch && batches.error() == records::BatchError::kNone) {
    return fail(ErrorCode::kInvalidRecord, "must have at least one record batch per partition");
  }
  if (!has_batch) return std::nullopt;
  if (version < kFirstZstdVersion &&
      batches.header().compression() == records::Compression::kZstd) {
    return fail(ErrorCode::kUnsupportedCompressionType,
                "are not allowed to use ZStandard compression");
  }
  if (batches.next() || batches.error() == records::BatchError::kBadMagic) {
    return fail(ErrorCode::kInvalidRecord,
                "are only allowed to contain exactly one record batch per partition");
  }
  return std::nullopt;
}

// What the partition appends of one request share.
struct ProduceCall {
  Broker& broker;
  PartitionView view;
  int16_t version;
  int64_t now_ms;
  std::vector<uint8_t> rewritten;  // only used when a topic recompresses
};

PartitionResponse append_partition(ProduceCall& call, const metadata::TopicImage& topic,
                                   const ProducePolicy& policy,
                                   const ProduceRequest::PartitionProduceData& data) {
  const LedPartition led = find_led_partition(call.view, &topic, data.index, -1);
  if (led.error != ErrorCode::kNone) return partition_error(data.index, led.error);
  if (auto refused = check_shape(data.index, data.records, call.version)) return *refused;

  const ProduceValidation validation =
      validate_produce(mutable_bytes(data.records), policy, call.now_ms, call.rewritten);
  if (validation.error != ErrorCode::kNone) {
    PartitionResponse out = partition_error(data.index, validation.error, validation.message);
    for (const auto& detail : validation.record_errors) {
      out.record_errors.push_back({detail.batch_index, detail.message});
    }
    return out;
  }
  const storage::AppendResult appended =
      led.log->append(validation.to_append, led.leader_epoch, call.now_ms);
  if (appended.error != storage::Error::kNone) {
    const auto code = static_cast<ErrorCode>(storage::kafka_error_code(appended.error));
    return partition_error(data.index, code, storage::to_string(appended.error));
  }
  call.broker.fetch_waiters().notify(led.log.get());
  PartitionResponse out;
  out.index = data.index;
  out.base_offset = appended.base_offset;
  out.log_append_time_ms = appended.log_append_time_ms;
  out.log_start_offset = appended.log_start_offset;
  return out;
}

// The topic's shared image, or null when unknown: the policy cache is keyed by it.
const metadata::TopicPtr* shared_topic(const metadata::MetadataImage& image,
                                       const std::string& name) {
  const auto found = image.topics_by_name.find(name);
  return found == image.topics_by_name.end() ? nullptr : &found->second;
}

ProduceResponse::TopicProduceResponse produce_topic(ProduceCall& call,
                                                    const ProduceRequest::TopicProduceData& data,
                                                    ErrorCode request_error) {
  ProduceResponse::TopicProduceResponse out;
  out.name = data.name;
  const metadata::TopicPtr* topic = shared_topic(call.view.image, data.name);
  if (request_error == ErrorCode::kNone && topic == nullptr) {
    request_error = ErrorCode::kUnknownTopicOrPartition;
  }
  if (request_error != ErrorCode::kNone) {
    for (const auto& partition : data.partition_data) {
      out.partition_responses.push_back(partition_error(partition.index, request_error));
    }
    return out;
  }
  const ProducePolicy policy =
      thread_produce_policy_cache().policy_for(call.broker.config(), *topic);
  for (const auto& partition : data.partition_data) {
    out.partition_responses.push_back(append_partition(call, **topic, policy, partition));
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
  const auto created = co_await auto_create_topics(broker, std::move(missing));
  static_cast<void>(created);
  co_return broker.metadata().current();
}

asio::awaitable<ProduceResponse> handle(RequestContext& context, ProduceRequest& request) {
  const bool valid_acks = request.acks == 0 || request.acks == 1 || request.acks == -1;
  const ErrorCode request_error = valid_acks ? ErrorCode::kNone : ErrorCode::kInvalidRequiredAcks;
  Broker& broker = context.broker;
  auto image = broker.metadata().current();
  // Checked here rather than inside the coroutine: calling one allocates its frame, and
  // nearly every request names only known topics.
  if (broker.config().auto_create_topics_enable && names_unknown_topic(*image, request)) {
    image = co_await image_with_created_topics(broker, *image, request);
  }
  ProduceCall call{
      broker, {broker.config(), *image, broker.logs()}, context.api_version, wall_clock_ms(), {}};
  ProduceResponse response;
  for (const auto& topic : request.topic_data) {
    response.responses.push_back(produce_topic(call, topic, request_error));
  }
  context.suppress_response = request.acks == 0;
  co_return response;
}

}  // namespace

HandlerSpec produce_handler() {
  return make_handler_spec<ProduceRequest, ProduceResponse, &handle>(0, 11);
}

}  // namespace eddy::broker
