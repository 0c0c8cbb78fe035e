#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/byte_ranges.h"

namespace eddy::protocol {

// The bytes of a `records` field, never copied by the codec. Either a memory range owned
// elsewhere (on decode: a view into the request buffer) or, when fd >= 0, a range of an open
// file that the network layer sends with sendfile. keep_alive holds whatever owns the memory
// or the descriptor for as long as this value lives.
struct Records {
  const uint8_t* data = nullptr;
  int fd = -1;
  int64_t file_offset = 0;
  size_t size_bytes = 0;
  bool is_null = false;
  std::shared_ptr<const void> keep_alive;

  bool is_file() const { return fd >= 0; }
  static Records from_memory(const uint8_t* data, size_t size_bytes,
                             std::shared_ptr<const void> keep_alive = nullptr);
  static Records from_file(const FileRange& range,
                           std::shared_ptr<const void> keep_alive = nullptr);
  static Records null();
  // The bytes as one piece of an outgoing frame.
  OutputRange output() const;

  // Compares content for memory ranges and the (fd, offset, size) triple for file ranges;
  // keep_alive does not take part. Meant for tests.
  bool operator==(const Records& other) const;
};

}  // namespace eddy::protocol
