#include "records/legacy_convert.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compression/compression.h"
#include "records/batch_builder.h"
#include "records/byte_order.h"
#include "records/legacy_reader.h"

namespace eddy::records {
namespace {

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string text_of(const std::optional<std::span<const uint8_t>>& bytes) {
  return bytes ? std::string(bytes->begin(), bytes->end()) : std::string("<null>");
}

// What a consumer would see of one record, copied out of the reader's buffers.
struct Seen {
  int64_t offset;
  int64_t timestamp_ms;
  bool log_append_time;
  compression::Codec wrapper;
  std::string key;
  std::string value;
};

std::vector<Seen> read_back(std::span<const uint8_t> data, LegacyError expected_error = {}) {
  std::vector<Seen> out;
  LegacyReadScratch scratch;
  const LegacyError error = read_legacy_records(data, 1 << 24, scratch, [&](const auto& record) {
    out.push_back({record.offset, record.timestamp_ms, record.log_append_time,
                   record.wrapper_compression, text_of(record.key), text_of(record.value)});
  });
  EXPECT_EQ(error, expected_error) << to_string(error);
  return out;
}

size_t top_level_count(std::span<const uint8_t> data) {
  LegacyMessageIterator messages(data);
  LegacyMessage message;
  size_t count = 0;
  while (messages.next(message)) ++count;
  EXPECT_EQ(messages.error(), LegacyError::kNone);
  return count;
}

constexpr int64_t kBaseTimestamp = 1700000000000;

std::string key_of(int i) {
  return "key-" + std::to_string(i);
}
std::string value_of(int i) {
  return "value-" + std::to_string(i) + std::string(i % 5 * 10, 'v');
}

// `count` records, offsets base_offset.., timestamps kBaseTimestamp + 7*i; record 1 has a null
// key; every record has a header (which down-conversion must drop).
std::vector<uint8_t> make_batch(compression::Codec codec, int64_t base_offset, int count,
                                bool log_append_time = false, bool control = false) {
  BatchOptions options;
  options.compression = codec;
  options.base_offset = base_offset;
  options.log_append_time = log_append_time;
  options.control = control;
  BatchBuilder builder(options);
  std::vector<std::string> keys, values;
  for (int i = 0; i < count; ++i) {
    keys.push_back(key_of(static_cast<int>(base_offset) + i));
    values.push_back(value_of(static_cast<int>(base_offset) + i));
  }
  const std::string header_key = "h";
  const std::string header_value = "header-value";
  const HeaderInput headers[] = {{bytes_of(header_key), bytes_of(header_value)}};
  for (int i = 0; i < count; ++i) {
    RecordInput record;
    if (i != 1) record.key = bytes_of(keys[i]);
    record.value = bytes_of(values[i]);
    record.headers = headers;
    record.timestamp_ms = kBaseTimestamp + 7 * i;
    builder.add(record);
  }
  std::vector<uint8_t> out;
  EXPECT_TRUE(builder.finish(out));
  if (log_append_time) set_max_timestamp(out, kBaseTimestamp + 999);
  return out;
}

DownConvertOptions options_for(int8_t magic, size_t max_output_bytes = 1 << 24) {
  DownConvertOptions options;
  options.magic = magic;
  options.max_output_bytes = max_output_bytes;
  options.max_decompressed_bytes = 1 << 24;
  return options;
}

struct Case {
  compression::Codec codec;
  int8_t magic;
};

class DownConvertEveryCodec : public ::testing::TestWithParam<Case> {};

TEST_P(DownConvertEveryCodec, RoundTripsOffsetsKeysValuesTimestamps) {
  const auto [codec, magic] = GetParam();
  const auto batch = make_batch(codec, 100, 20);
  ASSERT_EQ(load_be<int16_t>(batch.data() + kAttributesOffset) & kCompressionMask,
            static_cast<int>(codec));
  std::vector<uint8_t> out;
  DownConvertScratch scratch;
  const auto result = down_convert(batch, options_for(magic), scratch, out);
  ASSERT_EQ(result.error, LegacyError::kNone) << to_string(result.error);
  EXPECT_FALSE(result.full);
  EXPECT_EQ(result.next_offset, 120);
  const bool compressed = codec != compression::Codec::kNone;
  EXPECT_EQ(result.messages, compressed ? 1u : 20u);
  EXPECT_EQ(top_level_count(out), result.messages);

  const auto seen = read_back(out);
  ASSERT_EQ(seen.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(seen[i].offset, 100 + i);
    EXPECT_EQ(seen[i].key, i == 1 ? "<null>" : key_of(100 + i));
    EXPECT_EQ(seen[i].value, value_of(100 + i));
    EXPECT_EQ(seen[i].timestamp_ms, magic == 0 ? kNoTimestamp : kBaseTimestamp + 7 * i);
    EXPECT_FALSE(seen[i].log_append_time);
    EXPECT_EQ(seen[i].wrapper, codec);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, DownConvertEveryCodec,
    ::testing::Values(Case{compression::Codec::kNone, 0}, Case{compression::Codec::kNone, 1},
                      Case{compression::Codec::kGzip, 0}, Case{compression::Codec::kGzip, 1},
                      Case{compression::Codec::kSnappy, 0}, Case{compression::Codec::kSnappy, 1},
                      Case{compression::Codec::kLz4, 0}, Case{compression::Codec::kLz4, 1}),
    [](const auto& test_info) {
      return std::string(compression::to_string(test_info.param.codec)) + "_magic" +
             std::to_string(test_info.param.magic);
    });

// The wrapper layout old clients rely on: magic 1 inner offsets are relative (0..n-1) and the
// wrapper carries the last absolute offset and the largest timestamp; magic 0 inner offsets are
// absolute. Headers leave no trace (a message has nowhere to put them).
TEST(DownConvert, WrapperLayoutAndNoHeaders) {
  for (const int8_t magic : {int8_t{0}, int8_t{1}}) {
    SCOPED_TRACE(magic);
    std::vector<uint8_t> out;
    DownConvertScratch scratch;
    ASSERT_EQ(
        down_convert(make_batch(compression::Codec::kGzip, 50, 4), options_for(magic), scratch, out)
            .error,
        LegacyError::kNone);
    LegacyMessage wrapper;
    size_t consumed = 0;
    ASSERT_EQ(parse_legacy_message(out, true, wrapper, consumed), LegacyError::kNone);
    EXPECT_EQ(consumed, out.size());
    EXPECT_EQ(wrapper.offset, 53);
    EXPECT_FALSE(wrapper.key.has_value());
    EXPECT_EQ(wrapper.timestamp_ms, magic == 0 ? kNoTimestamp : kBaseTimestamp + 21);
    std::vector<uint8_t> inner;
    ASSERT_TRUE(compression::decompress(compression::Codec::kGzip, *wrapper.value, inner, 1 << 20));
    LegacyMessageIterator messages(inner);
    LegacyMessage message;
    std::vector<int64_t> offsets;
    while (messages.next(message)) {
      offsets.push_back(message.offset);
      EXPECT_EQ(text_of(message.value).find("header"), std::string::npos);
    }
    EXPECT_EQ(messages.error(), LegacyError::kNone);
    const std::vector<int64_t> expected =
        magic == 0 ? std::vector<int64_t>{50, 51, 52, 53} : std::vector<int64_t>{0, 1, 2, 3};
    EXPECT_EQ(offsets, expected);
  }
  // Uncompressed: each message is exactly its key and value, nothing more.
  std::vector<uint8_t> out;
  DownConvertScratch scratch;
  ASSERT_EQ(
      down_convert(make_batch(compression::Codec::kNone, 0, 1), options_for(1), scratch, out).error,
      LegacyError::kNone);
  EXPECT_EQ(out.size(), legacy_entry_size(1, key_of(0).size(), value_of(0).size()));
}

TEST(DownConvert, LogAppendTimeBatchesKeepTheirTimestampType) {
  for (const auto codec : {compression::Codec::kNone, compression::Codec::kSnappy}) {
    std::vector<uint8_t> out;
    DownConvertScratch scratch;
    const auto batch = make_batch(codec, 0, 3, /*log_append_time=*/true);
    ASSERT_EQ(down_convert(batch, options_for(1), scratch, out).error, LegacyError::kNone);
    for (const auto& seen : read_back(out)) {
      EXPECT_TRUE(seen.log_append_time);
      EXPECT_EQ(seen.timestamp_ms, kBaseTimestamp + 999);
    }
  }
}

TEST(DownConvert, SkipsControlBatches) {
  std::vector<uint8_t> batches = make_batch(compression::Codec::kNone, 0, 3);
  const auto marker = make_batch(compression::Codec::kNone, 3, 1, false, /*control=*/true);
  batches.insert(batches.end(), marker.begin(), marker.end());
  const auto after = make_batch(compression::Codec::kLz4, 4, 2);
  batches.insert(batches.end(), after.begin(), after.end());
  std::vector<uint8_t> out;
  DownConvertScratch scratch;
  const auto result = down_convert(batches, options_for(1), scratch, out);
  ASSERT_EQ(result.error, LegacyError::kNone);
  EXPECT_EQ(result.next_offset, 6);
  std::vector<int64_t> offsets;
  for (const auto& seen : read_back(out)) offsets.push_back(seen.offset);
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 1, 2, 4, 5}));

