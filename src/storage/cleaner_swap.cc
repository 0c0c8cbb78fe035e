#include "storage/cleaner_swap.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/log.h"
#include "records/batch_header.h"
#include "records/byte_order.h"
#include "storage/file.h"
#include "storage/segment.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;

// "00000000000000001843.log.swap" -> 1843 when the name is `<20 digits><extension><suffix>`.
std::optional<int64_t> base_offset_of(const std::string& name, const std::string& tail) {
  if (name.size() != 20 + tail.size() || name.compare(20, tail.size(), tail) != 0) {
    return std::nullopt;
  }
  if (!std::all_of(name.begin(), name.begin() + 20, ::isdigit)) return std::nullopt;
  return std::stoll(name.substr(0, 20));
}

// One past the last offset of the whole batches at the start of `path` (headers only); `base`
// when there are none. The swap file was fsynced before it got its name, so it is whole.
int64_t next_offset_of(const fs::path& path, int64_t base) {
  auto file = File::open(path, false);
  if (file == nullptr) return base;
  int64_t size = file->size_bytes();
  int64_t position = 0;
  int64_t next = base;
  uint8_t header[records::kBatchHeaderSize];
  while (position + static_cast<int64_t>(sizeof(header)) <= size &&
         pread_all(file->fd(), header, sizeof(header), position)) {
    auto length = records::load_be<int32_t>(header + records::kBatchLengthOffset);
    if (length < records::kMinBatchLength || header[records::kMagicOffset] != 2) break;
    int64_t total = static_cast<int64_t>(records::kBatchLengthFieldEnd) + length;
    if (position + total > size) break;
    int64_t batch_base = records::load_be<int64_t>(header + records::kBaseOffsetOffset);
    next = batch_base + records::load_be<int32_t>(header + records::kLastOffsetDeltaOffset) + 1;
    position += total;
  }
  return next;
}

bool remove_file(const fs::path& path) {
  std::error_code error;
  fs::remove(path, error);
  if (error) spdlog::error("storage: cannot remove {}: {}", path.string(), error.message());
  return !error;
}

}  // namespace

bool complete_interrupted_swaps(const fs::path& dir) {
  std::set<int64_t> log_swaps;
  std::set<int64_t> segments;
  std::vector<fs::path> leftovers;  // .cleaned files and index .swap files
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (auto base = base_offset_of(name, ".log.swap")) {
      log_swaps.insert(*base);
    } else if (auto live = base_offset_of(name, ".log")) {
      segments.insert(*live);
    } else if (name.ends_with(".swap") || name.ends_with(".cleaned")) {
      leftovers.push_back(entry.path());
    }
  }
  if (error) {
    spdlog::error("storage: cannot list {}: {}", dir.string(), error.message());
    return false;
  }
  bool ok = true;
  for (int64_t base : log_swaps) {
    fs::path swap = dir / (Segment::file_name(base, ".log") + ".swap");
    int64_t next = next_offset_of(swap, base);
    spdlog::warn("storage: completing interrupted cleaner swap {} (offsets {}..{})", swap.string(),
                 base, next);
    // The replaced segments are those the swap's offsets cover; the swap's own index files
    // (renamed or not) go too and are rebuilt when the segment opens.
    for (int64_t old : segments) {
      if (old < base || (old >= next && old != base)) continue;
      for (const char* extension : {".log", ".index", ".timeindex"}) {
        ok = remove_file(dir / Segment::file_name(old, extension)) && ok;
      }
    }
    // Whatever index files carry the final name (the old segment's or the swap's) go too.
    for (const char* extension : {".index", ".timeindex"}) {
      ok = remove_file(dir / Segment::file_name(base, extension)) && ok;
    }
    fs::rename(swap, dir / Segment::file_name(base, ".log"), error);
    if (error) {
      spdlog::error("storage: cannot rename {}: {}", swap.string(), error.message());
      return false;
    }
  }
  for (const auto& path : leftovers) ok = remove_file(path) && ok;
  return ok && fsync_dir(dir);
}

}  // namespace eddy::storage
