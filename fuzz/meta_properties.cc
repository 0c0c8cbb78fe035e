// meta.properties in a log directory (metadata/meta_properties.h), checked at every start by
// format_or_check_log_dirs. The input is written as the file of a scratch directory (in
// /dev/shm when present) and checked for node.id 1.
//
// Invariants: the check passes exactly when the file parses as properties with version=1,
// node.id=1 and a cluster.id, and then returns that cluster id; it never rewrites an existing
// file.

#include "metadata/meta_properties.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "config/properties.h"
#include "fuzz/fuzz_check.h"

namespace fs = std::filesystem;

namespace {

// Created on first use, removed at exit (libFuzzer exits through exit()).
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    path = base / ("eddy-fuzz-meta-" + std::to_string(getpid()));
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

const fs::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path file = scratch_dir() / eddy::metadata::kMetaPropertiesFile;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    FUZZ_CHECK(out.good());
  }
  const auto result = eddy::metadata::format_or_check_log_dirs({scratch_dir().string()}, 1);

  eddy::config::Properties properties;
  eddy::config::ParseError error;
  const bool expected_ok =
      eddy::config::parse_properties(std::string_view(reinterpret_cast<const char*>(data), size),
                                     properties, error) &&
      properties["version"] == "1" && properties["node.id"] == "1" &&
      !properties["cluster.id"].empty();
  FUZZ_CHECK(result.ok() == expected_ok);
  if (result.ok()) FUZZ_CHECK(result.cluster_id == properties["cluster.id"]);
  FUZZ_CHECK(fs::file_size(file) == size);  // an existing file is never rewritten
  return 0;
}
