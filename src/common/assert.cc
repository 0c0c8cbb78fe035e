#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace eddy {

void assert_failed(const char* expression, const char* file, int line, const char* message) {
  std::fprintf(stderr, "eddy: assertion failed: %s (%s:%d)%s%s\n", expression, file, line,
               message != nullptr ? ": " : "", message != nullptr ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace eddy
