#include "sink/sink_handler.h"

#include <climits>

#include <sys/uio.h>

#include "common/log.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_keys.h"
#include "protocol/generated/api_versions_response.h"
#include "protocol/generated/metadata_request.h"
#include "protocol/generated/metadata_response.h"
#include "protocol/generated/produce_request.h"
#include "protocol/generated/produce_response.h"
#include "protocol/generated/request_header.h"
#include "protocol/generated/response_header.h"
#include "records/batch_header.h"

namespace eddy::bench {
namespace {

using protocol::ApiKey;
using protocol::ErrorCode;

struct VersionRange {
  ApiKey key;
  int16_t min_version;         // advertised
  int16_t max_version;         // advertised and served
  int16_t served_min_version;  // lower versions close the connection
};

// Produce is served from v3, the first version carrying v2 record batches, but advertised from
// v0: librdkafka (up to 2.11) compresses with lz4/gzip/snappy only when the broker's Produce
// range includes v0, and would silently send uncompressed batches to the sink otherwise (Eddy
// advertises v0 for the same reason). Fetch is advertised but not served (a Fetch closes the
// connection): librdkafka uses record batches (magic v2) only when the broker lists both
// Produce v3+ and Fetch v4+, and would fall back to v1 message sets. FindCoordinator v0 is
// advertised and never served either (an empty served range): librdkafka's lz4 feature
// requires it.
constexpr VersionRange kSupported[] = {
    {ApiKey::kProduce, 0, 9, 3},         {ApiKey::kFetch, 4, 12, 13},
    {ApiKey::kFindCoordinator, 0, 0, 1}, {ApiKey::kMetadata, 0, 12, 0},
    {ApiKey::kApiVersions, 0, 3, 0},
};

const VersionRange* find_range(int16_t api_key) {
  for (const auto& range : kSupported) {
    if (static_cast<int16_t>(range.key) == api_key) return &range;
  }
  return nullptr;
}

constexpr int32_t kNodeId = 0;

}  // namespace

SinkHandler::SinkHandler(SinkOptions options, Appender& appender)
    : options_(std::move(options)), appender_(appender) {}

bool SinkHandler::handle(std::span<uint8_t> frame, std::vector<uint8_t>& out) {
  ++stats_.requests;
  protocol::Reader peek(frame.data(), frame.size());
  const int16_t api_key = peek.read_int16();
  const int16_t version = peek.read_int16();
  if (!peek.ok()) return false;
  const VersionRange* range = find_range(api_key);
  if (range == nullptr) return false;
  const bool supported = version >= range->served_min_version && version <= range->max_version;
  const bool is_api_versions = range->key == ApiKey::kApiVersions;
  if (!supported && !is_api_versions) return false;

  protocol::Reader reader(frame.data(), frame.size());
  protocol::RequestHeader header;
  if (!header.decode(reader, protocol::request_header_version(api_key, version))) return false;
  bool respond = true;
  bool ok = false;
  if (is_api_versions) {
    ok = api_versions(supported ? version : int16_t{-1}, header.correlation_id);
  } else if (range->key == ApiKey::kMetadata) {
    ok = metadata(reader, version, header.correlation_id);
  } else {
    ok = produce(frame, reader, version, header.correlation_id, respond);
  }
  if (ok && respond) finish_response(out);
  writer_.clear();
  return ok;
}

void SinkHandler::begin_response(int32_t correlation_id, int16_t header_version) {
  writer_.clear();
  writer_.write_int32(0);  // size, patched by finish_response
  protocol::ResponseHeader header;
  header.correlation_id = correlation_id;
  header.encode(writer_, header_version);
}

void SinkHandler::finish_response(std::vector<uint8_t>& out) {
  writer_.patch_int32(0, static_cast<int32_t>(writer_.total_size() - 4));
  out.insert(out.end(), writer_.buffer().begin(), writer_.buffer().end());
}

// `version` -1: the client asked for a version we lack; answer UNSUPPORTED_VERSION in v0.
bool SinkHandler::api_versions(int16_t version, int32_t correlation_id) {
  begin_response(correlation_id, 0);  // ApiVersions responses always use header v0
  protocol::ApiVersionsResponse response;
  if (version < 0) response.error_code = protocol::to_int(ErrorCode::kUnsupportedVersion);
  for (const auto& range : kSupported) {
    protocol::ApiVersionsResponse::ApiVersion entry;
    entry.api_key = static_cast<int16_t>(range.key);
    entry.min_version = range.min_version;
    entry.max_version = range.max_version;
    response.api_keys.push_back(entry);
  }
  response.encode(writer_, version < 0 ? 0 : version);
  return true;
}

bool SinkHandler::metadata(protocol::Reader& reader, int16_t version, int32_t correlation_id) {
  protocol::MetadataRequest request;
  if (!request.decode(reader, version)) return false;
  std::vector<std::string> names;
  const bool all_topics = !request.topics || (version == 0 && request.topics->empty());
  if (all_topics) names = options_.topics;
  for (const auto& topic :
       request.topics.value_or(std::vector<protocol::MetadataRequest::MetadataRequestTopic>{})) {
    if (topic.name) names.push_back(*topic.name);
  }
  protocol::MetadataResponse response;
  response.brokers.push_back({kNodeId, options_.advertised_host, options_.port, std::nullopt, {}});
  response.cluster_id = "eddy-sink";
  response.controller_id = kNodeId;
  for (const auto& name : names) {
    protocol::MetadataResponse::MetadataResponseTopic topic;
    topic.name = name;
    for (int32_t index = 0; index < options_.partitions; ++index) {
      protocol::MetadataResponse::MetadataResponsePartition partition;
      partition.partition_index = index;
      partition.leader_id = kNodeId;
      partition.leader_epoch = 0;
      partition.replica_nodes = {kNodeId};
      partition.isr_nodes = {kNodeId};
      topic.partitions.push_back(std::move(partition));
    }
    response.topics.push_back(std::move(topic));
  }
  begin_response(correlation_id, protocol::response_header_version(3, version));
  response.encode(writer_, version);
  return true;
}

int16_t SinkHandler::append_partition(std::span<uint8_t> records,
                                      std::vector<int64_t>& next_offsets, int32_t partition,
                                      int64_t& base_offset) {
  if (partition < 0 || partition >= options_.partitions) {
    return protocol::to_int(ErrorCode::kUnknownTopicOrPartition);
  }
  records::BatchIterator batches(records, /*verify_crc=*/true);
  int64_t offset = next_offsets[static_cast<size_t>(partition)];
  base_offset = offset;
  int64_t batch_count = 0;
  int64_t record_count = 0;
  while (batches.next()) {
    const auto& header = batches.header();
    records::set_base_offset(records.subspan(batches.batch_position()), offset);
    offset += header.last_offset_delta + 1;
    ++batch_count;
    record_count += header.record_count;
  }
  if (batches.error() != records::BatchError::kNone || batch_count == 0) {
    // The first one is logged; a client sending many is already visible in the totals.
    if (stats_.corrupt_batches++ == 0) {
      spdlog::warn("sink: rejected records of partition {}: {} ({} bytes)", partition,
                   batch_count == 0 && batches.error() == records::BatchError::kNone
                       ? "no batch"
                       : records::to_string(batches.error()),
                   records.size());
    }
    return protocol::to_int(ErrorCode::kCorruptMessage);
  }
  const iovec part{records.data(), records.size()};
  if (!appender_.append(&part, 1)) return protocol::to_int(ErrorCode::kKafkaStorageError);
  next_offsets[static_cast<size_t>(partition)] = offset;
  stats_.batches += batch_count;
  stats_.records += record_count;
  return 0;
}

bool SinkHandler::produce(std::span<uint8_t> frame, protocol::Reader& reader, int16_t version,
                          int32_t correlation_id, bool& respond) {
  protocol::ProduceRequest request;
  if (!request.decode(reader, version)) return false;
  ++stats_.produce_requests;
  protocol::ProduceResponse response;
  for (const auto& topic : request.topic_data) {
    auto& next_offsets = next_offsets_[topic.name];
    next_offsets.resize(static_cast<size_t>(options_.partitions), 0);
    auto& topic_response = response.responses.emplace_back();
    topic_response.name = topic.name;
    for (const auto& partition : topic.partition_data) {
      auto& partition_response = topic_response.partition_responses.emplace_back();
      partition_response.index = partition.index;
      // The records are a view into `frame`; patch them through the frame's mutable span.
      std::span<uint8_t> records;
      if (partition.records.data != nullptr) {
        const auto position = static_cast<size_t>(partition.records.data - frame.data());
        records = frame.subspan(position, partition.records.size_bytes);
      }
      partition_response.error_code =
          append_partition(records, next_offsets, partition.index, partition_response.base_offset);
      if (partition_response.error_code != 0) partition_response.base_offset = -1;
      partition_response.log_start_offset = 0;
    }
  }
  respond = request.acks != 0;
  if (!respond) return true;
  begin_response(correlation_id, protocol::response_header_version(0, version));
  response.encode(writer_, version);
  return true;
}

}  // namespace eddy::bench
