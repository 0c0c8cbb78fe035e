// Start-up of one partition log: listing segment files, trusting or recovering them.

#include <algorithm>
#include <set>

#include "common/log.h"
#include "storage/cleaner_swap.h"
#include "storage/partition_log.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;

// Parses "00000000000000001843" into 1843; false for anything else.
bool parse_base_offset(const std::string& stem, int64_t& out) {
  if (stem.size() != 20 || !std::all_of(stem.begin(), stem.end(), ::isdigit)) return false;
  try {
    out = std::stoll(stem);
  } catch (...) {
    return false;
  }
  return true;
}

// Lists segment base offsets and removes leftovers: temporary files and index files whose
// .log is gone. False if the directory cannot be read (say, out of descriptors): a partial
// listing would look like a log missing its segments.
bool list_segments(const fs::path& dir, std::vector<int64_t>& out) {
  std::set<int64_t> bases;
  std::vector<fs::path> indexes;
  std::error_code ignored;
  std::error_code listing;
  for (fs::directory_iterator it(dir, listing), end; !listing && it != end; it.increment(listing)) {
    const fs::directory_entry& entry = *it;
    if (!entry.is_regular_file()) continue;
    const fs::path& path = entry.path();
    std::string extension = path.extension().string();
    int64_t base = 0;
    // .cleaned and .swap files were handled by complete_interrupted_swaps().
    if (extension == ".deleted" || extension == ".tmp") {
      fs::remove(path, ignored);
    } else if (extension == ".log" && parse_base_offset(path.stem().string(), base)) {
      bases.insert(base);
    } else if (extension == ".index" || extension == ".timeindex") {
      indexes.push_back(path);
    }
  }
  if (listing) {
    spdlog::error("storage: cannot list {}: {}", dir.string(), listing.message());
    return false;
  }
  for (const auto& path : indexes) {
    int64_t base = 0;
    if (!parse_base_offset(path.stem().string(), base) || !bases.contains(base)) {
      fs::remove(path, ignored);
    }
  }
  out.assign(bases.begin(), bases.end());
  return true;
}

}  // namespace

Error PartitionLog::load(const Options& options) {
  // Nobody else sees the log yet, so the locks cost nothing; they let the analysis check the
  // accesses below.
  MutexLock lock(append_mutex_);
  WriterMutexLock segments_lock(segments_mutex_);
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) {
    spdlog::error("storage: cannot create {}: {}", dir_.string(), error.message());
    return Error::kStorageError;
  }
  if (!complete_interrupted_swaps(dir_)) return Error::kStorageError;
  std::vector<int64_t> bases;
  if (!list_segments(dir_, bases)) return Error::kStorageError;
  if (bases.empty()) {
    auto segment = Segment::create(dir_, std::max<int64_t>(options.log_start_offset, 0), config_,
                                   options.now_ms);
    if (segment == nullptr) return Error::kStorageError;
    segments_.push_back(std::move(segment));
  }
  // After a crash, check everything above the recovery point: from inside the segment holding
  // it (below it, data and index entries were fsynced), and the last segment always (its
  // preallocated indexes were not trimmed).
  size_t first_to_recover = bases.size();
  if (!options.clean_shutdown && !bases.empty()) {
    auto it = std::upper_bound(bases.begin(), bases.end(), options.recovery_point);
    first_to_recover = it == bases.begin() ? 0 : static_cast<size_t>(it - bases.begin()) - 1;
  }
  for (size_t i = 0; i < bases.size(); ++i) {
    bool active = i + 1 == bases.size();
    bool truncated = false;
    auto segment = Segment::open(dir_, bases[i], config_, active, i >= first_to_recover,
                                 recovery_stats_, truncated, options.recovery_point);
    if (segment == nullptr) return Error::kStorageError;
    bool overlaps = !segments_.empty() && segment->base_offset() < segments_.back()->next_offset();
    if (overlaps) {
      spdlog::error("storage: segment {} of {} overlaps its predecessor; dropping the rest",
                    bases[i], dir_.string());
      truncated = true;
      i--;  // this segment goes too
    } else {
      segments_.push_back(std::move(segment));
    }
    if (truncated && i + 1 < bases.size()) {
      // Everything after a corrupt point is gone: later segments cannot be trusted to follow.
      for (size_t j = i + 1; j < bases.size(); ++j) {
        Segment::remove_files_of(dir_, bases[j]);
      }
      auto last = segments_.back()->base_offset();
      segments_.pop_back();
      bool unused = false;
      auto reopened = Segment::open(dir_, last, config_, true, false, recovery_stats_, unused);
      if (reopened == nullptr) return Error::kStorageError;
      segments_.push_back(std::move(reopened));
      break;
    }
  }
  int64_t log_end = segments_.back()->next_offset();
  log_end_offset_.store(log_end);
  log_start_offset_.store(
      std::clamp(options.log_start_offset, segments_.front()->base_offset(), log_end));
  cleaner_offset_.store(std::clamp<int64_t>(options.cleaner_offset, 0, log_end));
  recovery_point_.store(
      options.clean_shutdown ? log_end : std::clamp<int64_t>(options.recovery_point, 0, log_end));
  last_flush_ms_.store(options.now_ms);
  spdlog::info("storage: loaded {} ({} segments, offsets {}..{}, scanned {} bytes)", dir_.string(),
               segments_.size(), log_start_offset(), log_end, recovery_stats_.scanned_bytes);
  return Error::kNone;
}

}  // namespace eddy::storage