  // Only a marker: nothing to send, but the next offset moves past it.
  out.clear();
  const auto only_marker = down_convert(marker, options_for(1), scratch, out);
  EXPECT_EQ(only_marker.messages, 0u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(only_marker.next_offset, 4);
}

// Found by fuzz_down_convert (docs/reliability.md): the batch's base timestamp and a record's
// delta are the producer's; their sum wraps around as Kafka's long arithmetic does instead of
// overflowing (undefined behaviour).
TEST(DownConvert, TimestampsWrapAroundLikeKafka) {
  for (const auto codec : {compression::Codec::kNone, compression::Codec::kGzip}) {
    auto batch = make_batch(codec, 0, 2);  // record 1: timestamp delta +7
    store_be<int64_t>(batch.data() + kBaseTimestampOffset, INT64_MAX - 3);
    update_batch_crc(batch);
    std::vector<uint8_t> out;
    DownConvertScratch scratch;
    ASSERT_EQ(down_convert(batch, options_for(1), scratch, out).error, LegacyError::kNone);
    const auto seen = read_back(out);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].timestamp_ms, INT64_MAX - 3);
    EXPECT_EQ(seen[1].timestamp_ms, INT64_MIN + 3);
  }
}

TEST(DownConvert, RecordsBelowTheFetchOffsetAreLeftOut) {
  for (const auto codec : {compression::Codec::kNone, compression::Codec::kGzip}) {
    std::vector<uint8_t> out;
    DownConvertScratch scratch;
    auto options = options_for(1);
    options.first_offset = 13;
    ASSERT_EQ(down_convert(make_batch(codec, 10, 6), options, scratch, out).error,
              LegacyError::kNone);
    std::vector<int64_t> offsets;
    for (const auto& seen : read_back(out)) offsets.push_back(seen.offset);
    EXPECT_EQ(offsets, (std::vector<int64_t>{13, 14, 15}));
  }
}

