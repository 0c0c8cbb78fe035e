#pragma once

// The metadata state machine: records applied in log order are the only way metadata
// changes. Apply is deterministic (same records -> same image) and never trusts a record:
// one that contradicts the state is skipped with an error, because the log is disk input.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "metadata/image.h"
#include "metadata/log_records.h"

namespace eddy::metadata {

class MetadataStateMachine {
 public:
  MetadataStateMachine() = default;
  explicit MetadataStateMachine(const MetadataImage& image) : image_(image) {}

  // Applies one record to the working image. Returns an error (and changes nothing) when
  // the record does not fit the state, e.g. a partition of an unknown topic.
  Status apply(const Record& record);
  void set_last_applied_index(uint64_t index) { image_.last_applied_index = index; }
  void set_identity(const std::string& cluster_id, int32_t controller_id);

  // The working image. Valid until the next apply.
  const MetadataImage& image() const { return image_; }
  // Freezes the working image into an immutable one shared with readers.
  std::shared_ptr<const MetadataImage> publish();

 private:
  Status apply_record(const RegisterBrokerRecord& rec);
  Status apply_record(const TopicRecord& rec);
  Status apply_record(const PartitionRecord& rec);
  Status apply_record(const ConfigRecord& rec);
  Status apply_record(const RemoveTopicRecord& rec);
  // Returns a topic this machine may modify in place, cloning it first if a published
  // image may still share it.
  TopicImage* writable_topic(Uuid id);  // by value: callers pass ids owned by the old topic

  MetadataImage image_;
  // Topics cloned since the last publish: no reader can see them yet.
  std::unordered_map<Uuid, std::shared_ptr<TopicImage>, UuidHash> writable_;
};

// A snapshot is the whole image as a header plus the records that rebuild it.
std::vector<uint8_t> encode_snapshot(const MetadataImage& image);

struct SnapshotDecodeResult {
  MetadataImage image;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};
SnapshotDecodeResult decode_snapshot(const uint8_t* data, size_t size_bytes);

}  // namespace eddy::metadata
