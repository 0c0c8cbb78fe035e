#include "records/batch_builder.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "records/test_batches.h"

namespace eddy::records {
namespace {

constexpr size_t kMaxDecompressed = 16 << 20;
constexpr compression::Codec kAllCompressions[] = {
    compression::Codec::kNone, compression::Codec::kGzip, compression::Codec::kSnappy,
    compression::Codec::kLz4, compression::Codec::kZstd};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string text(std::span<const uint8_t> b) {
  return {b.begin(), b.end()};
}

// Builds `count` records: key "key-i" (null for every third), value of `value_size` bytes,
// one header on even records, timestamps base + 10*i (out of order on the last one).
std::vector<uint8_t> build(const BatchOptions& options, int count, size_t value_size,
                           std::vector<std::string>& storage) {
  BatchBuilder builder(options);
  storage.clear();
  storage.reserve(2 * static_cast<size_t>(count) + 2);
  storage.push_back("trace");
  storage.push_back("abc");
  HeaderInput header{bytes(storage[0]), bytes(storage[1])};
  for (int i = 0; i < count; ++i) {
    storage.push_back("key-" + std::to_string(i));
    const std::string& key = storage.back();
    storage.push_back(std::string(value_size, static_cast<char>('a' + i % 26)));
    const std::string& value = storage.back();
    RecordInput record;
    if (i % 3 != 2) record.key = bytes(key);
    record.value = bytes(value);
    if (i % 2 == 0) record.headers = std::span<const HeaderInput>(&header, 1);
    record.timestamp_ms = 1'700'000'000'000 + 10 * i - (i == count - 1 ? 25 : 0);
    builder.add(record);
  }
  std::vector<uint8_t> out;
  EXPECT_TRUE(builder.finish(out));
  return out;
}

void expect_records(std::span<const uint8_t> batch, int count, size_t value_size) {
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(batch, header), BatchError::kNone);
  ASSERT_EQ(batch.size(), header.total_size_bytes());
  EXPECT_TRUE(verify_batch_crc(batch));
  EXPECT_EQ(validate_produced_batch(header), BatchError::kNone);
  EXPECT_EQ(header.record_count, count);
  EXPECT_EQ(header.base_timestamp, 1'700'000'000'000);
  int64_t newest = 1'700'000'000'000 + 10 * (count - 2);
  EXPECT_EQ(header.max_timestamp,
            std::max<int64_t>(newest, 1'700'000'000'000 + 10 * (count - 1) - 25));
  std::vector<uint8_t> scratch;
  std::span<const uint8_t> region;
  ASSERT_EQ(records_region(batch, header, scratch, kMaxDecompressed, region), RecordError::kNone);
  RecordIterator it(region, header.record_count);
  RecordView record;
  int i = 0;
  while (it.next(record)) {
    EXPECT_EQ(record.offset_delta, i);
    EXPECT_EQ(record.timestamp_delta, 10 * i - (i == count - 1 ? 25 : 0));
    if (i % 3 == 2) {
      EXPECT_FALSE(record.key.has_value());
    } else {
      ASSERT_TRUE(record.key.has_value());
      EXPECT_EQ(text(*record.key), "key-" + std::to_string(i));
    }
    ASSERT_TRUE(record.value.has_value());
    EXPECT_EQ(text(*record.value), std::string(value_size, static_cast<char>('a' + i % 26)));
    EXPECT_EQ(record.header_count, i % 2 == 0 ? 1 : 0);
    HeaderIterator headers(record);
    HeaderView header_view;
    if (i % 2 == 0) {
      ASSERT_TRUE(headers.next(header_view));
      EXPECT_EQ(text(header_view.key), "trace");
      EXPECT_EQ(text(*header_view.value), "abc");
    }
    EXPECT_FALSE(headers.next(header_view));
    ++i;
  }
  EXPECT_EQ(it.error(), RecordError::kNone);
  EXPECT_EQ(i, count);
}

class BuilderTest : public ::testing::TestWithParam<compression::Codec> {};

TEST_P(BuilderTest, BuildParseIterateRoundTrip) {
  std::vector<std::string> storage;
  for (int count : {2, 3, 50}) {
    for (size_t value_size : {size_t{0}, size_t{1}, size_t{1000}}) {
      BatchOptions options;
      options.compression = GetParam();
      auto batch = build(options, count, value_size, storage);
      BatchHeader header;
      ASSERT_EQ(parse_batch_header(batch, header), BatchError::kNone);
      EXPECT_EQ(header.compression(), GetParam());
      expect_records(batch, count, value_size);
    }
  }
}

TEST_P(BuilderTest, RecompressToEveryCodec) {
  std::vector<std::string> storage;
  BatchOptions options;
  options.compression = GetParam();
  options.base_offset = 500;
  options.producer_id = 77;
  auto batch = build(options, 20, 300, storage);
  RecompressScratch scratch;
  for (compression::Codec target : kAllCompressions) {
    std::vector<uint8_t> out;
    ASSERT_EQ(recompress_batch(batch, target, kMaxDecompressed, scratch, out), RecordError::kNone);
    BatchHeader header;
    ASSERT_EQ(parse_batch_header(out, header), BatchError::kNone);
    EXPECT_EQ(header.compression(), target);
    EXPECT_EQ(header.base_offset, 500);
    EXPECT_EQ(header.producer_id, 77);
    expect_records(out, 20, 300);
  }
}

TEST_P(BuilderTest, DecompressionLimitIsEnforced) {
  std::vector<std::string> storage;
  BatchOptions options;
  options.compression = GetParam();
  auto batch = build(options, 10, 10000, storage);
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(batch, header), BatchError::kNone);
  std::vector<uint8_t> scratch;
  RecordError expected =
      GetParam() == compression::Codec::kNone ? RecordError::kNone : RecordError::kDecompressFailed;
  EXPECT_EQ(validate_records(batch, header, scratch, 50000), expected);
}

