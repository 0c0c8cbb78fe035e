#include "broker/produce/policy.h"

namespace eddy::broker {

ProducePolicy produce_policy_for(const config::TopicConfig& config) {
  ProducePolicy policy;
  policy.compacted = config.compact;
  policy.log_append_time = config.log_append_time;
  policy.timestamp_before_max_ms = config.timestamp_before_max_ms;
  policy.timestamp_after_max_ms = config.timestamp_after_max_ms;
  policy.recompress_to = config.recompress_to;
  return policy;
}

}  // namespace eddy::broker
