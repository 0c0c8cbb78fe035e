#pragma once

// Helpers for storage tests: temporary directories and valid v2 batches built with records'
// BatchBuilder.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "records/batch_builder.h"
#include "records/batch_header.h"
#include "storage/file.h"
#include "storage/partition_log.h"

namespace eddy::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "eddy-storage-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `count` batches of `records_per_batch` records each; record i of batch b has timestamp
// first_timestamp_ms + b * 10 + i and a value of `value_bytes` bytes.
inline std::vector<uint8_t> make_batches(int count, int records_per_batch,
                                         int64_t first_timestamp_ms, size_t value_bytes = 50) {
  std::vector<uint8_t> out;
  std::vector<uint8_t> value(value_bytes, 'v');
  for (int b = 0; b < count; ++b) {
    records::BatchBuilder builder(records::BatchOptions{});
    for (int i = 0; i < records_per_batch; ++i) {
      records::RecordInput record;
      record.value = std::span<const uint8_t>(value);
      record.timestamp_ms = first_timestamp_ms + b * 10 + i;
      builder.add(record);
    }
    EXPECT_TRUE(builder.finish(out));
  }
  return out;
}

inline std::vector<uint8_t> read_slice(const FileSlice& slice) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(slice.read(bytes));
  return bytes;
}

// Headers of the whole, CRC-valid batches in `bytes`; fails the test on anything else.
inline std::vector<records::BatchHeader> parse_all(const std::vector<uint8_t>& bytes) {
  std::vector<records::BatchHeader> headers;
  records::BatchIterator iterator(bytes, true);
  while (iterator.next()) headers.push_back(iterator.header());
  EXPECT_EQ(iterator.error(), records::BatchError::kNone);
  EXPECT_EQ(iterator.valid_bytes(), bytes.size());
  return headers;
}

inline std::vector<records::BatchHeader> read_headers(const ReadResult& result) {
  std::vector<records::BatchHeader> headers;
  for (const auto& slice : result.slices) {
    auto part = parse_all(read_slice(slice));
    headers.insert(headers.end(), part.begin(), part.end());
  }
  return headers;
}

}  // namespace eddy::storage::testing