TEST(DownConvert, ZstdCannotBeDownConverted) {
  std::vector<uint8_t> out;
  DownConvertScratch scratch;
  const auto result =
      down_convert(make_batch(compression::Codec::kZstd, 0, 5), options_for(1), scratch, out);
  EXPECT_EQ(result.error, LegacyError::kUnsupportedCodec);
  EXPECT_TRUE(out.empty());
}

TEST(DownConvert, OnlyWholeMessagesWithinTheLimit) {
  const auto batch = make_batch(compression::Codec::kNone, 0, 10);
  const size_t first_two = legacy_entry_size(1, key_of(0).size(), value_of(0).size()) +
                           legacy_entry_size(1, 0, value_of(1).size());
  std::vector<uint8_t> out;
  DownConvertScratch scratch;
  // One byte short of three messages: exactly two go out.
  const auto result = down_convert(batch, options_for(1, first_two + 5), scratch, out);
  EXPECT_EQ(result.error, LegacyError::kNone);
  EXPECT_TRUE(result.full);
  EXPECT_EQ(result.messages, 2u);
  EXPECT_EQ(result.next_offset, 2);
  EXPECT_EQ(out.size(), first_two);

  // A limit below the first message still sends it, unless min_one_message is off.
  out.clear();
  auto tiny = options_for(1, 1);
  EXPECT_EQ(down_convert(batch, tiny, scratch, out).messages, 1u);
  out.clear();
  tiny.min_one_message = false;
  const auto none = down_convert(batch, tiny, scratch, out);
  EXPECT_EQ(none.messages, 0u);
  EXPECT_TRUE(none.full);
  EXPECT_EQ(none.next_offset, 0);
  EXPECT_TRUE(out.empty());

  // A compressed batch is one indivisible wrapper.
  out.clear();
  auto batches = make_batch(compression::Codec::kGzip, 0, 5);
  const auto second = make_batch(compression::Codec::kGzip, 5, 5);
  batches.insert(batches.end(), second.begin(), second.end());
  const auto wrapped = down_convert(batches, options_for(1, 10), scratch, out);
  EXPECT_EQ(wrapped.messages, 1u);
  EXPECT_TRUE(wrapped.full);
  EXPECT_EQ(wrapped.next_offset, 5);
  EXPECT_EQ(read_back(out).size(), 5u);
}

