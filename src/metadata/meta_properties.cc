#include "metadata/meta_properties.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "common/assert.h"
#include "config/properties.h"
#include "metadata/types.h"

namespace eddy::metadata {
namespace {

namespace fs = std::filesystem;

bool fsync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Writes via a temporary file and rename so a crash never leaves a half-written file.
std::string write_meta_properties(const fs::path& dir, int32_t node_id,
                                  const std::string& cluster_id) {
  fs::path target = dir / kMetaPropertiesFile;
  fs::path temp = dir / (std::string(kMetaPropertiesFile) + ".tmp");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "#\n#Written by eddy\n"
        << "cluster.id=" << cluster_id << "\n"
        << "directory.id=" << generate_kafka_id() << "\n"
        << "node.id=" << node_id << "\n"
        << "version=1\n";
    out.flush();
    if (!out) return "cannot write " + temp.string();
  }
  std::error_code ec;
  if (!fsync_path(temp, O_RDONLY)) return "cannot fsync " + temp.string();
  fs::rename(temp, target, ec);
  if (ec) return "cannot rename " + temp.string() + ": " + ec.message();
  if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) return "cannot fsync " + dir.string();
  return {};
}

// Reads and checks one existing file; returns its cluster id or sets `error`.
std::string check_meta_properties(const fs::path& file, int32_t node_id, std::string& error) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "cannot read " + file.string();
    return {};
  }
  config::Properties properties;
  config::ParseError parse_error;
  if (!config::parse_properties(text.str(), properties, parse_error)) {
    error = file.string() + ": line " + std::to_string(parse_error.line_number) + ": " +
            parse_error.message;
    return {};
  }
  if (properties["version"] != "1") {
    error = file.string() + ": unsupported version '" + properties["version"] + "'";
  } else if (properties["node.id"] != std::to_string(node_id)) {
    error = file.string() + ": node.id " + properties["node.id"] +
            " does not match the configured node.id " + std::to_string(node_id);
  } else if (properties["cluster.id"].empty()) {
    error = file.string() + ": no cluster.id";
  }
  return error.empty() ? properties["cluster.id"] : std::string();
}

}  // namespace

std::string generate_kafka_id() {
  return Uuid::random().to_string();
}

LogDirsResult format_or_check_log_dirs(const std::vector<std::string>& dirs, int32_t node_id) {
  LogDirsResult result;
  if (dirs.empty()) {
    result.error = "no log directories";
    return result;
  }
  std::string cluster_id;
  std::vector<fs::path> unformatted;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      result.error = "cannot create " + dir + ": " + ec.message();
      return result;
    }
    fs::path file = fs::path(dir) / kMetaPropertiesFile;
    if (!fs::exists(file)) {
      unformatted.push_back(dir);
      continue;
    }
    std::string found = check_meta_properties(file, node_id, result.error);
    if (!result.error.empty()) return result;
    if (!cluster_id.empty() && found != cluster_id) {
      result.error = file.string() + ": cluster.id " + found + " differs from " + cluster_id;
      return result;
    }
    cluster_id = found;
  }
  if (cluster_id.empty()) cluster_id = generate_kafka_id();
  for (const fs::path& dir : unformatted) {
    result.error = write_meta_properties(dir, node_id, cluster_id);
    if (!result.error.empty()) return result;
  }
  result.cluster_id = cluster_id;
  return result;
}

}  // namespace eddy::metadata
