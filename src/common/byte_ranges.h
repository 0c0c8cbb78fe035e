#pragma once

// The vocabulary protocol, storage and net share for zero-copy output: a frame leaves as a
// chain of ranges, each either memory or a range of an open file that the network layer sends
// with sendfile(2), so record bytes never pass through user space.

#include <cstddef>
#include <cstdint>

namespace eddy {

// A byte range of an open file. The descriptor belongs to whoever made the range; whoever
// holds the range keeps that owner alive.
struct FileRange {
  int fd = -1;
  int64_t offset = 0;
  size_t size_bytes = 0;
};

// One piece of an outgoing frame: memory bytes, or a file range when is_file().
struct OutputRange {
  const uint8_t* data = nullptr;
  FileRange file;
  size_t size_bytes = 0;

  bool is_file() const { return file.fd >= 0; }
  static OutputRange memory(const uint8_t* data, size_t size_bytes) {
    return {data, FileRange{}, size_bytes};
  }
  static OutputRange from_file(const FileRange& range) {
    return {nullptr, range, range.size_bytes};
  }
};

}  // namespace eddy
