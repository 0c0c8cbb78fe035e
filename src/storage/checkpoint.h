#pragma once

// Kafka's offset checkpoint files (recovery-point-offset-checkpoint, log-start-offset-checkpoint):
//   0\n<count>\n<topic> <partition> <offset>\n...

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

namespace eddy::storage {

using TopicPartition = std::pair<std::string, int32_t>;
using OffsetCheckpoint = std::map<TopicPartition, int64_t>;

inline constexpr const char* kRecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
inline constexpr const char* kLogStartOffsetCheckpointFile = "log-start-offset-checkpoint";

std::string format_checkpoint(const OffsetCheckpoint& offsets);
// Parses the text; false on any malformed line (the caller then treats the file as empty).
bool parse_checkpoint(const std::string& text, OffsetCheckpoint& out);

// A missing file reads as empty; a malformed one too, with a warning.
OffsetCheckpoint read_checkpoint(const std::filesystem::path& path);
// Atomic replace (temp file, fsync, rename, directory fsync).
bool write_checkpoint(const std::filesystem::path& path, const OffsetCheckpoint& offsets);

}  // namespace eddy::storage
