#pragma once

// Big-endian writer and bounds-checked reader for the metadata log encoding
// (docs/metadata-log.md). The reader never reads past its input: every getter reports
// failure instead, so hostile bytes yield an error value.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::metadata {

class ByteWriter {
 public:
  void u8(uint8_t value) { bytes_.push_back(value); }
  void u16(uint16_t value);
  void u32(uint32_t value);
  void u64(uint64_t value);
  void i8(int8_t value) { u8(static_cast<uint8_t>(value)); }
  void i16(int16_t value) { u16(static_cast<uint16_t>(value)); }
  void i32(int32_t value) { u32(static_cast<uint32_t>(value)); }
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void raw(const void* data, size_t size_bytes);
  // u16 length then bytes; strings longer than 65535 bytes are a caller bug.
  void string(std::string_view value);
  // i16 length, -1 means null.
  void nullable_string(const std::optional<std::string>& value);
  void int32_array(const std::vector<int32_t>& values);

  size_t size() const { return bytes_.size(); }
  // Overwrites 4 bytes at `position` (used to back-patch lengths).
  void patch_u32(size_t position, uint32_t value);
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size_bytes) : data_(data), size_(size_bytes) {}

  bool u8(uint8_t& out);
  bool u16(uint16_t& out);
  bool u32(uint32_t& out);
  bool u64(uint64_t& out);
  bool i8(int8_t& out);
  bool i16(int16_t& out);
  bool i32(int32_t& out);
  bool i64(int64_t& out);
  bool raw(void* out, size_t size_bytes);
  bool string(std::string& out);
  bool nullable_string(std::optional<std::string>& out);
  bool int32_array(std::vector<int32_t>& out);
  // Hands out a sub-reader over the next `size_bytes` bytes and skips them.
  bool sub_reader(size_t size_bytes, ByteReader& out);

  size_t remaining() const { return size_ - position_; }
  bool at_end() const { return position_ == size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

}  // namespace eddy::metadata
