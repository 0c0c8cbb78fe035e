// Writes seed inputs for the fuzz targets (scripts/capture-seeds.sh runs it):
//   fuzz_seed_writer <capture dir> <corpus root>
// From the request frames the integration tests captured (tests/integration/capture_proxy.py):
// request_frame and request_body inputs, and from every Produce request its record batches
// (record_batch, down_convert), their compressed payloads (decompress_<codec>) and legacy
// message sets (legacy_messages, also from down-converting the batches). For the disk formats
// no client sends (metadata log, snapshots, __consumer_offsets, checkpoints, meta.properties)
// it writes what the encoders produce. Files are named by content hash, so reruns add nothing.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "compression/compression.h"
#include "group/consumer_offsets_records.h"
#include "metadata/log_records.h"
#include "metadata/state_machine.h"
#include "protocol/generated/api_keys.h"
#include "protocol/generated/produce_request.h"
#include "protocol/generated/request_header.h"
#include "records/batch_builder.h"
#include "records/batch_header.h"
#include "records/legacy_convert.h"
#include "records/legacy_message.h"
#include "storage/checkpoint.h"

namespace fs = std::filesystem;
using namespace eddy;

namespace {

using Bytes = std::vector<uint8_t>;

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  void write(const std::string& target, std::span<const uint8_t> bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    char name[17];
    std::snprintf(name, sizeof name, "%016zx",
                  std::hash<std::string_view>{}(
                      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    ++written_;
  }
  void write(const std::string& target, const std::string& text) {
    write(target, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  int written() const { return written_; }

 private:
  fs::path root_;
  int written_ = 0;
};

Bytes prefixed(std::initializer_list<uint8_t> prefix, std::span<const uint8_t> rest) {
  Bytes out(prefix);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void write_legacy_conversions(CorpusWriter& corpus, std::span<const uint8_t> batches) {
  for (int8_t magic = 0; magic <= 1; ++magic) {
    records::DownConvertOptions options;
    options.magic = magic;
    options.max_output_bytes = 1 << 20;
    options.max_decompressed_bytes = 1 << 20;
    records::DownConvertScratch scratch;
    Bytes out;
    if (records::down_convert(batches, options, scratch, out).messages > 0) {
      corpus.write("legacy_messages", out);
    }
  }
}

void write_batches(CorpusWriter& corpus, std::span<const uint8_t> records) {
  if (records.size() <= records::kMagicOffset) return;
  if (records[records::kMagicOffset] != records::kCurrentMagic) {
    corpus.write("legacy_messages", records);
    return;
  }
  corpus.write("record_batch", prefixed({0}, records));
  corpus.write("down_convert", prefixed({0x03, 0}, records));
  records::BatchIterator it(records);
  while (it.next()) {
    const auto codec = it.header().compression();
    if (codec == compression::Codec::kNone) continue;
    static const char* const kTargets[] = {"", "decompress_gzip", "decompress_snappy",
                                           "decompress_lz4", "decompress_zstd"};
    corpus.write(kTargets[static_cast<int>(codec)], it.batch().subspan(records::kBatchHeaderSize));
  }
  write_legacy_conversions(corpus, records);
}

// A captured frame: request_frame gets it with its size prefix, request_body as
// <api index><version index><body>, Produce requests give their batches.
void write_frame(CorpusWriter& corpus, const Bytes& frame) {
  if (frame.size() < 4) return;
  const auto api_key = static_cast<int16_t>((frame[0] << 8) | frame[1]);
  const auto api_version = static_cast<int16_t>((frame[2] << 8) | frame[3]);
  const auto size = static_cast<uint32_t>(frame.size());
  corpus.write("request_frame",
               prefixed({static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                         static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)},
                        frame));
  const auto apis = protocol::all_apis();
  size_t index = 0;
  while (index < apis.size() && apis[index].key != api_key) ++index;
  if (index == apis.size() || api_version < apis[index].min_version ||
      api_version > apis[index].max_version) {
    return;
  }
  protocol::Reader reader(frame.data(), frame.size());
  protocol::RequestHeader header;
  if (!header.decode(reader, protocol::request_header_version(api_key, api_version))) return;
  const auto version_index = static_cast<uint16_t>(api_version - apis[index].min_version);
  const std::span<const uint8_t> body(frame.data() + reader.position(), reader.remaining());
  corpus.write(
      "request_body",
      prefixed({static_cast<uint8_t>(index >> 8), static_cast<uint8_t>(index),
                static_cast<uint8_t>(version_index >> 8), static_cast<uint8_t>(version_index)},
               body));
  if (api_key != protocol::ProduceRequest::kApiKey) return;
  protocol::ProduceRequest produce;
  if (!produce.decode(reader, api_version)) return;
  for (const auto& topic : produce.topic_data) {
    for (const auto& partition : topic.partition_data) {
      if (partition.records.data == nullptr) continue;
      write_batches(corpus, std::span(partition.records.data, partition.records.size_bytes));
    }
  }
}

void write_captured(CorpusWriter& corpus, const fs::path& capture_dir) {
  for (const auto& entry : fs::directory_iterator(capture_dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write_frame(corpus, frame);
  }
}

std::vector<metadata::Record> sample_metadata_records() {
  const Uuid topic_id = Uuid::random();
  metadata::RegisterBrokerRecord broker{1, {{"PLAINTEXT", "127.0.0.1", 9092}}, std::nullopt};
  metadata::TopicRecord topic{"orders", topic_id};
  metadata::PartitionRecord partition{topic_id, 0, {1}, {1}, 1, 0, 0};
  metadata::PartitionRecord partition_1{topic_id, 1, {1}, {1}, 1, 0, 0};
  metadata::ConfigRecord config{metadata::ConfigResourceType::kTopic, "orders", "cleanup.policy",
                                "compact"};
  metadata::ConfigRecord broker_config{metadata::ConfigResourceType::kBroker, "",
                                       "log.retention.ms", std::nullopt};
  return {broker, topic, partition, partition_1, config, broker_config};
}

void write_metadata(CorpusWriter& corpus) {
  const auto records = sample_metadata_records();
  corpus.write("metadata_log_entry", metadata::encode_batch(records));
  for (const auto& record : records)
    corpus.write("metadata_log_entry", metadata::encode_batch({record}));
  corpus.write("metadata_log_entry",
               metadata::encode_batch({metadata::RemoveTopicRecord{Uuid::random()}}));

  metadata::MetadataStateMachine machine;
  for (const auto& record : records) (void)machine.apply(record);
  machine.set_last_applied_index(42);
  corpus.write("metadata_snapshot", metadata::encode_snapshot(machine.image()));
  corpus.write("metadata_snapshot", metadata::encode_snapshot(metadata::MetadataImage{}));
}

void write_consumer_offsets(CorpusWriter& corpus) {
  corpus.write("consumer_offsets", prefixed({0}, group::encode_offset_key("group", "orders", 3)));
  corpus.write("consumer_offsets", prefixed({0}, group::encode_group_key("group")));
  group::OffsetValue offset{42, 3, "meta", 1700000000000, -1};
  corpus.write("consumer_offsets", prefixed({1}, group::encode_offset_value(offset)));
  offset.expire_timestamp_ms = 1700000100000;
  corpus.write("consumer_offsets", prefixed({1}, group::encode_offset_value(offset)));
  group::GroupValue value;
  value.protocol_type = "consumer";
  value.generation = 3;
  value.protocol = "range";
  value.leader = "member-1";
  value.current_state_timestamp_ms = 1700000000000;
  value.members.push_back({"member-1",
                           std::nullopt,
                           "client",
                           "/127.0.0.1",
                           30000,
                           10000,
                           {0, 1, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's'},
                           {0, 1}});
  value.members.push_back({"member-2", "static-2", "client", "/127.0.0.1", 30000, 10000, {}, {}});
  corpus.write("consumer_offsets", prefixed({2}, group::encode_group_value(value)));
  corpus.write("consumer_offsets", prefixed({2}, group::encode_group_value(group::GroupValue{})));
}

void write_files(CorpusWriter& corpus) {
  corpus.write("checkpoint", storage::format_checkpoint({{{"orders", 0}, 42},
                                                         {{"orders", 1}, 0},
                                                         {{"__consumer_offsets", 7}, 123456789}}));
  corpus.write("checkpoint", storage::format_checkpoint({}));
  corpus.write("meta_properties",
               std::string("#\n#Wed Dec 02 10:00:00 UTC 2026\nversion=1\nnode.id=1\n"
                           "cluster.id=5L6g3nShT-eMCtK--X86sw\n"
                           "directory.id=J8aAPcfLQt2bqs1JT_rMgQ\n"));
  corpus.write("properties", std::string("# comment\nlisteners=PLAINTEXT://127.0.0.1:9092\n"
                                         "log.dirs = /tmp/eddy\\\n  ,/tmp/eddy2\n"
                                         "key\\ with\\ spaces : value\\u00e9\\t\n"
                                         "! bang comment\nnum.partitions 3\n"));
}

// Batches of every codec built here too, in case the captured traffic lacks one.
void write_built_batches(CorpusWriter& corpus) {
  const uint8_t key[] = {'k', 'e', 'y'};
  const uint8_t value[] = {'v', 'a', 'l', 'u', 'e', 'v', 'a', 'l', 'u', 'e'};
  const records::HeaderInput headers[] = {{std::span(key), std::span(value)}};
  for (int codec = 0; codec <= 4; ++codec) {
    records::BatchOptions options;
    options.compression = static_cast<compression::Codec>(codec);
    records::BatchBuilder builder(options);
    builder.add({std::span<const uint8_t>(key), std::span<const uint8_t>(value), {}, 1000});
    builder.add({std::nullopt, std::span<const uint8_t>(value), headers, 1001});
    builder.add({std::span<const uint8_t>(key), std::nullopt, {}, 1002});
    Bytes batch;
    if (builder.finish(batch)) write_batches(corpus, batch);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seed_writer <capture dir> <corpus root>\n";
    return 2;
  }
  CorpusWriter corpus(argv[2]);
  write_captured(corpus, argv[1]);
  write_built_batches(corpus);
  write_metadata(corpus);
  write_consumer_offsets(corpus);
  write_files(corpus);
  std::cout << "fuzz_seed_writer: " << corpus.written() << " seed files under " << argv[2] << "\n";
  return 0;
}
