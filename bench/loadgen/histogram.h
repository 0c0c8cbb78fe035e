#pragma once

// A fixed-size log-linear latency histogram (HdrHistogram's bucketing idea, ~1.6% relative
// precision) in microseconds. No allocation after construction, so recording is cheap enough
// for a delivery-report callback.

#include <array>
#include <cstdint>

namespace eddy::bench {

class LatencyHistogram {
 public:
  void record_us(int64_t value_us);
  // The smallest recorded-bucket upper bound covering `quantile` (0..1) of the values; 0 when
  // empty. Never above max_us().
  int64_t percentile_us(double quantile) const;
  int64_t max_us() const { return max_us_; }
  uint64_t count() const { return count_; }
  void merge(const LatencyHistogram& other);

 private:
  static constexpr int kLinearBuckets = 128;  // exact below 128 us
  static constexpr int kHalfBuckets = 64;     // per power of two above that
  static constexpr int kMaxShift = 34;        // covers values up to 2^41 us
  static constexpr int kBucketCount = kLinearBuckets + kMaxShift * kHalfBuckets;

  static int bucket_of(uint64_t value_us);
  static int64_t upper_bound_of(int bucket);

  std::array<uint64_t, kBucketCount> buckets_{};
  uint64_t count_ = 0;
  int64_t max_us_ = 0;
};

}  // namespace eddy::bench
