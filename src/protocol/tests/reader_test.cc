#include "protocol/reader.h"

#include <vector>

#include <gtest/gtest.h>

namespace eddy::protocol {
namespace {

TEST(Reader, ReadsBigEndianIntegers) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
  Reader reader(bytes.data(), bytes.size());
  EXPECT_EQ(reader.read_int8(), 1);
  EXPECT_EQ(reader.read_int16(), 0x0203);
  EXPECT_EQ(reader.read_int32(), 0x04050607);
  EXPECT_EQ(reader.read_int64(), -2);
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(Reader, FailureIsStickyAndReturnsZeros) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03};
  Reader reader(bytes.data(), bytes.size());
  EXPECT_EQ(reader.read_int32(), 0);  // needs 4 bytes
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.read_int8(), 0);  // 1 byte would be there, but failure sticks
  EXPECT_EQ(reader.read_string(false), "");
  EXPECT_FALSE(reader.ok());
}

TEST(Reader, DecodesVarints) {
  const std::vector<uint8_t> bytes = {0xac, 0x02, 0x01, 0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f};
  Reader reader(bytes.data(), bytes.size());
  EXPECT_EQ(reader.read_unsigned_varint(), 300u);
  EXPECT_EQ(reader.read_varint(), -1);   // zigzag 1
  EXPECT_EQ(reader.read_varint(), 1);    // zigzag 2
  EXPECT_EQ(reader.read_varint(), -64);  // zigzag 127
  EXPECT_EQ(reader.read_unsigned_varint(), UINT32_MAX);
  EXPECT_TRUE(reader.ok());
}

TEST(Reader, RejectsOverlongVarints) {
  const std::vector<uint8_t> six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  Reader reader(six.data(), six.size());
  reader.read_unsigned_varint();
  EXPECT_FALSE(reader.ok());

  const std::vector<uint8_t> too_big = {0xff, 0xff, 0xff, 0xff, 0x1f};  // 2^33 - 1
  Reader big(too_big.data(), too_big.size());
  big.read_unsigned_varint();
  EXPECT_FALSE(big.ok());

  std::vector<uint8_t> eleven(10, 0x80);
  eleven.push_back(0x01);
  Reader longer(eleven.data(), eleven.size());
  longer.read_varlong();
  EXPECT_FALSE(longer.ok());
}

TEST(Reader, DecodesVarlongExtremes) {
  const std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  Reader reader(bytes.data(), bytes.size());
  EXPECT_EQ(reader.read_varlong(), INT64_MIN);
  EXPECT_TRUE(reader.ok());
}

TEST(Reader, StringsCheckTheirLengths) {
  const std::vector<uint8_t> classic = {0x00, 0x02, 'h', 'i', 0xff, 0xff};
  Reader reader(classic.data(), classic.size());
  EXPECT_EQ(reader.read_string(false), "hi");
  EXPECT_EQ(reader.read_nullable_string(false), std::nullopt);
  EXPECT_TRUE(reader.ok());

  const std::vector<uint8_t> null_not_allowed = {0xff, 0xff};
  Reader strict(null_not_allowed.data(), null_not_allowed.size());
  strict.read_string(false);
  EXPECT_FALSE(strict.ok());

  const std::vector<uint8_t> too_long = {0x00, 0x05, 'h', 'i'};
  Reader short_input(too_long.data(), too_long.size());
  short_input.read_string(false);
  EXPECT_FALSE(short_input.ok());

  const std::vector<uint8_t> compact = {0x03, 'h', 'i', 0x00, 0x01};
  Reader flexible(compact.data(), compact.size());
  EXPECT_EQ(flexible.read_string(true), "hi");
  EXPECT_EQ(flexible.read_nullable_string(true), std::nullopt);
  EXPECT_EQ(flexible.read_string(true), "");
  EXPECT_TRUE(flexible.ok());
}

TEST(Reader, ArrayCountsAreBoundedByTheInput) {
  const std::vector<uint8_t> bytes = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01};
  Reader fits(bytes.data(), bytes.size());
  EXPECT_EQ(fits.read_array_length(false, false, 2), 2);
  EXPECT_TRUE(fits.ok());
  Reader too_many(bytes.data(), bytes.size());
  too_many.read_array_length(false, false, 4);  // 2 elements of 4 bytes need 8, have 4
  EXPECT_FALSE(too_many.ok());

  const std::vector<uint8_t> null_count = {0xff, 0xff, 0xff, 0xff};
  Reader nullable(null_count.data(), null_count.size());
  EXPECT_EQ(nullable.read_array_length(false, true, 1), -1);
  EXPECT_TRUE(nullable.ok());
  Reader not_nullable(null_count.data(), null_count.size());
  not_nullable.read_array_length(false, false, 1);
  EXPECT_FALSE(not_nullable.ok());
}

TEST(Reader, RecordsAreViewsSharingTheOwner) {
  auto owner = std::make_shared<std::vector<uint8_t>>(
      std::vector<uint8_t>{0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0xff, 0xff, 0xff, 0xff});
  Reader reader(owner->data(), owner->size(), owner);
  const Records records = reader.read_records(false, true);
  EXPECT_EQ(records.data, owner->data() + 4);
  EXPECT_EQ(records.size_bytes, 2u);
  EXPECT_EQ(records.keep_alive, owner);
  EXPECT_TRUE(reader.read_records(false, true).is_null);
  EXPECT_TRUE(reader.ok());
}

TEST(Reader, SubReaderCoversExactlyItsBytes) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03};
  Reader reader(bytes.data(), bytes.size());
  Reader sub = reader.sub_reader(2);
  EXPECT_EQ(sub.read_int16(), 0x0102);
  EXPECT_EQ(sub.read_int8(), 0);
  EXPECT_FALSE(sub.ok());
  EXPECT_EQ(reader.read_int8(), 3);
  EXPECT_TRUE(reader.ok());
  Reader beyond = reader.sub_reader(1);
  EXPECT_FALSE(beyond.ok());
  EXPECT_FALSE(reader.ok());
}

TEST(Reader, NullDataIsEmpty) {
  Reader reader(nullptr, 10);
  EXPECT_EQ(reader.remaining(), 0u);
  reader.read_int8();
  EXPECT_FALSE(reader.ok());
}

}  // namespace
}  // namespace eddy::protocol
