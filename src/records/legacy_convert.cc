#include "records/legacy_convert.h"

#include <algorithm>

#include "common/assert.h"
#include "compression/compression.h"
#include "records/legacy_lz4.h"
#include "records/record.h"

namespace eddy::records {
namespace {

// State of one down_convert call.
class Converter {
 public:
  Converter(const DownConvertOptions& options, DownConvertScratch& scratch,
            std::vector<uint8_t>& out)
      : options_(options), scratch_(scratch), out_(out), start_(out.size()) {}

  void run(std::span<const uint8_t> batches);
  const DownConvertResult& result() const { return result_; }

 private:
  // False when the batch stopped the conversion (error or output full).
  bool convert_batch(std::span<const uint8_t> batch, const BatchHeader& header);
  bool convert_plain(const BatchHeader& header, std::span<const uint8_t> region);
  bool convert_compressed(const BatchHeader& header, std::span<const uint8_t> region);
  bool fits(size_t entry_size) const;
  bool fail(LegacyError error);
  int64_t timestamp_of(const BatchHeader& header, const RecordView& record) const;
  int8_t timestamp_attribute(const BatchHeader& header) const;

  const DownConvertOptions& options_;
  DownConvertScratch& scratch_;
  std::vector<uint8_t>& out_;
  size_t start_;
  DownConvertResult result_;
};

bool Converter::fits(size_t entry_size) const {
  if (options_.min_one_message && result_.messages == 0) return true;
  return out_.size() - start_ + entry_size <= options_.max_output_bytes;
}

bool Converter::fail(LegacyError error) {
  result_.error = error;
  return false;
}

// A LogAppendTime batch gives every record its max timestamp, as Kafka's reader does.
int64_t Converter::timestamp_of(const BatchHeader& header, const RecordView& record) const {
  if (header.is_log_append_time()) return header.max_timestamp;
  return record_timestamp(header, record);
}

int8_t Converter::timestamp_attribute(const BatchHeader& header) const {
  return options_.magic >= 1 && header.is_log_append_time() ? kLegacyLogAppendTimeBit : 0;
}

void Converter::run(std::span<const uint8_t> batches) {
  BatchIterator iterator(batches, /*verify_crc=*/false);
  while (iterator.next()) {
    if (!convert_batch(iterator.batch(), iterator.header())) return;
  }
  if (iterator.error() != BatchError::kNone) fail(LegacyError::kBadBatch);
}

bool Converter::convert_batch(std::span<const uint8_t> batch, const BatchHeader& header) {
  // Transaction markers have no legacy form; old clients never see them (as in Kafka).
  if (header.is_control() || header.last_offset() < options_.first_offset) {
    result_.next_offset = header.last_offset() + 1;
    return true;
  }
  if (header.compression() == compression::Codec::kZstd)
    return fail(LegacyError::kUnsupportedCodec);
  std::span<const uint8_t> region;
  if (records_region(batch, header, scratch_.decompressed, options_.max_decompressed_bytes,
                     region) != RecordError::kNone) {
    return fail(LegacyError::kBadBatch);
  }
  const bool converted = header.compression() == compression::Codec::kNone
                             ? convert_plain(header, region)
                             : convert_compressed(header, region);
  if (converted) result_.next_offset = header.last_offset() + 1;
  return converted;
}

bool Converter::convert_plain(const BatchHeader& header, std::span<const uint8_t> region) {
  RecordIterator records(region, header.record_count);
  RecordView record;
  while (records.next(record)) {
    const int64_t offset = header.base_offset + record.offset_delta;
    if (offset < options_.first_offset) continue;
    const size_t size = legacy_entry_size(options_.magic, record.key ? record.key->size() : 0,
                                          record.value ? record.value->size() : 0);
    if (!fits(size)) {
      result_.full = true;
      result_.next_offset = offset;
      return false;
    }
    append_legacy_message(options_.magic,
                          {offset, timestamp_attribute(header), timestamp_of(header, record),
                           record.key, record.value},
                          out_);
    ++result_.messages;
  }
  return records.error() == RecordError::kNone || fail(LegacyError::kBadBatch);
}

bool Converter::convert_compressed(const BatchHeader& header, std::span<const uint8_t> region) {
  scratch_.inner.clear();
  RecordIterator records(region, header.record_count);
  RecordView record;
  int64_t first_kept = -1;
  int64_t last_kept = -1;
  int64_t max_timestamp = kNoTimestamp;
  while (records.next(record)) {
    const int64_t offset = header.base_offset + record.offset_delta;
    if (offset < options_.first_offset) continue;
    if (first_kept < 0) first_kept = offset;
    last_kept = offset;
    const int64_t timestamp = timestamp_of(header, record);
    max_timestamp = std::max(max_timestamp, timestamp);
    // Magic 1 inner offsets are relative to the first inner message; magic 0 ones absolute.
    const int64_t inner_offset = options_.magic == 0 ? offset : offset - first_kept;
    append_legacy_message(
        options_.magic,
        {inner_offset, timestamp_attribute(header), timestamp, record.key, record.value},
        scratch_.inner);
  }
  if (records.error() != RecordError::kNone) return fail(LegacyError::kBadBatch);
  if (last_kept < 0) return true;

  const auto codec = header.compression();
  if (!compression::compress(codec, scratch_.inner, scratch_.compressed)) {
    return fail(LegacyError::kDecompressFailed);
  }
  if (codec == compression::Codec::kLz4 && options_.magic == 0) {
    // Clients reading magic 0 expect Kafka's broken frame header checksum (KAFKA-3160).
    const bool patched = set_lz4_header_checksum(scratch_.compressed, /*broken=*/true);
    EDDY_ASSERT(patched);  // our own compressor's output is always a whole frame
  }
  const std::span<const uint8_t> value = scratch_.compressed;
  if (!fits(legacy_entry_size(options_.magic, 0, value.size()))) {
    result_.full = true;
    result_.next_offset = first_kept;
    return false;
  }
  const auto attributes =
      static_cast<int8_t>(static_cast<int8_t>(header.compression()) | timestamp_attribute(header));
  append_legacy_message(options_.magic, {last_kept, attributes, max_timestamp, std::nullopt, value},
                        out_);
  ++result_.messages;
  return true;
}

}  // namespace

DownConvertResult down_convert(std::span<const uint8_t> batches, const DownConvertOptions& options,
                               DownConvertScratch& scratch, std::vector<uint8_t>& out) {
  EDDY_ASSERT(options.magic == 0 || options.magic == 1);
  Converter converter(options, scratch, out);
  converter.run(batches);
  return converter.result();
}

}  // namespace eddy::records
