#pragma once

// EDDY_ASSERT checks an invariant in every build type. A failed assertion is a bug in Eddy,
// never a reaction to client input: input is validated and answered with an error instead.

namespace eddy {
[[noreturn]] void assert_failed(const char* expression, const char* file, int line,
                                const char* message);
}  // namespace eddy

#define EDDY_ASSERT(expression)                                        \
  do {                                                                 \
    if (!(expression)) [[unlikely]] {                                  \
      ::eddy::assert_failed(#expression, __FILE__, __LINE__, nullptr); \
    }                                                                  \
  } while (false)

#define EDDY_ASSERT_MSG(expression, message)                             \
  do {                                                                   \
    if (!(expression)) [[unlikely]] {                                    \
      ::eddy::assert_failed(#expression, __FILE__, __LINE__, (message)); \
    }                                                                    \
  } while (false)
