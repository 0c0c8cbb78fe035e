#pragma once

// Logging goes through spdlog's default logger; this header keeps the include in one place
// and names the few helpers the rest of the code uses.
#include <string_view>

#include <spdlog/spdlog.h>

namespace eddy::log {

// Sets the level from a name such as "info" or "debug"; unknown names keep the current level.
void set_level(std::string_view level_name);

}  // namespace eddy::log