TEST_P(BuilderTest, TruncatedBuiltBatchNeverParses) {
  std::vector<std::string> storage;
  BatchOptions options;
  options.compression = GetParam();
  auto batch = build(options, 5, 100, storage);
  for (size_t size = 0; size < batch.size(); ++size) {
    std::vector<uint8_t> prefix(batch.begin(), batch.begin() + size);
    BatchHeader header;
    EXPECT_NE(parse_batch_header(prefix, header), BatchError::kNone);
  }
}

TEST_P(BuilderTest, MutatedBatchesWithValidCrcNeverCrash) {
  // Hostile producers can compute a correct CRC over garbage, so the record and codec layers
  // must cope on their own.
  std::vector<std::string> storage;
  BatchOptions options;
  options.compression = GetParam();
  auto original = build(options, 8, 40, storage);
  std::mt19937_64 random(static_cast<uint64_t>(GetParam()) + 11);
  std::vector<uint8_t> scratch;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> batch = original;
    int flips = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < flips; ++i) {
      size_t at = kBatchHeaderSize + random() % (batch.size() - kBatchHeaderSize);
      batch[at] = static_cast<uint8_t>(random());
    }
    update_batch_crc(batch);
    BatchIterator it(batch);
    while (it.next()) {
      (void)validate_records(it.batch(), it.header(), scratch, 1 << 16);
      EXPECT_LE(scratch.size(), (1u << 16) + 1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BuilderTest, ::testing::ValuesIn(kAllCompressions));

TEST(BatchBuilder, HeaderFieldsAndFlags) {
  BatchOptions options;
  options.base_offset = 42;
  options.partition_leader_epoch = 9;
  options.producer_id = 1234;
  options.producer_epoch = 5;
  options.base_sequence = 17;
  options.transactional = true;
  options.control = true;
  options.log_append_time = true;
  BatchBuilder builder(options);
  RecordInput record;
  record.timestamp_ms = 99;
  builder.add(record);
  EXPECT_EQ(builder.record_count(), 1);
  std::vector<uint8_t> out;
  ASSERT_TRUE(builder.finish(out));
  EXPECT_EQ(builder.record_count(), 0);
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(out, header), BatchError::kNone);
  EXPECT_EQ(header.base_offset, 42);
  EXPECT_EQ(header.partition_leader_epoch, 9);
  EXPECT_EQ(header.producer_id, 1234);
  EXPECT_EQ(header.producer_epoch, 5);
  EXPECT_EQ(header.base_sequence, 17);
  EXPECT_TRUE(header.is_transactional());
  EXPECT_TRUE(header.is_control());
  EXPECT_TRUE(header.is_log_append_time());
  EXPECT_EQ(header.last_offset_delta, 0);
  EXPECT_EQ(header.base_timestamp, 99);
  EXPECT_EQ(header.max_timestamp, 99);
  EXPECT_TRUE(verify_batch_crc(out));
}

TEST(BatchBuilder, MatchesHandWrittenBatchByteForByte) {
  BatchOptions options;
  options.base_offset = 1000;
  options.partition_leader_epoch = 7;
  options.producer_id = 12345;
  options.producer_epoch = 3;
  options.base_sequence = 42;
  BatchBuilder builder(options);
  const std::string k = "k", v = "v", hello = "hello", h = "h", x = "x";
  RecordInput first;
  first.key = bytes(k);
  first.value = bytes(v);
  first.timestamp_ms = 1700000000000;
  builder.add(first);
  HeaderInput header{bytes(h), bytes(x)};
  RecordInput second;
  second.value = bytes(hello);
  second.headers = std::span<const HeaderInput>(&header, 1);
  second.timestamp_ms = 1700000000005;
  builder.add(second);
  std::vector<uint8_t> out;
  ASSERT_TRUE(builder.finish(out));
  EXPECT_EQ(out, std::vector<uint8_t>(testing::kHandWrittenBatch.begin(),
                                      testing::kHandWrittenBatch.end()));
}

TEST(BatchBuilder, AppendsSeveralBatchesForTheIterator) {
  std::vector<uint8_t> out;
  BatchBuilder builder(BatchOptions{});
  for (int batch = 0; batch < 3; ++batch) {
    for (int i = 0; i <= batch; ++i) builder.add(RecordInput{});
    ASSERT_TRUE(builder.finish(out));
  }
  BatchIterator it(out);
  int batches = 0;
  while (it.next()) {
    EXPECT_EQ(it.header().record_count, batches + 1);
    ++batches;
  }
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(it.error(), BatchError::kNone);
}

}  // namespace
}  // namespace eddy::records
