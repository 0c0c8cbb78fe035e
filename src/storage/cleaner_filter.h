#pragma once

// Decides, record by record, what a cleaner pass keeps of one batch, and writes the result:
// the batch unchanged, nothing, or a rebuilt batch of the kept records (same offsets, same
// codec, new CRC, maybe a delete horizon). Rules in docs/storage-format.md, "Compaction".

#include <cstdint>
#include <span>
#include <vector>

#include "records/batch_header.h"
#include "records/record.h"
#include "storage/cleaner_offset_map.h"
#include "storage/error.h"

namespace eddy::storage {

struct FilterOutcome {
  Error error = Error::kNone;
  int32_t records_read = 0;
  int32_t records_kept = 0;
  // The delete horizon of the written batch if it still holds a tombstone, else -1.
  int64_t pending_horizon_ms = -1;
};

class CleanerFilter {
 public:
  // `max_decompressed_bytes` bounds one batch's decompressed records.
  explicit CleanerFilter(size_t max_decompressed_bytes)
      : max_decompressed_bytes_(max_decompressed_bytes) {}

  // Appends what remains of `batch` (whole, CRC-checked, `header` parsed) to `out`.
  FilterOutcome filter(std::span<const uint8_t> batch, const records::BatchHeader& header,
                       CleanerOffsetMap& map, int64_t now_ms, int64_t delete_retention_ms,
                       std::vector<uint8_t>& out);

 private:
  bool keep_record(const records::RecordView& record, int64_t offset,
                   const records::BatchHeader& header, CleanerOffsetMap& map, int64_t now_ms);
  // Writes header + records_ (compressed with the batch's codec) to `out`.
  bool write_batch(const records::BatchHeader& header, std::vector<uint8_t>& out);

  size_t max_decompressed_bytes_;
  // Buffers reused from batch to batch, so steady state does not allocate.
  std::vector<uint8_t> decompressed_;
  std::vector<uint8_t> records_;
  std::vector<uint8_t> compressed_;
  std::vector<records::RecordView> kept_;
};

}  // namespace eddy::storage
