#pragma once

// meta.properties, as Kafka writes it in every log directory (version=1, node.id,
// cluster.id, directory.id). It ties a directory to one cluster and one node.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eddy::metadata {

inline constexpr const char* kMetaPropertiesFile = "meta.properties";

// A Kafka-style random id: 16 random bytes, base64url without padding (22 characters).
std::string generate_kafka_id();

struct LogDirsResult {
  std::string cluster_id;  // empty on error
  std::string error;
  bool ok() const { return error.empty(); }
};

// On first start generates a cluster id and writes meta.properties (with a fresh
// directory.id) into every directory, creating directories as needed. Later starts read
// the files and fail on a node.id mismatch, an unknown version or differing cluster ids.
LogDirsResult format_or_check_log_dirs(const std::vector<std::string>& dirs, int32_t node_id);

}  // namespace eddy::metadata
