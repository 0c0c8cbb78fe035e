#include "group/consumer_offsets_records.h"

#include "protocol/reader.h"
#include "protocol/writer.h"

namespace eddy::group {
namespace {

constexpr int16_t kOffsetKeyVersion = 1;
constexpr int16_t kGroupKeyVersion = 2;
constexpr int16_t kOffsetValueWithExpiry = 1;
constexpr int16_t kOffsetValueWithEpoch = 3;
constexpr int16_t kGroupValueVersion = 3;
constexpr int16_t kFirstFlexibleValueVersion = 4;

std::vector<uint8_t> take(protocol::Writer& writer) {
  return writer.flatten();
}

// Skips a flexible struct's tagged fields; unknown tags carry no data Eddy needs.
void skip_tagged_fields(protocol::Reader& reader) {
  const uint32_t count = reader.read_unsigned_varint();
  for (uint32_t i = 0; i < count && reader.ok(); ++i) {
    reader.read_unsigned_varint();
    const uint32_t size = reader.read_unsigned_varint();
    reader.read_raw(size);
  }
}

bool finished(const protocol::Reader& reader) {
  return reader.ok() && reader.remaining() == 0;
}

bool decode_member(protocol::Reader& reader, int16_t version, MemberValue& out) {
  const bool compact = version >= kFirstFlexibleValueVersion;
  out.member_id = reader.read_string(compact);
  if (version >= 3) out.group_instance_id = reader.read_nullable_string(compact);
  out.client_id = reader.read_string(compact);
  out.client_host = reader.read_string(compact);
  if (version >= 1) out.rebalance_timeout_ms = reader.read_int32();
  out.session_timeout_ms = reader.read_int32();
  out.subscription = reader.read_bytes(compact);
  out.assignment = reader.read_bytes(compact);
  if (compact) skip_tagged_fields(reader);
  return reader.ok();
}

}  // namespace

std::vector<uint8_t> encode_offset_key(const std::string& group, const std::string& topic,
                                       int32_t partition) {
  protocol::Writer writer;
  writer.write_int16(kOffsetKeyVersion);
  writer.write_string(group, false);
  writer.write_string(topic, false);
  writer.write_int32(partition);
  return take(writer);
}

std::vector<uint8_t> encode_group_key(const std::string& group) {
  protocol::Writer writer;
  writer.write_int16(kGroupKeyVersion);
  writer.write_string(group, false);
  return take(writer);
}

std::vector<uint8_t> encode_offset_value(const OffsetValue& value) {
  protocol::Writer writer;
  if (value.expire_timestamp_ms >= 0) {
    writer.write_int16(kOffsetValueWithExpiry);
    writer.write_int64(value.offset);
    writer.write_string(value.metadata, false);
    writer.write_int64(value.commit_timestamp_ms);
    writer.write_int64(value.expire_timestamp_ms);
    return take(writer);
  }
  writer.write_int16(kOffsetValueWithEpoch);
  writer.write_int64(value.offset);
  writer.write_int32(value.leader_epoch);
  writer.write_string(value.metadata, false);
  writer.write_int64(value.commit_timestamp_ms);
  return take(writer);
}

std::vector<uint8_t> encode_group_value(const GroupValue& value) {
  protocol::Writer writer;
  writer.write_int16(kGroupValueVersion);
  writer.write_string(value.protocol_type, false);
  writer.write_int32(value.generation);
  writer.write_nullable_string(value.protocol, false);
  writer.write_nullable_string(value.leader, false);
  writer.write_int64(value.current_state_timestamp_ms);
  writer.write_array_length(value.members.size(), false);
  for (const MemberValue& member : value.members) {
    writer.write_string(member.member_id, false);
    writer.write_nullable_string(member.group_instance_id, false);
    writer.write_string(member.client_id, false);
    writer.write_string(member.client_host, false);
    writer.write_int32(member.rebalance_timeout_ms);
    writer.write_int32(member.session_timeout_ms);
    writer.write_bytes(member.subscription, false);
    writer.write_bytes(member.assignment, false);
  }
  return take(writer);
}

bool decode_key(std::span<const uint8_t> bytes, RecordKey& out) {
  protocol::Reader reader(bytes.data(), bytes.size());
  const int16_t version = reader.read_int16();
  if (version == 0 || version == 1) {
    out.type = KeyType::kOffset;
    out.group = reader.read_string(false);
    out.topic = reader.read_string(false);
    out.partition = reader.read_int32();
    return finished(reader);
  }
  if (version == 2) {
    out.type = KeyType::kGroup;
    out.group = reader.read_string(false);
    return finished(reader);
  }
  return false;
}

bool decode_offset_value(std::span<const uint8_t> bytes, OffsetValue& out) {
  protocol::Reader reader(bytes.data(), bytes.size());
  const int16_t version = reader.read_int16();
  if (version < 0 || version > 4) return false;
  const bool compact = version >= kFirstFlexibleValueVersion;
  out = OffsetValue{};
  out.offset = reader.read_int64();
  if (version >= 3) out.leader_epoch = reader.read_int32();
  out.metadata = reader.read_string(compact);
  out.commit_timestamp_ms = reader.read_int64();
  if (version == 1) out.expire_timestamp_ms = reader.read_int64();
  if (compact) skip_tagged_fields(reader);
  return finished(reader);
}

bool decode_group_value(std::span<const uint8_t> bytes, GroupValue& out) {
  protocol::Reader reader(bytes.data(), bytes.size());
  const int16_t version = reader.read_int16();
  if (version < 0 || version > 4) return false;
  const bool compact = version >= kFirstFlexibleValueVersion;
  out = GroupValue{};
  out.protocol_type = reader.read_string(compact);
  out.generation = reader.read_int32();
  out.protocol = reader.read_nullable_string(compact);
  out.leader = reader.read_nullable_string(compact);
  if (version >= 2) out.current_state_timestamp_ms = reader.read_int64();
  // Each member takes at least a few bytes, so the count is bounded by the input size.
  const int32_t count = reader.read_array_length(compact, false, 4);
  for (int32_t i = 0; i < count && reader.ok(); ++i) {
    MemberValue member;
    if (!decode_member(reader, version, member)) return false;
    out.members.push_back(std::move(member));
  }
  if (compact) skip_tagged_fields(reader);
  return finished(reader);
}

}  // namespace eddy::group
