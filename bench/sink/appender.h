#pragma once

// Appends record bytes to one file with gathered writes, as a broker appends to a segment.
// When the file reaches its size bound it is replaced by an empty one, so a long run cannot fill
// the disk (the sink measures the cost of writing, it keeps nothing). The full file is unlinked
// and closed on a background thread, as a broker deletes old segments off its serving threads:
// freeing gigabytes of page cache takes hundreds of milliseconds, which would otherwise show up
// as a stall in every produce latency figure.

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
