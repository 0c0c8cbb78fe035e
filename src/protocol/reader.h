#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/records.h"
#include "protocol/uuid.h"

namespace eddy::protocol {

// Bounds-checked reader over a byte range it does not own. Failure is sticky: after any
// out-of-bounds or malformed read, ok() is false and every later read returns a zero value.
// No input can cause undefined behaviour, an assertion or an allocation larger than the input.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size);
  // `keep_alive` owns the bytes; decoded `records` views share it so they outlive the reader.
  Reader(const uint8_t* data, size_t size, std::shared_ptr<const void> keep_alive);

  bool ok() const { return ok_; }
  size_t position() const { return position_; }
  size_t remaining() const { return size_ - position_; }
  void fail();

  int8_t read_int8();
  int16_t read_int16();
  int32_t read_int32();
  int64_t read_int64();
  uint16_t read_uint16();
  uint32_t read_uint32();
  double read_float64();
  bool read_bool();
  uint32_t read_unsigned_varint();  // at most 5 bytes
  int32_t read_varint();            // zigzag, at most 5 bytes
  int64_t read_varlong();           // zigzag, at most 10 bytes
  Uuid read_uuid();

  // Strings and bytes: `compact` selects the flexible-version encoding (uvarint N+1) over the
  // classic one (int16 or int32 length). A null where none is allowed fails the reader.
  std::string read_string(bool compact);
  std::optional<std::string> read_nullable_string(bool compact);
  std::vector<uint8_t> read_bytes(bool compact);
  std::optional<std::vector<uint8_t>> read_nullable_bytes(bool compact);
  // A view into the input, never a copy.
  Records read_records(bool compact, bool nullable);

  // An array count; -1 means null (only when `nullable`). Fails, before the caller allocates
  // anything, when `count * min_element_size` exceeds the bytes left.
  int32_t read_array_length(bool compact, bool nullable, size_t min_element_size);

  // A reader over the next `size` bytes, which this reader skips.
  Reader sub_reader(size_t size);
  std::vector<uint8_t> read_raw(size_t size);

 private:
  bool take(size_t size);  // checks and advances; false (and failed) if not enough bytes
  // Length prefix of a string or bytes: -1 for null, else the byte count (checked).
  int64_t read_length(bool compact, bool wide, bool nullable);
  uint64_t read_unsigned_varlong(int max_bytes);

  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
  bool ok_ = true;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace eddy::protocol
