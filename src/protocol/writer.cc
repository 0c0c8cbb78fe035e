#include "protocol/writer.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <unistd.h>

#include "common/assert.h"
#include "protocol/tagged_fields.h"

namespace eddy::protocol {

void Writer::make_room(size_t more_bytes) {
  if (buffer_.capacity() - buffer_.size() >= more_bytes) return;
  buffer_.reserve(
      std::max({kInitialCapacityBytes, 2 * buffer_.capacity(), buffer_.size() + more_bytes}));
}

void Writer::put(uint8_t byte) {
  make_room(1);
  buffer_.push_back(byte);
}

void Writer::put_bytes(const void* data, size_t size_bytes) {
  make_room(size_bytes);
  const auto* bytes = static_cast<const uint8_t*>(data);
  buffer_.insert(buffer_.end(), bytes, bytes + size_bytes);
}

template <typename T>
void Writer::write_big_endian(T value) {
  using Unsigned = std::make_unsigned_t<T>;
  const auto bits = static_cast<Unsigned>(value);
  make_room(sizeof(T));
  for (size_t i = sizeof(T); i-- > 0;) buffer_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

void Writer::write_int8(int8_t value) {
  put(static_cast<uint8_t>(value));
}
void Writer::write_int16(int16_t value) {
  write_big_endian(value);
}
void Writer::write_int32(int32_t value) {
  write_big_endian(value);
}
void Writer::write_int64(int64_t value) {
  write_big_endian(value);
}
void Writer::write_uint16(uint16_t value) {
  write_big_endian(value);
}
void Writer::write_uint32(uint32_t value) {
  write_big_endian(value);
}
void Writer::write_float64(double value) {
  write_big_endian(std::bit_cast<uint64_t>(value));
}
void Writer::write_bool(bool value) {
  put(value ? 1 : 0);
}

void Writer::write_unsigned_varint(uint32_t value) {
  while (value >= 0x80) {
    put(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  put(static_cast<uint8_t>(value));
}

void Writer::write_varint(int32_t value) {
  const auto raw = static_cast<uint32_t>(value);
  write_unsigned_varint((raw << 1) ^ (value < 0 ? UINT32_MAX : 0));
}

void Writer::write_varlong(int64_t value) {
  const auto raw = static_cast<uint64_t>(value);
  uint64_t zigzag = (raw << 1) ^ (value < 0 ? UINT64_MAX : 0);
  while (zigzag >= 0x80) {
    put(static_cast<uint8_t>(zigzag | 0x80));
    zigzag >>= 7;
  }
  put(static_cast<uint8_t>(zigzag));
}

void Writer::write_uuid(const Uuid& value) {
  put_bytes(value.bytes.data(), value.bytes.size());
}

void Writer::write_string(std::string_view value, bool compact) {
  if (compact) {
    write_unsigned_varint(static_cast<uint32_t>(value.size() + 1));
  } else {
    // A classic string holds at most 32767 bytes. Longer text (say, copied from a flexible
    // request) is cut rather than asserted on, so client input can never crash the broker.
    value = value.substr(0, INT16_MAX);
    write_int16(static_cast<int16_t>(value.size()));
  }
  put_bytes(value.data(), value.size());
}

void Writer::write_nullable_string(const std::optional<std::string>& value, bool compact) {
  if (value) {
    write_string(*value, compact);
  } else if (compact) {
    write_unsigned_varint(0);
  } else {
    write_int16(-1);
  }
}

void Writer::write_bytes(std::span<const uint8_t> value, bool compact) {
  if (compact) {
    write_unsigned_varint(static_cast<uint32_t>(value.size() + 1));
  } else {
    write_int32(static_cast<int32_t>(value.size()));
  }
  put_bytes(value.data(), value.size());
}

void Writer::write_nullable_bytes(const std::optional<std::vector<uint8_t>>& value, bool compact) {
  if (value) {
    write_bytes(*value, compact);
  } else if (compact) {
    write_unsigned_varint(0);
  } else {
    write_int32(-1);
  }
}

void Writer::write_records(const Records& records, bool compact) {
  if (records.is_null) {
    if (compact) {
      write_unsigned_varint(0);
    } else {
      write_int32(-1);
    }
    return;
  }
  if (compact) {
    write_unsigned_varint(static_cast<uint32_t>(records.size_bytes + 1));
  } else {
    write_int32(static_cast<int32_t>(records.size_bytes));
  }
  if (records.size_bytes == 0) return;
  splices_.push_back(Splice{buffer_.size(), records});
  spliced_bytes_ += records.size_bytes;
}

void Writer::write_array_length(size_t count, bool compact) {
  if (compact) {
    write_unsigned_varint(static_cast<uint32_t>(count + 1));
  } else {
    write_int32(static_cast<int32_t>(count));
  }
}

void Writer::write_null_array(bool compact) {
  if (compact) {
    write_unsigned_varint(0);
  } else {
    write_int32(-1);
  }
}

void Writer::write_raw(std::span<const uint8_t> bytes) {
  put_bytes(bytes.data(), bytes.size());
}

void Writer::append(const Writer& other) {
  const size_t base = buffer_.size();
  put_bytes(other.buffer_.data(), other.buffer_.size());
  for (const Splice& splice : other.splices_) {
    splices_.push_back(Splice{base + splice.buffer_offset, splice.records});
  }
  spliced_bytes_ += other.spliced_bytes_;
}

void Writer::output_ranges(std::vector<OutputRange>& out) const {
  size_t position = 0;
  for (const Splice& splice : splices_) {
    EDDY_ASSERT(splice.buffer_offset >= position && splice.buffer_offset <= buffer_.size());
    if (splice.records.size_bytes == 0) continue;  // the buffer bytes around it stay one range
    if (splice.buffer_offset > position) {
      out.push_back(
          OutputRange::memory(buffer_.data() + position, splice.buffer_offset - position));
    }
    position = splice.buffer_offset;
    out.push_back(splice.records.output());
  }
  if (position < buffer_.size()) {
    out.push_back(OutputRange::memory(buffer_.data() + position, buffer_.size() - position));
  }
}

std::vector<uint8_t> Writer::flatten() const {
  std::vector<uint8_t> out;
  out.reserve(total_size());
  size_t copied = 0;
  for (const Splice& splice : splices_) {
    out.insert(out.end(), buffer_.begin() + copied, buffer_.begin() + splice.buffer_offset);
    copied = splice.buffer_offset;
    const Records& records = splice.records;
    if (!records.is_file()) {
      out.insert(out.end(), records.data, records.data + records.size_bytes);
      continue;
    }
    const size_t start = out.size();
    out.resize(start + records.size_bytes);
    size_t done = 0;
    while (done < records.size_bytes) {
      const ssize_t n = ::pread(records.fd, out.data() + start + done, records.size_bytes - done,
                                records.file_offset + static_cast<int64_t>(done));
      if (n <= 0) break;  // short file: leave zeros; flatten is for tests and TLS only
      done += static_cast<size_t>(n);
    }
  }
  out.insert(out.end(), buffer_.begin() + copied, buffer_.end());
  return out;
}

void Writer::patch_int32(size_t at, int32_t value) {
  EDDY_ASSERT(at + 4 <= buffer_.size());
  const auto bits = static_cast<uint32_t>(value);
  for (size_t i = 0; i < 4; ++i) buffer_[at + i] = static_cast<uint8_t>(bits >> (24 - 8 * i));
}

void Writer::clear() {
  buffer_.clear();
  splices_.clear();
  spliced_bytes_ = 0;
}

size_t write_unknown_tagged_fields(Writer& writer, const std::vector<TaggedField>& fields,
                                   size_t from, uint64_t below_tag) {
  while (from < fields.size() && fields[from].tag < below_tag) {
    writer.write_unsigned_varint(fields[from].tag);
    writer.write_unsigned_varint(static_cast<uint32_t>(fields[from].data.size()));
    writer.write_raw(fields[from].data);
    ++from;
  }
  return from;
}

}  // namespace eddy::protocol
