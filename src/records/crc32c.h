#pragma once

// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic v2).

#include <cstddef>
#include <cstdint>
#include <span>

namespace eddy::records {

// Extends `crc` (0 to start) with `data`. Uses the SSE4.2 crc32 instruction when the CPU has it
// (three interleaved chains on buffers of 192 bytes and more), a table otherwise; all paths give
// identical results, and crc32c(crc32c(0, a), b) == crc32c(0, a || b).
uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t size);

inline uint32_t crc32c(std::span<const uint8_t> data) {
  return crc32c(0, data.data(), data.size());
}

// The portable table implementation, exposed so tests can compare it with the hardware path.
uint32_t crc32c_portable(uint32_t crc, const uint8_t* data, size_t size);

// The previous SSE4.2 loop (one dependent chain of crc32 instructions; the table without
// SSE4.2), kept only so benchmarks can compare it with crc32c(). Same results.
uint32_t crc32c_single_chain(uint32_t crc, const uint8_t* data, size_t size);

// True when crc32c() uses the SSE4.2 instruction on this machine.
bool crc32c_uses_hardware();

}  // namespace eddy::records
