// Runs under LD_PRELOAD=libeddy_alloc_counter.so with EDDY_ALLOC_COUNT_FILE set (as CTest does)
// and checks that each allocating entry point, operator new included, counts exactly once on
// the calling thread, and that frees count nothing. Exits non-zero on the first mismatch.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace {

// Word positions of the shim's SharedCounters.
constexpr int kMagicWord = 0;
constexpr int kAllocationsWord = 1;
constexpr uint64_t kMagic = 0x45444459414c4331ull;

const uint64_t* map_counters() {
  const char* path = std::getenv("EDDY_ALLOC_COUNT_FILE");
  if (path == nullptr) return nullptr;
  const int fd = open(path, O_RDONLY);
  if (fd < 0) return nullptr;
  void* mapped = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  return mapped == MAP_FAILED ? nullptr : static_cast<const uint64_t*>(mapped);
}

uint64_t read_word(const uint64_t* words, int index) {
  return std::atomic_ref<const uint64_t>(words[index]).load(std::memory_order_relaxed);
}

int failures = 0;

// Runs `action` and checks the process total moved by exactly `expected`.
template <typename Action>
void expect_allocations(const uint64_t* words, const char* what, uint64_t expected, Action action) {
  const uint64_t before = read_word(words, kAllocationsWord);
  action();
  const uint64_t counted = read_word(words, kAllocationsWord) - before;
  std::printf("%-28s %llu (expected %llu)\n", what, static_cast<unsigned long long>(counted),
              static_cast<unsigned long long>(expected));
  if (counted != expected) ++failures;
}

// Keeps the optimiser from eliding a new/delete pair (allowed since C++14).
void* volatile sink;

}  // namespace

int main() {
  const uint64_t* words = map_counters();
  if (words == nullptr || read_word(words, kMagicWord) != kMagic) {
    std::fprintf(stderr, "not running under the alloc counter shim (see bench/alloc/README.md)\n");
    return 1;
  }
  expect_allocations(words, "malloc+free", 1, [] {
    sink = std::malloc(64);
    std::free(sink);
  });
  expect_allocations(words, "calloc", 1, [] {
    sink = std::calloc(4, 16);
    std::free(sink);
  });
  expect_allocations(words, "realloc grow", 2, [] {
    sink = std::realloc(nullptr, 16);
    sink = std::realloc(sink, 4096);
    std::free(sink);
  });
  expect_allocations(words, "posix_memalign", 1, [] {
    void* pointer = nullptr;
    if (posix_memalign(&pointer, 64, 100) == 0) std::free(pointer);
  });
  expect_allocations(words, "aligned_alloc", 1, [] {
    sink = std::aligned_alloc(64, 128);
    std::free(sink);
  });
  expect_allocations(words, "memalign", 1, [] {
    sink = memalign(64, 128);
    std::free(sink);
  });
  // libc's own allocations (strdup, reallocarray) call malloc/realloc through the PLT too.
  expect_allocations(words, "strdup", 1, [] {
    sink = strdup("more than a few bytes");
    std::free(sink);
  });
  expect_allocations(words, "reallocarray", 1, [] {
    sink = reallocarray(nullptr, 10, 10);
    std::free(sink);
  });
  expect_allocations(words, "operator new", 1, [] {
    auto* value = new int(7);
    sink = value;
    delete value;
  });
  expect_allocations(words, "operator new[]", 1, [] {
    auto* values = new char[300];
    sink = values;
    delete[] values;
  });
  expect_allocations(words, "aligned operator new", 1, [] {
    struct alignas(64) Line {
      char bytes[64];
    };
    auto line = std::make_unique<Line>();
    sink = line.get();
  });
  expect_allocations(words, "std::string (heap)", 1, [] {
    std::string text(100, 'x');
    sink = text.data();
  });
  expect_allocations(words, "std::string (SSO)", 0, [] {
    std::string text(10, 'x');
    sink = text.data();
  });
  if (failures != 0) std::printf("%d mismatches\n", failures);
  return failures == 0 ? 0 : 1;
}
