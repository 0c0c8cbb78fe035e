#pragma once

// Growth policy shared by the streaming decompressors: the output vector grows geometrically
// up to one byte past the caller's limit. Filling that spare byte proves the output is too
// large without ever holding more than max_bytes + 1 bytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace eddy::compression::detail {

inline constexpr size_t kMinGrowthBytes = 64 * 1024;

class BoundedOutput {
 public:
  BoundedOutput(std::vector<uint8_t>& out, size_t max_bytes)
      : out_(out), max_bytes_(max_bytes), capacity_limit_(max_bytes + (max_bytes < SIZE_MAX)) {
    out_.clear();
  }

  // Enlarges the writable area; false once it already spans the limit plus the spare byte.
  bool grow(size_t hint_bytes = 0) {
    if (out_.size() >= capacity_limit_) return false;
    size_t target = std::max({hint_bytes, out_.size() * 2, kMinGrowthBytes});
    out_.resize(std::min(target, capacity_limit_));
    return true;
  }

  uint8_t* at(size_t used) { return out_.data() + used; }
  size_t free_after(size_t used) const { return out_.size() - used; }

  // Trims to the bytes produced; false if they exceed the limit.
  bool finish(size_t used) {
    out_.resize(used);
    return used <= max_bytes_;
  }

 private:
  std::vector<uint8_t>& out_;
  size_t max_bytes_;
  size_t capacity_limit_;
};

}  // namespace eddy::compression::detail
