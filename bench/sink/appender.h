#pragma once

// Appends record bytes to one file with gathered writes, as a broker appends to a segment.
// When the file reaches its size bound it starts over from empty, so a long run cannot fill the
// disk (the sink measures the cost of writing, it keeps nothing).

#include <cstdint>
#include <string>

#include <sys/uio.h>

namespace eddy::bench {

class Appender {
 public:
  ~Appender();
  // Creates or truncates `path`; false and errno on failure.
  bool open(const std::string& path, int64_t max_file_bytes);
  // Writes every byte of `parts` (in order); false on an I/O error.
  bool append(const iovec* parts, int count);
  int64_t appended_bytes() const { return appended_bytes_; }

 private:
  int fd_ = -1;
  int64_t max_file_bytes_ = 0;
  int64_t file_bytes_ = 0;
  int64_t appended_bytes_ = 0;
};

}  // namespace eddy::bench
