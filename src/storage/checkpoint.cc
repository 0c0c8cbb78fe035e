#include "storage/checkpoint.h"

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "storage/file.h"

namespace eddy::storage {

std::string format_checkpoint(const OffsetCheckpoint& offsets) {
  std::string text = "0\n" + std::to_string(offsets.size()) + "\n";
  for (const auto& [partition, offset] : offsets) {
    text += partition.first + " " + std::to_string(partition.second) + " " +
            std::to_string(offset) + "\n";
  }
  return text;
}

bool parse_checkpoint(const std::string& text, OffsetCheckpoint& out) {
  std::istringstream in(text);
  std::string version_line;
  std::string count_line;
  if (!std::getline(in, version_line) || version_line != "0") return false;
  if (!std::getline(in, count_line)) return false;
  size_t expected = 0;
  try {
    expected = std::stoul(count_line);
  } catch (...) {
    return false;
  }
  OffsetCheckpoint parsed;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string topic;
    int64_t partition = -1;
    int64_t offset = -1;
    std::string extra;
    if (!(fields >> topic >> partition >> offset) || (fields >> extra)) return false;
    if (partition < 0 || partition > INT32_MAX) return false;
    parsed[{topic, static_cast<int32_t>(partition)}] = offset;
  }
  if (parsed.size() != expected) return false;
  out = std::move(parsed);
  return true;
}

OffsetCheckpoint read_checkpoint(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) return {};
  std::stringstream text;
  text << file.rdbuf();
  OffsetCheckpoint offsets;
  if (!parse_checkpoint(text.str(), offsets)) {
    spdlog::warn("storage: ignoring malformed checkpoint {}", path.string());
    return {};
  }
  return offsets;
}

bool write_checkpoint(const std::filesystem::path& path, const OffsetCheckpoint& offsets) {
  return write_file_atomically(path, format_checkpoint(offsets));
}

}  // namespace eddy::storage
