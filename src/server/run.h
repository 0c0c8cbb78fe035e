#pragma once

#include <string>
#include <vector>

namespace eddy::server {

struct Options {
  std::string config_path;             // empty: defaults and overrides only
  std::vector<std::string> overrides;  // "key=value"
};

// Runs the broker until SIGTERM or SIGINT; returns the process exit code.
int run(const Options& options);

}  // namespace eddy::server
