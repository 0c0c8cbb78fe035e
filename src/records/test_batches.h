#pragma once

// Test data: a batch written by hand from the Kafka spec (see docs/record-batch.md), with its
// CRC computed by an independent script, so the parser is checked against the spec rather than
// against our own builder.

#include <array>
#include <cstdint>

namespace eddy::records::testing {

// base_offset 1000, batch_length 74, partition_leader_epoch 7, magic 2, crc 0x884B774C,
// attributes 0, last_offset_delta 1, base_timestamp 1700000000000, max_timestamp 1700000000005,
// producer_id 12345, producer_epoch 3, base_sequence 42, record_count 2.
// Record 0: timestamp_delta 0, offset_delta 0, key "k", value "v", no headers.
// Record 1: timestamp_delta 5, offset_delta 1, key null, value "hello", header "h" = "x".
inline constexpr std::array<uint8_t, 86> kHandWrittenBatch = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // base offset
    0x00, 0x00, 0x00, 0x4a,                          // batch length
    0x00, 0x00, 0x00, 0x07,                          // partition leader epoch
    0x02,                                            // magic
    0x88, 0x4b, 0x77, 0x4c,                          // crc
    0x00, 0x00,                                      // attributes
    0x00, 0x00, 0x00, 0x01,                          // last offset delta
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,  // base timestamp
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x05,  // max timestamp
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39,  // producer id
    0x00, 0x03,                                      // producer epoch
    0x00, 0x00, 0x00, 0x2a,                          // base sequence
    0x00, 0x00, 0x00, 0x02,                          // record count
    // record 0: length 8, attributes, ts delta, offset delta, key len 1 "k", value len 1 "v",
    // 0 headers
    0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00,
    // record 1: length 15, attributes, ts delta 5, offset delta 1, key null, value len 5
    // "hello", 1 header: key len 1 "h", value len 1 "x"
    0x1e, 0x00, 0x0a, 0x02, 0x01, 0x0a, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x02, 0x02, 0x68, 0x02, 0x78};

}  // namespace eddy::records::testing
