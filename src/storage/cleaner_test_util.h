#pragma once

// Helpers for the cleaner tests: keyed batches, a compacted log in a temp dir, and a decoded
// view of every record a consumer reading from the start would see.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "records/batch_builder.h"
#include "records/record.h"
#include "storage/cleaner.h"
#include "storage/test_util.h"

namespace eddy::storage::testing {

inline constexpr int64_t kCleanerNow = 1'700'000'000'000;

struct KeyValue {
  std::string key;
  std::optional<std::string> value;  // nullopt: tombstone
};

// One batch holding `records`; every record gets timestamp `timestamp_ms`.
inline std::vector<uint8_t> keyed_batch(const std::vector<KeyValue>& records, int64_t timestamp_ms,
                                        compression::Codec codec = compression::Codec::kNone) {
  records::BatchOptions options;
  options.compression = codec;
  records::BatchBuilder builder(options);
  for (const auto& record : records) {
    records::RecordInput input;
    input.key = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(record.key.data()),
                                         record.key.size());
    if (record.value) {
      input.value = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(record.value->data()),
                                             record.value->size());
    }
    input.timestamp_ms = timestamp_ms;
    builder.add(input);
  }
  std::vector<uint8_t> out;
  EXPECT_TRUE(builder.finish(out));
  return out;
}

struct ReadRecord {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;
  int64_t timestamp_ms;
  records::BatchHeader batch;
};

inline std::string as_string(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Every record from the log start to the log end, as a fetch from the start returns them.
inline std::vector<ReadRecord> read_all(const PartitionLog& log) {
  std::vector<ReadRecord> out;
  auto result = log.read(log.log_start_offset(), INT32_MAX, log.log_end_offset(), true);
  EXPECT_EQ(result.error, Error::kNone);
  std::vector<uint8_t> scratch;
  for (const auto& slice : result.slices) {
    auto bytes = read_slice(slice);
    records::BatchIterator batches(bytes, true);
    while (batches.next()) {
      const auto& header = batches.header();
      std::span<const uint8_t> region;
      EXPECT_EQ(records::records_region(batches.batch(), header, scratch, 64 << 20, region),
                records::RecordError::kNone);
      records::RecordIterator records(region, header.record_count);
      records::RecordView record;
      while (records.next(record)) {
        ReadRecord read{header.base_offset + record.offset_delta,
                        record.key ? as_string(*record.key) : "", std::nullopt,
                        header.base_timestamp + record.timestamp_delta, header};
        if (record.value) read.value = as_string(*record.value);
        out.push_back(read);
      }
      EXPECT_EQ(records.error(), records::RecordError::kNone);
    }
    EXPECT_EQ(batches.error(), records::BatchError::kNone);
  }
  return out;
}

inline config::TopicConfig compact_config() {
  config::TopicConfig config;
  config.compact = true;
  config.delete_enabled = false;
  config.segment_bytes = 2048;
  config.index_interval_bytes = 256;
  config.min_cleanable_dirty_ratio = 0.5;
  config.delete_retention_ms = 1000;
  return config;
}

inline std::unique_ptr<PartitionLog> open_compacted(const std::filesystem::path& dir,
                                                    const config::TopicConfig& config,
                                                    int64_t cleaner_offset = 0) {
  PartitionLog::Options options;
  options.dir = dir;
  options.topic = "compacted";
  options.partition = 0;
  options.config = config;
  options.cleaner_offset = cleaner_offset;
  options.now_ms = kCleanerNow;
  Error error = Error::kNone;
  auto log = PartitionLog::open(options, error);
  EXPECT_EQ(error, Error::kNone);
  return log;
}

// The last value of each key among the records below `below_offset`.
inline std::map<std::string, std::optional<std::string>> latest_values(
    const std::vector<ReadRecord>& records, int64_t below_offset) {
  std::map<std::string, std::optional<std::string>> latest;
  for (const auto& record : records) {
    if (record.offset < below_offset) latest[record.key] = record.value;
  }
  return latest;
}

}  // namespace eddy::storage::testing
