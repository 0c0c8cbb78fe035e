// CRC-32C throughput: the SSE4.2 path used on the produce path vs the portable table.

#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "records/crc32c.h"

namespace {

std::vector<uint8_t> make_data(int64_t size_bytes) {
  std::vector<uint8_t> data(static_cast<size_t>(size_bytes));
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
  return data;
}

void BM_Crc32cDispatch(benchmark::State& state) {
  const auto data = make_data(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(eddy::records::crc32c(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetLabel(eddy::records::crc32c_uses_hardware() ? "sse4.2" : "table (no sse4.2)");
}

void BM_Crc32cPortable(benchmark::State& state) {
  const auto data = make_data(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(eddy::records::crc32c_portable(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Crc32cDispatch)->RangeMultiplier(16)->Range(64, 1 << 20);
BENCHMARK(BM_Crc32cPortable)->RangeMultiplier(16)->Range(64, 1 << 20);

}  // namespace

BENCHMARK_MAIN();
