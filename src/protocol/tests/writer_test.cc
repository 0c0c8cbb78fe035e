#include "protocol/writer.h"

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "protocol/reader.h"
#include "protocol/tagged_fields.h"

namespace eddy::protocol {
namespace {

TEST(Writer, WritesBigEndianAndVarints) {
  Writer writer;
  writer.write_int16(0x0102);
  writer.write_int32(-1);
  writer.write_unsigned_varint(300);
  writer.write_varint(-1);
  writer.write_varlong(INT64_MIN);
  EXPECT_EQ(writer.buffer(),
            (std::vector<uint8_t>{0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xac, 0x02, 0x01, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(Writer, VarintsRoundTripAtTheEdges) {
  for (int32_t value : {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN}) {
    Writer writer;
    writer.write_varint(value);
    Reader reader(writer.buffer().data(), writer.buffer().size());
    EXPECT_EQ(reader.read_varint(), value);
    EXPECT_EQ(reader.remaining(), 0u);
  }
  for (int64_t value : {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN}) {
    Writer writer;
    writer.write_varlong(value);
    Reader reader(writer.buffer().data(), writer.buffer().size());
    EXPECT_EQ(reader.read_varlong(), value);
  }
}

TEST(Writer, DoubleRoundTrips) {
  Writer writer;
  writer.write_float64(-2.5);
  Reader reader(writer.buffer().data(), writer.buffer().size());
  EXPECT_EQ(reader.read_float64(), -2.5);
}

TEST(Writer, NullEncodings) {
  Writer writer;
  writer.write_nullable_string(std::nullopt, false);
  writer.write_nullable_string(std::nullopt, true);
  writer.write_nullable_bytes(std::nullopt, false);
  writer.write_null_array(true);
  writer.write_records(Records::null(), false);
  EXPECT_EQ(writer.buffer(), (std::vector<uint8_t>{0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
                                                   0xff, 0xff, 0xff, 0xff}));
}

TEST(Writer, ClassicStringsAreCutAtTheirLimit) {
  Writer writer;
  writer.write_string(std::string(40000, 'x'), false);
  Reader reader(writer.buffer().data(), writer.buffer().size());
  EXPECT_EQ(reader.read_string(false).size(), static_cast<size_t>(INT16_MAX));
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(Writer, RecordsAreSplicedNotCopied) {
  const std::vector<uint8_t> payload = {9, 8, 7};
  Writer writer;
  writer.write_int8(1);
  writer.write_records(Records::from_memory(payload.data(), payload.size()), true);
  writer.write_int8(2);
  EXPECT_EQ(writer.buffer(), (std::vector<uint8_t>{1, 4, 2}));
  ASSERT_EQ(writer.splices().size(), 1u);
  EXPECT_EQ(writer.splices()[0].buffer_offset, 2u);
  EXPECT_EQ(writer.splices()[0].records.data, payload.data());
  EXPECT_EQ(writer.total_size(), 6u);
  EXPECT_EQ(writer.flatten(), (std::vector<uint8_t>{1, 4, 9, 8, 7, 2}));
}

TEST(Writer, FlattenReadsFileSplices) {
  FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const uint8_t content[] = {'x', 'a', 'b', 'c'};
  ASSERT_EQ(::pwrite(fileno(file), content, sizeof(content), 0), 4);
  Writer writer;
  writer.write_records(Records::from_file(FileRange{fileno(file), 1, 3}), false);
  EXPECT_EQ(writer.buffer().size(), 4u);
  EXPECT_EQ(writer.total_size(), 7u);
  EXPECT_EQ(writer.flatten(), (std::vector<uint8_t>{0, 0, 0, 3, 'a', 'b', 'c'}));
  std::fclose(file);
}

TEST(Writer, OutputRangesChainBufferAndSplicesInOrder) {
  const std::vector<uint8_t> payload = {5, 6};
  Writer writer;
  writer.write_int8(1);
  writer.write_records(Records::from_memory(payload.data(), payload.size()), true);
  writer.write_records(Records::from_file(FileRange{7, 100, 30}), true);
  writer.write_records(Records::from_memory(payload.data(), 0), true);  // empty: no range
  writer.write_int8(2);
  std::vector<OutputRange> ranges;
  writer.output_ranges(ranges);
  ASSERT_EQ(ranges.size(), 5u);
  EXPECT_EQ(ranges[0].data, writer.buffer().data());
  EXPECT_EQ(ranges[0].size_bytes, 2u);  // the int8 and the first length prefix
  EXPECT_EQ(ranges[1].data, payload.data());
  EXPECT_EQ(ranges[1].size_bytes, 2u);
  EXPECT_EQ(ranges[2].size_bytes, 1u);  // the second length prefix
  EXPECT_TRUE(ranges[3].is_file());
  EXPECT_EQ(ranges[3].file.fd, 7);
  EXPECT_EQ(ranges[3].file.offset, 100);
  EXPECT_EQ(ranges[3].size_bytes, 30u);
  EXPECT_FALSE(ranges[4].is_file());
  EXPECT_EQ(ranges[4].size_bytes, 2u);  // the empty records' length prefix and the int8
  size_t total = 0;
  for (const OutputRange& range : ranges) total += range.size_bytes;
  EXPECT_EQ(total, writer.total_size());
}

TEST(Writer, AppendMovesSplices) {
  const std::vector<uint8_t> payload = {5, 6};
  Writer inner;
  inner.write_records(Records::from_memory(payload.data(), payload.size()), true);
  Writer outer;
  outer.write_int16(7);
  outer.append(inner);
  ASSERT_EQ(outer.splices().size(), 1u);
  EXPECT_EQ(outer.splices()[0].buffer_offset, 3u);
  EXPECT_EQ(outer.flatten(), (std::vector<uint8_t>{0, 7, 3, 5, 6}));
}

TEST(Writer, PatchesAFrameLength) {
  Writer writer;
  writer.write_int32(0);
  writer.write_int16(1);
  writer.patch_int32(0, static_cast<int32_t>(writer.total_size() - 4));
  EXPECT_EQ(writer.buffer(), (std::vector<uint8_t>{0, 0, 0, 2, 0, 1}));
}

TEST(Writer, UnknownTaggedFieldsStopBelowATag) {
  const std::vector<TaggedField> fields = {{1, {0xa}}, {5, {}}, {9, {0xb, 0xc}}};
  Writer writer;
  EXPECT_EQ(write_unknown_tagged_fields(writer, fields, 0, 5), 1u);
  EXPECT_EQ(write_unknown_tagged_fields(writer, fields, 1, UINT64_MAX), 3u);
  EXPECT_EQ(writer.buffer(), (std::vector<uint8_t>{1, 1, 0xa, 5, 0, 9, 2, 0xb, 0xc}));
}

// A small response is written into one allocation: the first write reserves room for it.
TEST(Writer, FirstWriteReservesRoomForASmallResponse) {
  Writer writer;
  EXPECT_EQ(writer.buffer().capacity(), 0u);
  writer.write_int32(0);
  const uint8_t* const first_buffer = writer.buffer().data();
  for (int i = 0; i < 100; ++i) writer.write_int32(i);
  writer.write_string("a topic name", /*compact=*/true);
  EXPECT_EQ(writer.buffer().data(), first_buffer);
  EXPECT_EQ(writer.buffer().size(), 4u + 400u + 1u + 12u);
}

// Past the first reservation the buffer still doubles, keeping appends amortised O(1).
TEST(Writer, GrowsByDoublingPastTheFirstReservation) {
  Writer writer;
  writer.write_int8(1);
  const size_t first_capacity = writer.buffer().capacity();
  const std::vector<uint8_t> chunk(first_capacity, 7);
  writer.write_raw(chunk);
  EXPECT_GE(writer.buffer().capacity(), 2 * first_capacity);
  EXPECT_EQ(writer.buffer().size(), first_capacity + 1);
  EXPECT_EQ(writer.buffer().back(), 7);
}

}  // namespace
}  // namespace eddy::protocol
