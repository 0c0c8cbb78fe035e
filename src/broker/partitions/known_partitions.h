#pragma once

// For group requests that name partitions (OffsetCommit, OffsetDelete): only partitions that
// exist reach the coordinator, and the answer lists every partition the client named, in its
// order, with UNKNOWN_TOPIC_OR_PARTITION for those filtered out — Kafka's behaviour.
// `Request` and `Response` are generated messages whose `topics` hold `name` and `partitions`
// (with `partition_index`, and `error_code` in responses).

#include <map>
#include <string>
#include <utility>

#include "metadata/image.h"
#include "protocol/error_code.h"

namespace eddy::broker {

template <typename Request>
Request only_known_partitions(const metadata::MetadataImage& image, Request request) {
  for (auto& topic : request.topics) {
    std::erase_if(topic.partitions, [&](const auto& partition) {
      return image.partition(topic.name, partition.partition_index) == nullptr;
    });
  }
  std::erase_if(request.topics, [](const auto& topic) { return topic.partitions.empty(); });
  return request;
}

// `answered` with its topics replaced by one entry per partition of `request`.
template <typename Response, typename Request>
Response in_request_order(const Request& request, Response answered) {
  std::map<std::pair<std::string, int32_t>, int16_t> codes;
  for (const auto& topic : answered.topics) {
    for (const auto& partition : topic.partitions) {
      codes[{topic.name, partition.partition_index}] = partition.error_code;
    }
  }
  answered.topics.clear();
  for (const auto& topic : request.topics) {
    auto& out = answered.topics.emplace_back();
    out.name = topic.name;
    for (const auto& partition : topic.partitions) {
      const auto found = codes.find({topic.name, partition.partition_index});
      auto& entry = out.partitions.emplace_back();
      entry.partition_index = partition.partition_index;
      entry.error_code = found != codes.end()
                             ? found->second
                             : protocol::to_int(protocol::ErrorCode::kUnknownTopicOrPartition);
    }
  }
  return answered;
}

}  // namespace eddy::broker