TEST(DownConvert, AppendsAfterWhatOutAlreadyHolds) {
  std::vector<uint8_t> out = {1, 2, 3};
  DownConvertScratch scratch;
  ASSERT_EQ(
      down_convert(make_batch(compression::Codec::kNone, 0, 2), options_for(0), scratch, out).error,
      LegacyError::kNone);
  EXPECT_EQ(read_back(std::span(out).subspan(3)).size(), 2u);
}

// Batches from disk are trusted only as far as they parse: corrupt bytes give kBadBatch or a
// valid prefix, never undefined behaviour (CRCs are not checked here, so the corruption reaches
// the record and decompression code).
TEST(DownConvert, HostileBatchesNeverMisbehave) {
  std::mt19937 random(99);
  const compression::Codec codecs[] = {compression::Codec::kNone, compression::Codec::kGzip,
                                       compression::Codec::kSnappy, compression::Codec::kLz4};
  DownConvertScratch scratch;
  size_t failures = 0;
  for (int round = 0; round < 3000; ++round) {
    auto batch = make_batch(codecs[round % 4], 0, 4);
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      batch[kBatchHeaderSize - 8 + random() % (batch.size() - kBatchHeaderSize + 8)] =
          static_cast<uint8_t>(random());
    }
    if (round % 5 == 0) batch.resize(random() % (batch.size() + 1));
    std::vector<uint8_t> out;
    const auto result = down_convert(batch, options_for(round % 2), scratch, out);
    if (result.error != LegacyError::kNone) ++failures;
    // Whatever was written is a valid message set.
    LegacyReadScratch read_scratch;
    EXPECT_EQ(read_legacy_records(out, 1 << 24, read_scratch, [](const LegacyRecord&) {}),
              LegacyError::kNone);
  }
  EXPECT_GT(failures, 0u);
}

}  // namespace
}  // namespace eddy::records
