#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eddy::protocol {

class Writer;

// A tagged field this build does not know, kept verbatim so that re-encoding a message
// forwards it unchanged.
struct TaggedField {
  uint32_t tag = 0;
  std::vector<uint8_t> data;
  bool operator==(const TaggedField&) const = default;
};

// Writes unknown fields from index `from` on whose tag is below `below_tag`, and returns the
// index of the first one not written. Generated encoders call it before each known tag so
// that the tagged section comes out in ascending tag order, as Kafka writes it.
size_t write_unknown_tagged_fields(Writer& writer, const std::vector<TaggedField>& fields,
                                   size_t from, uint64_t below_tag);

}  // namespace eddy::protocol
