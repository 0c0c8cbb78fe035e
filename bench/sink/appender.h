#pragma once

// Appends record bytes to one file with gathered writes, as a broker appends to a segment.
// A broker keeps what it is sent, so by default the file only grows: its pages must be found,
// filled and eventually written back, as a broker's segments are. (A sink that recycled a small
// file would never pay for writeback and reuse warm page-cache pages: 2.8x cheaper per GB here,
// and no longer a baseline.) With a size bound, the full file is replaced by an empty one and
// closed on a background thread, as a broker deletes old segments off its serving threads.

#include <cstdint>
#include <string>
#include <thread>

#include <sys/uio.h>

namespace eddy::bench {

class Appender {
 public:
  ~Appender();
  // Creates or truncates `path`; false and errno on failure.
  bool open(const std::string& path, int64_t max_file_bytes);
  // Writes every byte of `parts` (in order); false on an I/O error.
  bool append(const iovec* parts, int count);
  // Replaces the full file by an empty one; the old descriptor is closed in the background.
  bool rotate();
  int64_t appended_bytes() const { return appended_bytes_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::thread releaser_;  // closes the previous file; at most one at a time
  int64_t max_file_bytes_ = 0;
  int64_t file_bytes_ = 0;
  int64_t appended_bytes_ = 0;
};

}  // namespace eddy::bench
