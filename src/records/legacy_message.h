#pragma once

// Kafka's legacy message format (magic 0 and 1, before record batches). One log entry:
//   offset int64, message_size int32 (bytes after this field), crc uint32 (CRC-32 as zlib
//   computes it, over [magic, end)), magic int8, attributes int8 (bits 0-2 codec; v1 bit 3
//   timestamp type), timestamp int64 (v1 only), key (int32 length, -1 null), value (same).
// A compressed entry ("wrapper") holds a whole inner message set, compressed, as its value.
// Eddy stores magic 2 only; this format exists to answer old Fetch versions (see
// docs/record-batch.md, "Legacy formats").

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "records/batch_header.h"

namespace eddy::records {

inline constexpr size_t kLegacyOffsetOffset = 0;      // int64
inline constexpr size_t kLegacySizeOffset = 8;        // int32, bytes after this field
inline constexpr size_t kLegacyCrcOffset = 12;        // uint32, CRC-32 of [magic, end)
inline constexpr size_t kLegacyMagicOffset = 16;      // int8 (same place as a v2 batch's magic)
inline constexpr size_t kLegacyEntryHeaderSize = 12;  // offset + message_size
inline constexpr size_t kLegacyCrcStart = kLegacyMagicOffset;

// Bytes of a message after its size field, with empty key and value: crc, magic, attributes,
// [timestamp], key length, value length.
inline constexpr int32_t kLegacyMinSizeV0 = 4 + 1 + 1 + 4 + 4;
inline constexpr int32_t kLegacyMinSizeV1 = kLegacyMinSizeV0 + 8;

inline constexpr int8_t kLegacyCompressionMask = 0x07;
inline constexpr int8_t kLegacyLogAppendTimeBit = 0x08;  // magic 1 only
inline constexpr int64_t kNoTimestamp = -1;

enum class LegacyError {
  kNone,
  kTruncated,         // an entry or field runs past the buffer or its message
  kBadSize,           // message_size below the minimum for its magic, or fields overrun it
  kBadMagic,          // magic not 0 or 1
  kBadCrc,            // stored CRC differs from the computed one
  kBadLength,         // key or value length negative other than -1
  kBadCompression,    // unknown codec bits, zstd (never legal in these magics), or a
                      // compressed message inside a compressed message
  kDecompressFailed,  // corrupt wrapper value, or larger than the allowed maximum
  kBadBatch,          // (down-conversion) a v2 batch or its records failed to parse
  kUnsupportedCodec,  // (down-conversion) zstd cannot be expressed in magic 0/1
};

const char* to_string(LegacyError error);

// One message, decoded as views into the buffer it was parsed from.
struct LegacyMessage {
  int64_t offset = 0;
  int8_t magic = 0;
  int8_t attributes = 0;
  uint32_t crc = 0;
  int64_t timestamp_ms = kNoTimestamp;  // magic 0: always kNoTimestamp
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;

  compression::Codec compression() const {
    return static_cast<compression::Codec>(attributes & kLegacyCompressionMask);
  }
  bool is_log_append_time() const {
    return magic >= 1 && (attributes & kLegacyLogAppendTimeBit) != 0;
  }
};

// Fields of a message to write. Attributes are written as given (codec and timestamp type).
struct LegacyMessageInput {
  int64_t offset = 0;
  int8_t attributes = 0;
  int64_t timestamp_ms = kNoTimestamp;  // ignored for magic 0
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
};

// Whole entry size (offset and size fields included) of a message with these key and value.
size_t legacy_entry_size(int8_t magic, size_t key_size_bytes, size_t value_size_bytes);

// Appends one entry, CRC included, to `out`. `magic` must be 0 or 1.
void append_legacy_message(int8_t magic, const LegacyMessageInput& message,
                           std::vector<uint8_t>& out);

// CRC-32 (zlib's polynomial) over [magic, end) of one whole entry.
uint32_t compute_legacy_crc(std::span<const uint8_t> entry);

// Parses the entry at the start of `data`; `consumed` is its whole size. Checks the size
// against the buffer and the magic's minimum, the fields against the message, the codec bits
// (zstd and 5-7 are refused) and, when `verify_crc`, the CRC.
LegacyError parse_legacy_message(std::span<const uint8_t> data, bool verify_crc, LegacyMessage& out,
                                 size_t& consumed);

// Walks the top-level entries of a message set (wrappers are not opened). Stops at the end of
// the buffer or at the first invalid entry; error() then tells which.
class LegacyMessageIterator {
 public:
  explicit LegacyMessageIterator(std::span<const uint8_t> data, bool verify_crc = true)
      : data_(data), verify_crc_(verify_crc) {}

  bool next(LegacyMessage& out);
  LegacyError error() const { return error_; }
  size_t position() const { return position_; }

 private:
  std::span<const uint8_t> data_;
  bool verify_crc_;
  size_t position_ = 0;
  LegacyError error_ = LegacyError::kNone;
};

}  // namespace eddy::records
