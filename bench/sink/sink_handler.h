#pragma once

// The Kafka the sink speaks: just enough for librdkafka to produce to it. ApiVersions, Metadata
// (this one broker leads every partition of any topic asked for, with a fixed partition count)
// and Produce (each batch parsed, CRC-32C checked, base offset patched, appended; acks 0/1/-1).

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/reader.h"
#include "protocol/writer.h"
#include "sink/appender.h"

namespace eddy::bench {

struct SinkOptions {
  std::string advertised_host = "127.0.0.1";
  int32_t port = 0;
  int32_t partitions = 1;           // of every topic
  std::vector<std::string> topics;  // listed when a client asks for all topics
};

struct SinkStats {
  int64_t requests = 0;
  int64_t produce_requests = 0;
  int64_t batches = 0;
  int64_t records = 0;
  int64_t corrupt_batches = 0;
};

class SinkHandler {
 public:
  SinkHandler(SinkOptions options, Appender& appender);

  // Handles one request frame (without its size prefix) and appends the response frame to
  // `out`, unless none is due (acks=0 produce). False: malformed or unsupported, close.
  bool handle(std::span<uint8_t> frame, std::vector<uint8_t>& out);
  const SinkStats& stats() const { return stats_; }
  const SinkOptions& options() const { return options_; }
  void set_port(int32_t port) { options_.port = port; }

 private:
  bool api_versions(int16_t version, int32_t correlation_id);
  bool metadata(protocol::Reader& reader, int16_t version, int32_t correlation_id);
  bool produce(std::span<uint8_t> frame, protocol::Reader& reader, int16_t version,
               int32_t correlation_id, bool& respond);
  // Validates, patches and appends one partition's records; a Kafka error code.
  int16_t append_partition(std::span<uint8_t> records, std::vector<int64_t>& next_offsets,
                           int32_t partition, int64_t& base_offset);
  void begin_response(int32_t correlation_id, int16_t header_version);
  void finish_response(std::vector<uint8_t>& out);

  SinkOptions options_;
  Appender& appender_;
  SinkStats stats_;
  protocol::Writer writer_;                                             // reused for every response
  std::unordered_map<std::string, std::vector<int64_t>> next_offsets_;  // per topic, partition
};

}  // namespace eddy::bench
