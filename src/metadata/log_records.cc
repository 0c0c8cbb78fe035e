#include "metadata/log_records.h"

#include <fmt/format.h>

#include "common/assert.h"
#include "metadata/byte_codec.h"

namespace eddy::metadata {
namespace {

constexpr uint8_t kBatchMagic = 0xED;
constexpr uint8_t kBatchFormatVersion = 1;
constexpr size_t kFrameHeaderBytes = 8;  // type u16, version u16, length u32
constexpr uint16_t kRecordVersion = 0;   // every record type is at version 0 today

void write_uuid(ByteWriter& w, const Uuid& id) {
  w.raw(id.bytes.data(), id.bytes.size());
}
bool read_uuid(ByteReader& r, Uuid& id) {
  return r.raw(id.bytes.data(), id.bytes.size());
}

// Payload writers, one per record type.
void write_payload(ByteWriter& w, const RegisterBrokerRecord& rec) {
  w.i32(rec.node_id);
  w.u32(static_cast<uint32_t>(rec.listeners.size()));
  for (const Listener& listener : rec.listeners) {
    w.string(listener.name);
    w.string(listener.host);
    w.i32(listener.port);
  }
  w.nullable_string(rec.rack);
}

void write_payload(ByteWriter& w, const TopicRecord& rec) {
  w.string(rec.name);
  write_uuid(w, rec.topic_id);
}

void write_payload(ByteWriter& w, const PartitionRecord& rec) {
  write_uuid(w, rec.topic_id);
  w.i32(rec.partition_index);
  w.int32_array(rec.replicas);
  w.int32_array(rec.isr);
  w.i32(rec.leader);
  w.i32(rec.leader_epoch);
  w.i32(rec.partition_epoch);
}

void write_payload(ByteWriter& w, const ConfigRecord& rec) {
  w.i8(static_cast<int8_t>(rec.resource_type));
  w.string(rec.resource_name);
  w.string(rec.key);
  w.nullable_string(rec.value);
}

void write_payload(ByteWriter& w, const RemoveTopicRecord& rec) {
  write_uuid(w, rec.topic_id);
}

RecordType type_of(const Record& record) {
  static constexpr RecordType kTypes[] = {RecordType::kRegisterBroker, RecordType::kTopic,
                                          RecordType::kPartition, RecordType::kConfig,
                                          RecordType::kRemoveTopic};
  return kTypes[record.index()];
}

// Payload readers. Each returns false on any truncation or illegal value.
bool read_payload(ByteReader& r, RegisterBrokerRecord& rec) {
  uint32_t count = 0;
  if (!r.i32(rec.node_id) || !r.u32(count)) return false;
  // Each listener takes at least 8 bytes, which bounds the count by the input size.
  if (count > r.remaining() / 8) return false;
  rec.listeners.resize(count);
  for (Listener& listener : rec.listeners) {
    if (!r.string(listener.name) || !r.string(listener.host) || !r.i32(listener.port)) {
      return false;
    }
  }
  return r.nullable_string(rec.rack);
}

bool read_payload(ByteReader& r, TopicRecord& rec) {
  return r.string(rec.name) && read_uuid(r, rec.topic_id);
}

bool read_payload(ByteReader& r, PartitionRecord& rec) {
  return read_uuid(r, rec.topic_id) && r.i32(rec.partition_index) && r.int32_array(rec.replicas) &&
         r.int32_array(rec.isr) && r.i32(rec.leader) && r.i32(rec.leader_epoch) &&
         r.i32(rec.partition_epoch);
}

bool read_payload(ByteReader& r, ConfigRecord& rec) {
  int8_t type = 0;
  if (!r.i8(type)) return false;
  if (type != static_cast<int8_t>(ConfigResourceType::kTopic) &&
      type != static_cast<int8_t>(ConfigResourceType::kBroker)) {
    return false;
  }
  rec.resource_type = static_cast<ConfigResourceType>(type);
  return r.string(rec.resource_name) && r.string(rec.key) && r.nullable_string(rec.value);
}

bool read_payload(ByteReader& r, RemoveTopicRecord& rec) {
  return read_uuid(r, rec.topic_id);
}

template <typename T>
bool read_into(ByteReader& r, Record& out) {
  T rec;
  if (!read_payload(r, rec) || !r.at_end()) return false;
  out = std::move(rec);
  return true;
}

bool read_record(uint16_t type, ByteReader& r, Record& out) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kRegisterBroker:
      return read_into<RegisterBrokerRecord>(r, out);
    case RecordType::kTopic:
      return read_into<TopicRecord>(r, out);
    case RecordType::kPartition:
      return read_into<PartitionRecord>(r, out);
    case RecordType::kConfig:
      return read_into<ConfigRecord>(r, out);
    case RecordType::kRemoveTopic:
      return read_into<RemoveTopicRecord>(r, out);
    default:
      return false;
  }
}

}  // namespace

void encode_record(const Record& record, std::vector<uint8_t>& out) {
  ByteWriter w;
  w.u16(static_cast<uint16_t>(type_of(record)));
  w.u16(kRecordVersion);
  w.u32(0);  // length, patched below
  std::visit([&w](const auto& rec) { write_payload(w, rec); }, record);
  w.patch_u32(4, static_cast<uint32_t>(w.size() - kFrameHeaderBytes));
  out.insert(out.end(), w.bytes().begin(), w.bytes().end());
}

std::vector<uint8_t> encode_batch(const std::vector<Record>& records) {
  ByteWriter header;
  header.u8(kBatchMagic);
  header.u8(kBatchFormatVersion);
  header.u32(static_cast<uint32_t>(records.size()));
  std::vector<uint8_t> out = std::move(header.bytes());
  for (const Record& record : records) encode_record(record, out);
  return out;
}

DecodeResult decode_batch(const uint8_t* data, size_t size_bytes) {
  DecodeResult result;
  ByteReader r(data, size_bytes);
  uint8_t magic = 0;
  uint8_t version = 0;
  uint32_t count = 0;
  if (!r.u8(magic) || !r.u8(version) || !r.u32(count)) {
    result.error = "truncated batch header";
    return result;
  }
  if (magic != kBatchMagic || version != kBatchFormatVersion) {
    result.error = fmt::format("bad batch magic {} or version {}", magic, version);
    return result;
  }
  if (count > r.remaining() / kFrameHeaderBytes) {
    result.error = fmt::format("record count {} exceeds batch size", count);
    return result;
  }
  result.records.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint16_t type = 0;
    uint16_t record_version = 0;
    uint32_t length = 0;
    ByteReader payload(nullptr, 0);
    if (!r.u16(type) || !r.u16(record_version) || !r.u32(length) ||
        !r.sub_reader(length, payload)) {
      result.error = fmt::format("truncated record {}", i);
      return result;
    }
    Record record;
    if (record_version != kRecordVersion || !read_record(type, payload, record)) {
      result.error =
          fmt::format("malformed record {} (type {}, version {})", i, type, record_version);
      return result;
    }
    result.records.push_back(std::move(record));
  }
  if (!r.at_end()) result.error = "trailing bytes after last record";
  return result;
}

}  // namespace eddy::metadata
