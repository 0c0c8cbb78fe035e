#pragma once

// The LZ4 frame header checksum of magic 0 messages. Kafka before 0.10 computed the frame
// descriptor's header checksum (HC) over the 4-byte frame magic number too (KAFKA-3160); magic 1
// fixed it (KIP-57), and clients reading magic 0 expect the broken value. Eddy writes lz4
// magic 0 wrappers the way Kafka does and accepts them on read by repairing the byte first.

#include <cstddef>
#include <cstdint>
#include <span>

namespace eddy::records {

// xxHash32 of `data` (the LZ4 frame format's header checksum is byte 1 of xxh32(...) >> 8).
uint32_t xxh32(std::span<const uint8_t> data, uint32_t seed);

// Rewrites the header checksum byte of an LZ4 frame in place: `broken` = the magic 0 value
// (computed from the frame's first byte), otherwise the standard value (from the flag byte).
// False if `frame` does not start with a complete LZ4 frame descriptor.
bool set_lz4_header_checksum(std::span<uint8_t> frame, bool broken);

}  // namespace eddy::records
