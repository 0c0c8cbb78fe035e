#include "records/legacy_reader.h"

#include "compression/compression.h"
#include "records/legacy_lz4.h"

namespace eddy::records {
namespace {

LegacyRecord plain_record(const LegacyMessage& message) {
  LegacyRecord record;
  record.offset = message.offset;
  record.magic = message.magic;
  record.timestamp_ms = message.timestamp_ms;
  record.log_append_time = message.is_log_append_time();
  record.key = message.key;
  record.value = message.value;
  return record;
}

// Checks the inner messages and finds the last one's offset (v1 offsets are relative to it).
LegacyError scan_inner(std::span<const uint8_t> inner, int8_t magic, int64_t& last_offset) {
  LegacyMessageIterator messages(inner);
  LegacyMessage message;
  size_t count = 0;
  while (messages.next(message)) {
    if (message.compression() != compression::Codec::kNone) return LegacyError::kBadCompression;
    if (message.magic != magic) return LegacyError::kBadMagic;
    last_offset = message.offset;
    ++count;
  }
  if (messages.error() != LegacyError::kNone) return messages.error();
  return count == 0 ? LegacyError::kBadSize : LegacyError::kNone;
}

LegacyError visit_wrapper(const LegacyMessage& wrapper, size_t max_decompressed_bytes,
                          LegacyReadScratch& scratch,
                          const std::function<void(const LegacyRecord&)>& visit) {
  if (auto error = decompress_legacy_wrapper(wrapper, max_decompressed_bytes, scratch);
      error != LegacyError::kNone) {
    return error;
  }
  const std::span<const uint8_t> inner = scratch.decompressed;
  int64_t last_inner_offset = 0;
  if (auto error = scan_inner(inner, wrapper.magic, last_inner_offset);
      error != LegacyError::kNone) {
    return error;
  }
  // Magic 1 inner offsets are relative; the wrapper holds the last inner message's absolute
  // offset. Magic 0 inner offsets are absolute already.
  const int64_t base = wrapper.magic == 0 ? 0 : wrapper.offset - last_inner_offset;
  LegacyMessageIterator messages(inner);
  LegacyMessage message;
  while (messages.next(message)) {
    LegacyRecord record = plain_record(message);
    record.offset = base + message.offset;
    record.wrapper_compression = wrapper.compression();
    if (wrapper.is_log_append_time()) {
      record.timestamp_ms = wrapper.timestamp_ms;
      record.log_append_time = true;
    }
    visit(record);
  }
  return messages.error();
}

}  // namespace

LegacyError decompress_legacy_wrapper(const LegacyMessage& wrapper, size_t max_decompressed_bytes,
                                      LegacyReadScratch& scratch) {
  if (!wrapper.value) return LegacyError::kDecompressFailed;
  std::span<const uint8_t> compressed = *wrapper.value;
  if (wrapper.compression() == compression::Codec::kLz4 && wrapper.magic == 0) {
    scratch.compressed.assign(compressed.begin(), compressed.end());
    if (!set_lz4_header_checksum(scratch.compressed, /*broken=*/false)) {
      return LegacyError::kDecompressFailed;
    }
    compressed = scratch.compressed;
  }
  const auto codec = wrapper.compression();
  if (!compression::decompress(codec, compressed, scratch.decompressed, max_decompressed_bytes)) {
    return LegacyError::kDecompressFailed;
  }
  return LegacyError::kNone;
}

LegacyError read_legacy_records(std::span<const uint8_t> data, size_t max_decompressed_bytes,
                                LegacyReadScratch& scratch,
                                const std::function<void(const LegacyRecord&)>& visit) {
  LegacyMessageIterator messages(data);
  LegacyMessage message;
  while (messages.next(message)) {
    if (message.compression() == compression::Codec::kNone) {
      visit(plain_record(message));
      continue;
    }
    if (auto error = visit_wrapper(message, max_decompressed_bytes, scratch, visit);
        error != LegacyError::kNone) {
      return error;
    }
  }
  return messages.error();
}

}  // namespace eddy::records
