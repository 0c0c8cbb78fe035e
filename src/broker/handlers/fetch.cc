#include "broker/handlers/fetch.h"

#include <chrono>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <unistd.h>

#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "broker/fetch/fetch_sessions.h"
#include "broker/partitions/led_partition.h"
#include "protocol/error_code.h"
#include "protocol/generated/fetch_request.h"
#include "protocol/generated/fetch_response.h"
#include "records/batch_header.h"
#include "records/batch_records.h"
#include "records/byte_order.h"
#include "records/legacy_convert.h"
#include "storage/file.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

constexpr int16_t kFirstTopicIdVersion = 13;
constexpr int8_t kReadCommitted = 1;
constexpr int16_t kFirstRecordBatchVersion = 4;  // older fetchers get legacy message sets
constexpr int16_t kFirstMagic1Version = 2;       // v0-1 get magic 0, v2-3 magic 1 (as Kafka)
// Down-conversion holds a read and its converted copy in memory: bounded per partition.
constexpr int64_t kMaxDownConvertBytes = 16 << 20;
// The produce path's bound, so every stored batch can be converted.
constexpr size_t kMaxDownConvertDecompressedBytes = records::kMaxDecompressedBatchBytes;
// Reads past batches that convert to nothing (markers, records below the fetch offset).
constexpr int kMaxDownConvertReads = 16;

using Target = FetchPlan::Partition;
using TopicTargets = FetchPlan::Topic;

TopicTargets resolve_topic(const PartitionView& view, const FetchRequest::FetchTopic& requested,
                           int16_t version) {
  const metadata::MetadataImage& image = view.image;
  TopicTargets out{&requested, {}};
  const bool by_id = version >= kFirstTopicIdVersion;
  const metadata::TopicImage* topic =
      by_id ? image.topic(requested.topic_id) : image.topic(requested.topic);
  const ErrorCode missing =
      by_id ? ErrorCode::kUnknownTopicId : ErrorCode::kUnknownTopicOrPartition;
  for (const auto& partition : requested.partitions) {
    LedPartition led =
        find_led_partition(view, topic, partition.partition, partition.current_leader_epoch);
    Target target{&partition, std::move(led.log), led.error};
    if (topic == nullptr) target.error = missing;
    out.partitions.push_back(std::move(target));
  }
  return out;
}

// Fetch v0-3 predate record batches: the stored batches are converted into a memory copy. Only
// old fetchers pay for the copy; v4+ sends file ranges. A read that converts to nothing moves on
// to the next batches, so the fetcher makes progress. Errors met after some messages were
// converted are left for the next fetch to report.
ErrorCode down_convert_read(const storage::PartitionLog& log, storage::ReadResult read,
                            int64_t fetch_offset, int64_t limit, int64_t max_offset,
                            int16_t version, bool min_one, std::vector<uint8_t>& out) {
  records::DownConvertOptions options;
  options.magic = version < kFirstMagic1Version ? 0 : 1;
  options.first_offset = fetch_offset;
  options.max_output_bytes = static_cast<size_t>(limit);
  options.min_one_message = min_one;
  options.max_decompressed_bytes = kMaxDownConvertDecompressedBytes;
  records::DownConvertScratch scratch;
  std::vector<uint8_t> input;
  for (int reads = 0; reads < kMaxDownConvertReads && !read.slices.empty(); ++reads) {
    if (!read.slices.front().read(input)) return ErrorCode::kKafkaStorageError;
    const records::DownConvertResult result = records::down_convert(input, options, scratch, out);
    if (!out.empty()) return ErrorCode::kNone;
    if (result.error == records::LegacyError::kUnsupportedCodec) {
      return ErrorCode::kUnsupportedCompressionType;
    }
    if (result.error != records::LegacyError::kNone) return ErrorCode::kCorruptMessage;
    if (result.full || result.next_offset < 0 || result.next_offset >= max_offset) break;
    options.first_offset = result.next_offset;
    read = log.read(result.next_offset, static_cast<int32_t>(limit), max_offset, min_one);
  }
  return ErrorCode::kNone;
}

