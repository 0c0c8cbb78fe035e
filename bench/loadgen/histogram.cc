#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace eddy::bench {

int LatencyHistogram::bucket_of(uint64_t value_us) {
  if (value_us < kLinearBuckets) return static_cast<int>(value_us);
  const int msb = 63 - std::countl_zero(value_us);
  const int shift = std::min(msb - 6, kMaxShift);  // (value >> shift) lands in [64, 128)
  const uint64_t top = std::min<uint64_t>(value_us >> shift, 2 * kHalfBuckets - 1);
  return kLinearBuckets + (shift - 1) * kHalfBuckets + static_cast<int>(top - kHalfBuckets);
}

int64_t LatencyHistogram::upper_bound_of(int bucket) {
  if (bucket < kLinearBuckets) return bucket;
  const int shift = (bucket - kLinearBuckets) / kHalfBuckets + 1;
  const int64_t top = (bucket - kLinearBuckets) % kHalfBuckets + kHalfBuckets;
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record_us(int64_t value_us) {
  const uint64_t value = value_us < 0 ? 0 : static_cast<uint64_t>(value_us);
  ++buckets_[bucket_of(value)];
  ++count_;
  max_us_ = std::max<int64_t>(max_us_, static_cast<int64_t>(value));
}

int64_t LatencyHistogram::percentile_us(double quantile) const {
  if (count_ == 0) return 0;
  const double wanted = std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_));
  const uint64_t target = std::max<uint64_t>(1, static_cast<uint64_t>(wanted));
  uint64_t seen = 0;
  for (int bucket = 0; bucket < kBucketCount; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= target) return std::min(upper_bound_of(bucket), max_us_);
  }
  return max_us_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int bucket = 0; bucket < kBucketCount; ++bucket) buckets_[bucket] += other.buckets_[bucket];
  count_ += other.count_;
  max_us_ = std::max(max_us_, other.max_us_);
}

}  // namespace eddy::bench
