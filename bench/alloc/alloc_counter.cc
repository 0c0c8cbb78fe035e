// LD_PRELOAD shim that counts the heap allocations of a whole process, readable live by another
// process. See bench/alloc/README.md.
//
// Every allocating entry point (malloc, calloc, realloc, aligned_alloc, posix_memalign,
// memalign, valloc, pvalloc) is defined here and forwards to glibc's own __libc_* functions, so
// there is no dlsym bootstrapping. libstdc++'s operator new calls malloc through the PLT, so it
// lands here too (alloc_counter_selftest checks that).
//
// The counters live in a MAP_SHARED mapping of the file named by EDDY_ALLOC_COUNT_FILE (layout:
// SharedCounters below, native-endian uint64 words), so a reader sees live totals without
// signals. Without that variable the shim counts into process-private memory.
//
// Tracing: with EDDY_ALLOC_TRACE_FILE set, while `trace_budget` in the mapping is non-zero, each
// allocation decrements it and appends its backtrace to that file, to find the call sites of
// unexpected allocations.

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <execinfo.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

// glibc's own allocator entry points; their names are glibc's.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming)
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)

namespace {

constexpr int kMaxThreads = 120;
constexpr size_t kPageBytes = 4096;
constexpr uint64_t kMagic = 0x45444459414c4331ull;  // "EDDYALC1"

// One page shared with the reader; produce_alloc.py reads these words by position, so keep
// the order.
struct SharedCounters {
  uint64_t magic;         // kMagic once the shared mapping is in place
  uint64_t allocations;   // every successful allocating call
  uint64_t bytes;         // bytes those calls asked for
  uint64_t trace_budget;  // backtraces still to write (the reader sets it)
  uint64_t unslotted;     // allocations of threads beyond kMaxThreads
  struct {
    uint64_t tid;  // 0: free slot
    uint64_t allocations;
  } threads[kMaxThreads];
};
static_assert(sizeof(SharedCounters) <= kPageBytes, "the counters must fit one page");

SharedCounters private_counters;
SharedCounters* counters = &private_counters;
int trace_fd = -1;

thread_local uint64_t* thread_slot = nullptr;
thread_local bool inside_trace = false;

void add(uint64_t& word, uint64_t amount) {
  std::atomic_ref<uint64_t>(word).fetch_add(amount, std::memory_order_relaxed);
}

uint64_t* claim_thread_slot() {
  const auto tid = static_cast<uint64_t>(syscall(SYS_gettid));
  for (auto& slot : counters->threads) {
    uint64_t expected = 0;
    if (std::atomic_ref<uint64_t>(slot.tid).compare_exchange_strong(expected, tid)) {
      return &slot.allocations;
    }
  }
  return &counters->unslotted;
}

// backtrace() itself may allocate (it loads libgcc_s once), hence the re-entry guard.
void write_trace() {
  if (trace_fd < 0 || inside_trace) return;
  std::atomic_ref<uint64_t> budget(counters->trace_budget);
  uint64_t left = budget.load(std::memory_order_relaxed);
  do {
    if (left == 0) return;
  } while (!budget.compare_exchange_weak(left, left - 1, std::memory_order_relaxed));
  inside_trace = true;
  void* frames[32];
  const int depth = backtrace(frames, 32);
  backtrace_symbols_fd(frames, depth, trace_fd);
  static constexpr char kSeparator[] = "--\n";
  const ssize_t written = write(trace_fd, kSeparator, sizeof kSeparator - 1);
  static_cast<void>(written);
  inside_trace = false;
}

void* counted(void* pointer, size_t size) {
  if (pointer == nullptr) return pointer;
  add(counters->allocations, 1);
  add(counters->bytes, size);
  if (thread_slot == nullptr) thread_slot = claim_thread_slot();
  add(*thread_slot, 1);
  write_trace();
  return pointer;
}

void map_shared_counters(const char* path) {
  const int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  void* mapped = MAP_FAILED;
  // Truncating first zeroes a file left over from an earlier process.
  if (ftruncate(fd, 0) == 0 && ftruncate(fd, kPageBytes) == 0) {
    mapped = mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (mapped == MAP_FAILED) return;
  auto* shared = static_cast<SharedCounters*>(mapped);
  // Allocations made before this constructor ran are carried over.
  shared->allocations = private_counters.allocations;
  shared->bytes = private_counters.bytes;
  std::atomic_ref<uint64_t>(shared->magic).store(kMagic, std::memory_order_release);
  thread_slot = nullptr;  // claim a slot again, in the shared table
  counters = shared;
}

__attribute__((constructor)) void start_counting() {
  const char* count_path = getenv("EDDY_ALLOC_COUNT_FILE");
  if (count_path != nullptr && count_path[0] != '\0') map_shared_counters(count_path);
  const char* trace_path = getenv("EDDY_ALLOC_TRACE_FILE");
  if (trace_path != nullptr && trace_path[0] != '\0') {
    void* warm_up[1];
    backtrace(warm_up, 1);  // loads libgcc_s now rather than inside a traced allocation
    trace_fd = open(trace_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
}

}  // namespace

// The parameter names differ from glibc's reserved ones on purpose.
// NOLINTBEGIN(readability-inconsistent-declaration-parameter-name)
extern "C" {

void* malloc(size_t size) noexcept {
  return counted(__libc_malloc(size), size);
}

void* calloc(size_t count, size_t size) noexcept {
  return counted(__libc_calloc(count, size), count * size);
}

// realloc(p, 0) frees; every other call may move the block, so it counts as an allocation.
void* realloc(void* pointer, size_t size) noexcept {
  void* result = __libc_realloc(pointer, size);
  return size == 0 ? result : counted(result, size);
}

void* memalign(size_t alignment, size_t size) noexcept {
  return counted(__libc_memalign(alignment, size), size);
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return counted(__libc_memalign(alignment, size), size);
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* pointer = __libc_memalign(alignment, size);
  if (pointer == nullptr) return ENOMEM;
  *out = counted(pointer, size);
  return 0;
}

void* valloc(size_t size) noexcept {
  return counted(__libc_valloc(size), size);
}

void* pvalloc(size_t size) noexcept {
  return counted(__libc_pvalloc(size), size);
}

}  // extern "C"
// NOLINTEND(readability-inconsistent-declaration-parameter-name)
