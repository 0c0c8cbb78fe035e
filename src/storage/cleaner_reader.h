#pragma once

// Reads the batches of a sealed segment in order, through a bounded buffer, for the cleaner.
// Every batch is checked (header, CRC); a damaged one ends the reading with an error.

#include <cstdint>
#include <span>
#include <vector>

#include "records/batch_header.h"
#include "storage/error.h"
#include "storage/segment.h"

namespace eddy::storage {

class CleanerReader {
 public:
  // `buffer` is reused across segments; it grows up to `max_batch_bytes` for one large batch.
  CleanerReader(const Segment& segment, std::vector<uint8_t>& buffer, size_t chunk_bytes,
                size_t max_batch_bytes);

  // The next whole batch; false at the end of the segment or on error (see error()).
  bool next(std::span<const uint8_t>& batch, records::BatchHeader& header);
  Error error() const { return error_; }
  int64_t bytes_read() const { return bytes_read_; }

 private:
  // Makes at least `wanted` bytes available from position_; false on I/O error or end of data.
  bool fill(size_t wanted);

  std::shared_ptr<const File> file_;  // held for the whole reading (nullptr: cannot open)
  std::vector<uint8_t>& buffer_;
  size_t chunk_bytes_;
  size_t max_batch_bytes_;
  int64_t end_position_;         // the segment's size when the reading started
  int64_t buffer_position_ = 0;  // file position of buffer_[0]
  size_t buffered_ = 0;          // valid bytes in buffer_
  size_t cursor_ = 0;            // next batch in buffer_
  int64_t bytes_read_ = 0;
  Error error_ = Error::kNone;
};

}  // namespace eddy::storage
