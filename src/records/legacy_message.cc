#include "records/legacy_message.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <zlib.h>

#include "common/assert.h"
#include "records/byte_order.h"

namespace eddy::records {
namespace {

constexpr size_t kLengthFieldSize = 4;
constexpr size_t kTimestampSize = 8;

size_t timestamp_size(int8_t magic) {
  return magic >= 1 ? kTimestampSize : 0;
}

uint8_t* put_bytes(uint8_t* p, const std::optional<std::span<const uint8_t>>& bytes) {
  if (!bytes) {
    store_be<int32_t>(p, -1);
    return p + kLengthFieldSize;
  }
  store_be<int32_t>(p, static_cast<int32_t>(bytes->size()));
  p += kLengthFieldSize;
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

// Reads an int32-length-prefixed byte field from `rest`, advancing it.
LegacyError take_bytes(std::span<const uint8_t>& rest,
                       std::optional<std::span<const uint8_t>>& out) {
  if (rest.size() < kLengthFieldSize) return LegacyError::kBadSize;
  const int32_t length = load_be<int32_t>(rest.data());
  rest = rest.subspan(kLengthFieldSize);
  if (length == -1) {
    out.reset();
    return LegacyError::kNone;
  }
  if (length < 0) return LegacyError::kBadLength;
  if (static_cast<size_t>(length) > rest.size()) return LegacyError::kBadSize;
  out = rest.first(static_cast<size_t>(length));
  rest = rest.subspan(static_cast<size_t>(length));
  return LegacyError::kNone;
}

bool known_legacy_codec(int8_t attributes) {
  // zstd (4) arrived with magic 2; 5-7 were never assigned.
  return (attributes & kLegacyCompressionMask) <= static_cast<int8_t>(compression::Codec::kLz4);
}

}  // namespace

const char* to_string(LegacyError error) {
  switch (error) {
    case LegacyError::kNone:
      return "none";
    case LegacyError::kTruncated:
      return "truncated legacy message";
    case LegacyError::kBadSize:
      return "legacy message size does not match its fields";
    case LegacyError::kBadMagic:
      return "legacy message magic is not 0 or 1";
    case LegacyError::kBadCrc:
      return "legacy message CRC mismatch";
    case LegacyError::kBadLength:
      return "negative key or value length";
    case LegacyError::kBadCompression:
      return "invalid compression in legacy message";
    case LegacyError::kDecompressFailed:
      return "legacy wrapper value failed to decompress";
    case LegacyError::kBadBatch:
      return "record batch failed to parse during down-conversion";
    case LegacyError::kUnsupportedCodec:
      return "codec cannot be down-converted to magic 0/1";
  }
  return "unknown";
}

size_t legacy_entry_size(int8_t magic, size_t key_size_bytes, size_t value_size_bytes) {
  return kLegacyEntryHeaderSize + static_cast<size_t>(kLegacyMinSizeV0) + timestamp_size(magic) +
         key_size_bytes + value_size_bytes;
}

uint32_t compute_legacy_crc(std::span<const uint8_t> entry) {
  EDDY_ASSERT(entry.size() >= kLegacyCrcStart);
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::span<const uint8_t> covered = entry.subspan(kLegacyCrcStart);
  // zlib takes uInt lengths; entries are far below 4 GiB but stay correct regardless.
  while (!covered.empty()) {
    const size_t step = std::min<size_t>(covered.size(), std::numeric_limits<uInt>::max());
    crc = ::crc32(crc, covered.data(), static_cast<uInt>(step));
    covered = covered.subspan(step);
  }
  return static_cast<uint32_t>(crc);
}

void append_legacy_message(int8_t magic, const LegacyMessageInput& message,
                           std::vector<uint8_t>& out) {
  EDDY_ASSERT(magic == 0 || magic == 1);
  const size_t key_size = message.key ? message.key->size() : 0;
  const size_t value_size = message.value ? message.value->size() : 0;
  const size_t entry_size = legacy_entry_size(magic, key_size, value_size);
  EDDY_ASSERT(entry_size - kLegacyEntryHeaderSize <=
              static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  const size_t start = out.size();
  out.resize(start + entry_size);
  uint8_t* entry = out.data() + start;
  store_be<int64_t>(entry + kLegacyOffsetOffset, message.offset);
  store_be<int32_t>(entry + kLegacySizeOffset,
                    static_cast<int32_t>(entry_size - kLegacyEntryHeaderSize));
  uint8_t* p = entry + kLegacyMagicOffset;
  *p++ = static_cast<uint8_t>(magic);
  *p++ = static_cast<uint8_t>(message.attributes);
  if (magic >= 1) {
    store_be<int64_t>(p, message.timestamp_ms);
    p += kTimestampSize;
  }
  p = put_bytes(p, message.key);
  p = put_bytes(p, message.value);
  EDDY_ASSERT(p == entry + entry_size);
  const std::span<const uint8_t> whole(entry, entry_size);
  store_be<uint32_t>(entry + kLegacyCrcOffset, compute_legacy_crc(whole));
}

LegacyError parse_legacy_message(std::span<const uint8_t> data, bool verify_crc, LegacyMessage& out,
                                 size_t& consumed) {
  consumed = 0;
  if (data.size() < kLegacyMagicOffset + 2) return LegacyError::kTruncated;
  const int32_t size = load_be<int32_t>(data.data() + kLegacySizeOffset);
  out.offset = load_be<int64_t>(data.data() + kLegacyOffsetOffset);
  out.magic = static_cast<int8_t>(data[kLegacyMagicOffset]);
  if (out.magic != 0 && out.magic != 1) return LegacyError::kBadMagic;
  if (size < (out.magic == 0 ? kLegacyMinSizeV0 : kLegacyMinSizeV1)) return LegacyError::kBadSize;
  const size_t entry_size = kLegacyEntryHeaderSize + static_cast<size_t>(size);
  if (data.size() < entry_size) return LegacyError::kTruncated;
  const std::span<const uint8_t> entry = data.first(entry_size);

  out.crc = load_be<uint32_t>(entry.data() + kLegacyCrcOffset);
  out.attributes = static_cast<int8_t>(entry[kLegacyMagicOffset + 1]);
  std::span<const uint8_t> rest = entry.subspan(kLegacyMagicOffset + 2);
  out.timestamp_ms = kNoTimestamp;
  if (out.magic >= 1) {
    out.timestamp_ms = load_be<int64_t>(rest.data());  // size >= kLegacyMinSizeV1 holds it
    rest = rest.subspan(kTimestampSize);
  }
  if (auto error = take_bytes(rest, out.key); error != LegacyError::kNone) return error;
  if (auto error = take_bytes(rest, out.value); error != LegacyError::kNone) return error;
  if (!rest.empty()) return LegacyError::kBadSize;
  if (!known_legacy_codec(out.attributes)) return LegacyError::kBadCompression;
  if (verify_crc && compute_legacy_crc(entry) != out.crc) return LegacyError::kBadCrc;
  consumed = entry_size;
  return LegacyError::kNone;
}

bool LegacyMessageIterator::next(LegacyMessage& out) {
  if (error_ != LegacyError::kNone || position_ == data_.size()) return false;
  size_t consumed = 0;
  error_ = parse_legacy_message(data_.subspan(position_), verify_crc_, out, consumed);
  if (error_ != LegacyError::kNone) return false;
  position_ += consumed;
  return true;
}

}  // namespace eddy::records
