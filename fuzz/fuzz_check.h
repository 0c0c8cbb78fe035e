#pragma once

// Shared by the fuzz targets: FUZZ_CHECK states an invariant of the code under test. A failure
// prints what broke and aborts, which libFuzzer reports as a crash and saves the input.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

namespace eddy::fuzz {

// Decompression bound for every target: large enough for real batches, small enough that a
// bomb is refused quickly (libFuzzer's -malloc_limit_mb catches anything that escapes it).
inline constexpr size_t kMaxDecompressedBytes = 1 << 20;

}  // namespace eddy::fuzz
