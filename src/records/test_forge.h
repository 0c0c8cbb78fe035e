#pragma once

// Hand-assembled batches for hostile-input tests: any records bytes under any header, with a
// valid CRC, so a test reaches the checks behind the CRC.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compression/compression.h"
#include "records/batch_header.h"
#include "records/byte_order.h"
#include "records/varint.h"

namespace eddy::records::testing {

inline constexpr int64_t kForgeTimestamp = 1'700'000'000'000;

// One encoded record (length prefix included).
inline std::vector<uint8_t> forge_record(int32_t offset_delta, std::optional<std::string> key = "k",
                                         std::optional<std::string> value = "v",
                                         int64_t timestamp_delta = 0) {
  std::vector<uint8_t> body;
  body.push_back(0);  // attributes
  append_varlong(body, timestamp_delta);
  append_varint(body, offset_delta);
  for (const auto& field : {key, value}) {
    append_varint(body, field ? static_cast<int32_t>(field->size()) : -1);
    if (field) body.insert(body.end(), field->begin(), field->end());
  }
  append_varint(body, 0);  // headers
  std::vector<uint8_t> out;
  append_varint(out, static_cast<int32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// `count` well-formed records with offset deltas 0..count-1, concatenated.
inline std::vector<uint8_t> forge_records(int32_t count) {
  std::vector<uint8_t> out;
  for (int32_t i = 0; i < count; ++i) {
    auto record = forge_record(i, "key-" + std::to_string(i), "value-" + std::to_string(i), i);
    out.insert(out.end(), record.begin(), record.end());
  }
  return out;
}

struct ForgeOptions {
  compression::Codec compression = compression::Codec::kNone;
  int16_t extra_attributes = 0;  // OR-ed into the attributes (control, timestamp type, ...)
  int64_t max_timestamp = -1;    // -1: kForgeTimestamp + last_offset_delta
  int64_t producer_id = kNoProducerId;
  int32_t base_sequence = kNoSequence;
  int64_t base_offset = 0;
  bool compress_region = true;  // false: `region` is already the stored payload
};

// A batch claiming `record_count` records and `last_offset_delta` around `region` (the
// uncompressed records, compressed here with options.compression).
inline std::vector<uint8_t> forge_batch(std::span<const uint8_t> region, int32_t record_count,
                                        int32_t last_offset_delta, ForgeOptions options = {}) {
  std::vector<uint8_t> payload(region.begin(), region.end());
  if (options.compression != compression::Codec::kNone && options.compress_region) {
    compression::compress(options.compression, region, payload);
  }
  std::vector<uint8_t> batch(kBatchHeaderSize + payload.size());
  uint8_t* p = batch.data();
  store_be<int64_t>(p + kBaseOffsetOffset, options.base_offset);
  store_be<int32_t>(p + kBatchLengthOffset,
                    static_cast<int32_t>(batch.size() - kBatchLengthFieldEnd));
  store_be<int32_t>(p + kPartitionLeaderEpochOffset, -1);
  p[kMagicOffset] = static_cast<uint8_t>(kCurrentMagic);
  store_be<int16_t>(
      p + kAttributesOffset,
      static_cast<int16_t>(static_cast<int16_t>(options.compression) | options.extra_attributes));
  store_be<int32_t>(p + kLastOffsetDeltaOffset, last_offset_delta);
  store_be<int64_t>(p + kBaseTimestampOffset, kForgeTimestamp);
  store_be<int64_t>(p + kMaxTimestampOffset, options.max_timestamp >= 0
                                                 ? options.max_timestamp
                                                 : kForgeTimestamp + last_offset_delta);
  store_be<int64_t>(p + kProducerIdOffset, options.producer_id);
  store_be<int16_t>(p + kProducerEpochOffset, -1);
  store_be<int32_t>(p + kBaseSequenceOffset, options.base_sequence);
  store_be<int32_t>(p + kRecordCountOffset, record_count);
  std::copy(payload.begin(), payload.end(), batch.begin() + kBatchHeaderSize);
  update_batch_crc(batch);
  return batch;
}

// `count` well-formed records in one well-formed batch.
inline std::vector<uint8_t> forge_good_batch(int32_t count, ForgeOptions options = {}) {
  return forge_batch(forge_records(count), count, count - 1, options);
}

}  // namespace eddy::records::testing
