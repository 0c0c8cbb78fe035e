#include "records/varint.h"

#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace eddy::records {
namespace {

std::vector<uint8_t> encode_varint(int32_t value) {
  std::vector<uint8_t> out;
  append_varint(out, value);
  return out;
}

TEST(Varint, KnownZigZagEncodings) {
  EXPECT_EQ(encode_varint(0), (std::vector<uint8_t>{0x00}));
  EXPECT_EQ(encode_varint(-1), (std::vector<uint8_t>{0x01}));
  EXPECT_EQ(encode_varint(1), (std::vector<uint8_t>{0x02}));
  EXPECT_EQ(encode_varint(63), (std::vector<uint8_t>{0x7e}));
  EXPECT_EQ(encode_varint(64), (std::vector<uint8_t>{0x80, 0x01}));
  EXPECT_EQ(encode_varint(300), (std::vector<uint8_t>{0xd8, 0x04}));
  EXPECT_EQ(encode_varint(std::numeric_limits<int32_t>::min()),
            (std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST(Varint, RoundTripsAndSizes) {
  for (int32_t value : {0, 1, -1, 63, -64, 64, 8191, -8192, 1 << 20,
                        std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}) {
    std::vector<uint8_t> bytes = encode_varint(value);
    EXPECT_EQ(bytes.size(), varint_size(value));
    ByteReader reader(bytes);
    int32_t decoded = 0;
    ASSERT_TRUE(reader.read_varint(decoded));
    EXPECT_EQ(decoded, value);
    EXPECT_EQ(reader.remaining(), 0u);
  }
  for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{1} << 40,
                        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::vector<uint8_t> bytes;
    append_varlong(bytes, value);
    EXPECT_EQ(bytes.size(), varlong_size(value));
    ByteReader reader(bytes);
    int64_t decoded = 0;
    ASSERT_TRUE(reader.read_varlong(decoded));
    EXPECT_EQ(decoded, value);
  }
}

TEST(Varint, TooLongIsRejected) {
  std::vector<uint8_t> six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  ByteReader reader(six);
  int32_t value = 0;
  EXPECT_FALSE(reader.read_varint(value));
  EXPECT_EQ(reader.failure(), ByteReader::Failure::kVarintTooLong);

  std::vector<uint8_t> eleven(10, 0x80);
  eleven.push_back(0x00);
  ByteReader long_reader(eleven);
  int64_t long_value = 0;
  EXPECT_FALSE(long_reader.read_varlong(long_value));
  EXPECT_EQ(long_reader.failure(), ByteReader::Failure::kVarintTooLong);
}

TEST(Varint, TruncatedIsRejected) {
  std::vector<uint8_t> bytes = {0xd8};  // continuation bit, then nothing
  ByteReader reader(bytes);
  int32_t value = 0;
  EXPECT_FALSE(reader.read_varint(value));
  EXPECT_EQ(reader.failure(), ByteReader::Failure::kEndOfData);
}

TEST(ByteReader, NullableBytes) {
  std::vector<uint8_t> bytes = {0x01, 0x04, 'a', 'b', 0x03};  // null, "ab", then length -2
  ByteReader reader(bytes);
  std::optional<std::span<const uint8_t>> field;
  ASSERT_TRUE(reader.read_nullable_bytes(field));
  EXPECT_FALSE(field.has_value());
  ASSERT_TRUE(reader.read_nullable_bytes(field));
  ASSERT_TRUE(field.has_value());
  EXPECT_EQ(field->size(), 2u);
  EXPECT_FALSE(reader.read_nullable_bytes(field));
  EXPECT_EQ(reader.failure(), ByteReader::Failure::kNegativeLength);
}

TEST(ByteReader, LengthPastEndIsRejected) {
  std::vector<uint8_t> bytes = {0x0a, 'a'};  // claims 5 bytes, has 1
  ByteReader reader(bytes);
  std::optional<std::span<const uint8_t>> field;
  EXPECT_FALSE(reader.read_nullable_bytes(field));
  EXPECT_EQ(reader.failure(), ByteReader::Failure::kEndOfData);
}

}  // namespace
}  // namespace eddy::records
