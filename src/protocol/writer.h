#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/records.h"
#include "protocol/uuid.h"

namespace eddy::protocol {

// Growable output: nothing is allocated before the first write, which reserves
// kInitialCapacityBytes. `records` fields are not copied: the writer notes a splice (memory range
// or file range) at the current position, so the network layer can send file ranges with
// sendfile. total_size() counts buffer bytes plus spliced bytes.
class Writer {
 public:
  struct Splice {
    size_t buffer_offset;  // the records go before buffer()[buffer_offset]
    Records records;
  };

  void write_int8(int8_t value);
  void write_int16(int16_t value);
  void write_int32(int32_t value);
  void write_int64(int64_t value);
  void write_uint16(uint16_t value);
  void write_uint32(uint32_t value);
  void write_float64(double value);
  void write_bool(bool value);
  void write_unsigned_varint(uint32_t value);
  void write_varint(int32_t value);
  void write_varlong(int64_t value);
  void write_uuid(const Uuid& value);

  // `compact` selects the flexible-version encoding (uvarint N+1, 0 = null). Classic strings
  // longer than 32767 bytes are cut to that length.
  void write_string(std::string_view value, bool compact);
  void write_nullable_string(const std::optional<std::string>& value, bool compact);
  void write_bytes(std::span<const uint8_t> value, bool compact);
  void write_nullable_bytes(const std::optional<std::vector<uint8_t>>& value, bool compact);
  void write_records(const Records& records, bool compact);  // length prefix + splice
  void write_array_length(size_t count, bool compact);
  void write_null_array(bool compact);
  void write_raw(std::span<const uint8_t> bytes);
  // Moves another writer's output (bytes and splices) to the end of this one.
  void append(const Writer& other);

  size_t total_size() const { return buffer_.size() + spliced_bytes_; }
  const std::vector<uint8_t>& buffer() const { return buffer_; }
  const std::vector<Splice>& splices() const { return splices_; }
  // The frame as a chain of output ranges, in order (buffer bytes and the splices between them),
  // appended to `out`. The ranges point into this writer and its splices' owners.
  void output_ranges(std::vector<OutputRange>& out) const;
  // A contiguous copy with the splices in place; reads file splices with pread. For tests
  // and TLS, never for the plaintext send path.
  std::vector<uint8_t> flatten() const;
  // Overwrites 4 already written buffer bytes, e.g. a frame length prefix.
  void patch_int32(size_t at, int32_t value);
  void reserve(size_t size_bytes) { buffer_.reserve(size_bytes); }
  void clear();

 private:
  // The first write reserves this much at once: most responses fit, where a buffer grown
  // from empty by doubling reallocates eight times on the way to a 100-byte Produce response.
  static constexpr size_t kInitialCapacityBytes = 512;

  // Ensures `more_bytes` fit without a reallocation; grows by doubling.
  void make_room(size_t more_bytes);
  void put(uint8_t byte);
  void put_bytes(const void* data, size_t size_bytes);
  template <typename T>
  void write_big_endian(T value);

  std::vector<uint8_t> buffer_;
  std::vector<Splice> splices_;
  size_t spliced_bytes_ = 0;
};

}  // namespace eddy::protocol
