#include "protocol/records.h"

#include <cstring>
#include <utility>

namespace eddy::protocol {

Records Records::from_memory(const uint8_t* data, size_t size_bytes,
                             std::shared_ptr<const void> keep_alive) {
  Records records;
  records.data = data;
  records.size_bytes = size_bytes;
  records.keep_alive = std::move(keep_alive);
  return records;
}

Records Records::from_file(const FileRange& range, std::shared_ptr<const void> keep_alive) {
  Records records;
  records.fd = range.fd;
  records.file_offset = range.offset;
  records.size_bytes = range.size_bytes;
  records.keep_alive = std::move(keep_alive);
  return records;
}

Records Records::null() {
  Records records;
  records.is_null = true;
  return records;
}

OutputRange Records::output() const {
  if (is_file()) return OutputRange::from_file(FileRange{fd, file_offset, size_bytes});
  return OutputRange::memory(data, size_bytes);
}

bool Records::operator==(const Records& other) const {
  if (is_null != other.is_null) return false;
  if (is_null) return true;
  if (size_bytes != other.size_bytes || is_file() != other.is_file()) return false;
  if (is_file()) return fd == other.fd && file_offset == other.file_offset;
  return size_bytes == 0 || std::memcmp(data, other.data, size_bytes) == 0;
}

}  // namespace eddy::protocol
