// Keys and values of __consumer_offsets records (group/consumer_offsets_records.h), read back
// when a coordinator loads a partition: disk input in Kafka's layouts, every version 0-4.
// Input: one selector byte (key, offset value, group value), then the bytes.
//
// Invariants: what decodes re-encodes (in the version Eddy writes) to bytes that decode to the
// same fields and encode to the same bytes.

#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "group/consumer_offsets_records.h"

using namespace eddy::group;

namespace {

void check_key(std::span<const uint8_t> bytes) {
  RecordKey key;
  if (!decode_key(bytes, key)) return;
  const std::vector<uint8_t> encoded = key.type == KeyType::kOffset
                                           ? encode_offset_key(key.group, key.topic, key.partition)
                                           : encode_group_key(key.group);
  RecordKey again;
  FUZZ_CHECK(decode_key(encoded, again));
  FUZZ_CHECK(again.type == key.type && again.group == key.group);
  if (key.type == KeyType::kOffset) {
    FUZZ_CHECK(again.topic == key.topic && again.partition == key.partition);
  }
}

void check_offset_value(std::span<const uint8_t> bytes) {
  OffsetValue value;
  if (!decode_offset_value(bytes, value)) return;
  const std::vector<uint8_t> encoded = encode_offset_value(value);
  OffsetValue again;
  FUZZ_CHECK(decode_offset_value(encoded, again));
  FUZZ_CHECK(again.offset == value.offset && again.metadata == value.metadata);
  FUZZ_CHECK(again.commit_timestamp_ms == value.commit_timestamp_ms);
  // Any negative expiry means "none" (written as v3, read back as -1).
  FUZZ_CHECK(again.expire_timestamp_ms ==
             (value.expire_timestamp_ms >= 0 ? value.expire_timestamp_ms : -1));
  FUZZ_CHECK(encode_offset_value(again) == encoded);
}

bool same_members(const std::vector<MemberValue>& a, const std::vector<MemberValue>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].member_id != b[i].member_id || a[i].group_instance_id != b[i].group_instance_id ||
        a[i].client_id != b[i].client_id || a[i].client_host != b[i].client_host ||
        a[i].session_timeout_ms != b[i].session_timeout_ms ||
        a[i].subscription != b[i].subscription || a[i].assignment != b[i].assignment) {
      return false;
    }
  }
  return true;
}

void check_group_value(std::span<const uint8_t> bytes) {
  GroupValue value;
  if (!decode_group_value(bytes, value)) return;
  const std::vector<uint8_t> encoded = encode_group_value(value);
  GroupValue again;
  FUZZ_CHECK(decode_group_value(encoded, again));
  FUZZ_CHECK(again.protocol_type == value.protocol_type && again.generation == value.generation);
  FUZZ_CHECK(again.protocol == value.protocol && again.leader == value.leader);
  FUZZ_CHECK(same_members(again.members, value.members));
  FUZZ_CHECK(encode_group_value(again) == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check_key(bytes);
      break;
    case 1:
      check_offset_value(bytes);
      break;
    default:
      check_group_value(bytes);
      break;
  }
  return 0;
}
