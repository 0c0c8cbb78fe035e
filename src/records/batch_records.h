#pragma once

// Walks every record of one whole v2 batch, compressed or not, with bounded memory.
// Uncompressed records are views into the batch itself. Compressed records are decompressed
// piece by piece into a reusable window that only grows to the largest single record, so a
// batch that inflates to gigabytes costs no more memory than its largest record and stops
// with kDecompressedTooLarge once it passes the bound. No allocation per record.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "compression/stream_decompressor.h"
#include "records/batch_header.h"
#include "records/record.h"

namespace eddy::records {

// The most a batch's records may decompress to. One bound for every reader of stored batches
// (produce validation refuses more, so the cleaner and lookups never meet a larger one).
inline constexpr size_t kMaxDecompressedBatchBytes = 64u << 20;

class BatchRecordReader {
 public:
  explicit BatchRecordReader(size_t max_decompressed_bytes = kMaxDecompressedBatchBytes);

  // Starts on `batch`, one whole batch whose header parsed without error into `header`
  // (batch.size() == header.total_size_bytes()). `batch` must outlive the walk.
  void start(std::span<const uint8_t> batch, const BatchHeader& header);

  // The next record; its views stay valid until the next call. False at the end (error() is
  // kNone when the batch held exactly record_count records and nothing else) or on an error.
  bool next(RecordView& out);
  RecordError error() const { return error_; }
  int32_t records_read() const { return records_read_; }

 private:
  bool next_compressed(RecordView& out);
  bool at_end_of_compressed();
  bool refill(size_t needed_bytes);
  bool fail(RecordError error);

  size_t max_decompressed_bytes_;
  int32_t expected_count_ = 0;
  int32_t records_read_ = 0;
  RecordError error_ = RecordError::kNone;
  bool compressed_ = false;
  RecordIterator plain_{{}, 0};
  compression::StreamDecompressor decompressor_;
  std::vector<uint8_t> window_;
  size_t window_begin_ = 0;
  size_t window_end_ = 0;
};

}  // namespace eddy::records