FetchResponse::PartitionData read_partition(const Target& target, const FetchRequest& request,
                                            int16_t version, FetchRead& totals) {
  FetchResponse::PartitionData out;
  out.partition_index = target.request->partition;
  // Old fetchers need a down-converted copy, which message.downconversion.enable=false refuses
  // per partition, as Kafka 3.x did.
  const bool refuse_down_conversion = target.error == ErrorCode::kNone &&
                                      version < kFirstRecordBatchVersion &&
                                      !target.log->config()->downconversion_enable;
  if (target.error != ErrorCode::kNone || refuse_down_conversion) {
    const ErrorCode error = refuse_down_conversion ? ErrorCode::kUnsupportedVersion : target.error;
    out.error_code = protocol::to_int(error);
    out.high_watermark = -1;
    totals.any_error = true;
    return out;
  }
  const storage::PartitionLog& log = *target.log;
  out.high_watermark = log.high_watermark();
  out.last_stable_offset = log.last_stable_offset();
  out.log_start_offset = log.log_start_offset();
  const int64_t remaining = request.max_bytes - totals.bytes;
  int64_t limit = std::min<int64_t>(target.request->partition_max_bytes, remaining);
  if (version < kFirstRecordBatchVersion) limit = std::min(limit, kMaxDownConvertBytes);
  if (limit <= 0) return out;
  const int64_t max_offset =
      request.isolation_level == kReadCommitted ? out.last_stable_offset : out.high_watermark;
  const storage::ReadResult read =
      log.read(target.request->fetch_offset, static_cast<int32_t>(limit), max_offset,
               /*min_one_batch=*/totals.bytes == 0);
  if (read.error != storage::Error::kNone) {
    out.error_code = protocol::to_int(kafka_error(read.error));
    totals.any_error = true;
    return out;
  }
  // A read that crosses into the next segment returns two slices; one records field holds
  // one file range, so the rest comes with the client's next fetch.
  if (!read.slices.empty()) {
    const storage::FileSlice& slice = read.slices.front();
    if (version < kFirstRecordBatchVersion) {
      auto converted = std::make_shared<std::vector<uint8_t>>();
      const ErrorCode error =
          down_convert_read(log, read, target.request->fetch_offset, limit, max_offset, version,
                            /*min_one=*/totals.bytes == 0, *converted);
      if (error != ErrorCode::kNone) {
        out.error_code = protocol::to_int(error);
        totals.any_error = true;
        return out;
      }
      if (!converted->empty()) {
        const uint8_t* data = converted->data();
        const size_t size_bytes = converted->size();
        out.records = protocol::Records::from_memory(data, size_bytes, std::move(converted));
        totals.bytes += static_cast<int64_t>(size_bytes);
      }
      return out;
    }
    out.records = protocol::Records::from_file(slice.range(), slice.file);
    totals.bytes += slice.size_bytes;
  }
  return out;
}

FetchResponse session_error(ErrorCode error) {
  FetchResponse response;
  response.error_code = protocol::to_int(error);
  return response;
}

std::vector<const storage::PartitionLog*> watched_logs(const FetchPlan& plan) {
  std::vector<const storage::PartitionLog*> logs;
  for (const auto& topic : plan.topics) {
    for (const auto& target : topic.partitions) {
      if (target.log != nullptr) logs.push_back(target.log.get());
    }
  }
  return logs;
}

// Long poll around the core: read, and while min_bytes is not met, wait for an append to a
// planned partition (or the deadline) and read again.
asio::awaitable<FetchResponse> handle(RequestContext& context, FetchRequest& request) {
  Broker& broker = context.broker;
  SessionUse session = begin_session(broker.fetch_sessions(), request);
  if (session.error != ErrorCode::kNone) co_return session_error(session.error);

  const auto image = broker.metadata().current();
  const int16_t version = context.api_version;
  const FetchPlan plan =
      plan_fetch(PartitionView{broker.config(), *image, broker.logs()}, request, version);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(std::max(0, request.max_wait_ms));
  FetchRead read = read_fetch(plan, request, version);
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
  while (!fetch_satisfied(read, request) && std::chrono::steady_clock::now() < deadline) {
    timer->expires_at(deadline);
    const auto registration = broker.fetch_waiters().watch(watched_logs(plan), timer);
    // Appends that landed before the registration are seen by this second read; later ones
    // cancel the timer (see FetchWaiters).
    read = read_fetch(plan, request, version);
    if (fetch_satisfied(read, request)) break;
    std::error_code woken;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, woken));
    read = read_fetch(plan, request, version);
  }
  end_session(broker.fetch_sessions(), session, read.response);
  co_return std::move(read.response);
}

}  // namespace

FetchPlan plan_fetch(const PartitionView& view, const FetchRequest& request, int16_t version) {
  FetchPlan plan;
  for (const auto& topic : request.topics)
    plan.topics.push_back(resolve_topic(view, topic, version));
  return plan;
}

FetchRead read_fetch(const FetchPlan& plan, const FetchRequest& request, int16_t version) {
  FetchRead read;
  for (const auto& topic : plan.topics) {
    FetchResponse::FetchableTopicResponse entry;
    entry.topic = topic.request->topic;
    entry.topic_id = topic.request->topic_id;
    for (const auto& target : topic.partitions) {
      entry.partitions.push_back(read_partition(target, request, version, read));
    }
    read.response.responses.push_back(std::move(entry));
  }
  return read;
}

bool fetch_satisfied(const FetchRead& read, const FetchRequest& request) {
  return read.any_error || read.bytes >= request.min_bytes || request.max_wait_ms <= 0;
}

HandlerSpec fetch_handler() {
  return make_handler_spec<FetchRequest, FetchResponse, &handle>(0, 17);
}

}  // namespace eddy::broker
