#include "common/log.h"

#include <string>

namespace eddy::log {

void set_level(std::string_view level_name) {
  const auto level = spdlog::level::from_str(std::string(level_name));
  if (level != spdlog::level::off || level_name == "off") {
    spdlog::set_level(level);
  }
}

}  // namespace eddy::log
