// Record batches (magic v2) as they arrive in a Produce request or sit in a segment: the header,
// BatchIterator over concatenated batches, the records region (decompressed, bounded),
// RecordIterator / HeaderIterator over the records, validate_records and recompress_batch.
//
// Invariants: the iterator's valid prefix is exactly the batches it returned, each inside the
// input; validate_records agrees with a walk of RecordIterator; every record and header view
// lies inside its region; a valid batch recompressed to another codec parses, carries a correct
// CRC, the same header fields and byte-identical records.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "records/batch_builder.h"
#include "records/batch_header.h"
#include "records/record.h"

namespace {

using namespace eddy::records;
using eddy::fuzz::kMaxDecompressedBytes;
namespace compression = eddy::compression;

bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// Walks every record and header; returns the iterator's verdict.
RecordError walk_records(std::span<const uint8_t> region, int32_t record_count) {
  RecordIterator records(region, record_count);
  RecordView record;
  int32_t seen = 0;
  while (records.next(record)) {
    ++seen;
    FUZZ_CHECK(!record.key || inside(*record.key, region));
    FUZZ_CHECK(!record.value || inside(*record.value, region));
    FUZZ_CHECK(inside(record.headers, region));
    FUZZ_CHECK(record.header_count >= 0);
    HeaderIterator headers(record);
    HeaderView header;
    int32_t header_count = 0;
    while (headers.next(header)) {
      ++header_count;
      FUZZ_CHECK(inside(header.key, record.headers));
      FUZZ_CHECK(!header.value || inside(*header.value, record.headers));
    }
    FUZZ_CHECK(header_count == record.header_count);  // headers were validated up front
  }
  FUZZ_CHECK(seen == records.records_read());
  FUZZ_CHECK(seen <= record_count);
  if (records.error() == RecordError::kNone) FUZZ_CHECK(seen == record_count);
  return records.error();
}

void check_recompressed(std::span<const uint8_t> batch, const BatchHeader& header,
                        std::span<const uint8_t> region, compression::Codec target) {
  RecompressScratch scratch;
  std::vector<uint8_t> out;
  const RecordError error = recompress_batch(batch, target, kMaxDecompressedBytes, scratch, out);
  FUZZ_CHECK(error == RecordError::kNone);  // the records were just validated

  BatchHeader again;
  FUZZ_CHECK(parse_batch_header(out, again) == BatchError::kNone);
  FUZZ_CHECK(out.size() == again.total_size_bytes());
  FUZZ_CHECK(verify_batch_crc(out));
  FUZZ_CHECK(again.compression() == target);
  FUZZ_CHECK(again.base_offset == header.base_offset);
  FUZZ_CHECK(again.last_offset_delta == header.last_offset_delta);
  FUZZ_CHECK(again.base_timestamp == header.base_timestamp);
  FUZZ_CHECK(again.max_timestamp == header.max_timestamp);
  FUZZ_CHECK(again.producer_id == header.producer_id);
  FUZZ_CHECK(again.record_count == header.record_count);
  FUZZ_CHECK((again.attributes & ~kCompressionMask) == (header.attributes & ~kCompressionMask));

  std::vector<uint8_t> scratch_again;
  std::span<const uint8_t> region_again;
  FUZZ_CHECK(records_region(out, again, scratch_again, kMaxDecompressedBytes, region_again) ==
             RecordError::kNone);
  FUZZ_CHECK(std::equal(region.begin(), region.end(), region_again.begin(), region_again.end()));
}

void check_batch(std::span<const uint8_t> batch, const BatchHeader& header,
                 compression::Codec target) {
  FUZZ_CHECK(batch.size() == header.total_size_bytes());
  FUZZ_CHECK(header.batch_length >= kMinBatchLength && header.magic == kCurrentMagic);
  FUZZ_CHECK(header.record_count >= 0);
  (void)verify_batch_crc(batch);
  (void)validate_produced_batch(header);

  std::vector<uint8_t> scratch;
  std::span<const uint8_t> region;
  const RecordError region_error =
      records_region(batch, header, scratch, kMaxDecompressedBytes, region);
  std::vector<uint8_t> validate_scratch;
  const RecordError validated =
      validate_records(batch, header, validate_scratch, kMaxDecompressedBytes);
  if (region_error != RecordError::kNone) {
    FUZZ_CHECK(validated != RecordError::kNone);
    return;
  }
  if (header.compression() == compression::Codec::kNone) FUZZ_CHECK(inside(region, batch));
  FUZZ_CHECK(region.size() <= kMaxDecompressedBytes);
  const RecordError walked = walk_records(region, header.record_count);
  FUZZ_CHECK((walked == RecordError::kNone) == (validated == RecordError::kNone));
  if (walked == RecordError::kNone) check_recompressed(batch, header, region, target);
}

}  // namespace

// Input: one byte choosing the recompression codec, then the batches.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto target = static_cast<compression::Codec>(data[0] % 5);
  const std::span<const uint8_t> batches(data + 1, size - 1);

  // Without the CRC check the fuzzer reaches the records; segment recovery and Produce check it.
  BatchIterator it(batches, /*verify_crc=*/false);
  size_t end = 0;
  while (it.next()) {
    FUZZ_CHECK(it.batch_position() == end);
    FUZZ_CHECK(inside(it.batch(), batches));
    end = it.batch_position() + it.batch().size();
    check_batch(it.batch(), it.header(), target);
  }
  FUZZ_CHECK(it.valid_bytes() == end);
  FUZZ_CHECK(it.valid_bytes() <= batches.size());
  if (it.error() == BatchError::kNone) FUZZ_CHECK(end == batches.size());

  BatchIterator checked(batches, /*verify_crc=*/true);
  while (checked.next()) {
  }
  FUZZ_CHECK(checked.valid_bytes() <= it.valid_bytes());
  return 0;
}
