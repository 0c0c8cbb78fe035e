#include "broker/handlers/offset_commit.h"

#include <map>

#include "broker/await_callback.h"
#include "broker/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/offset_commit_request.h"
#include "protocol/generated/offset_commit_response.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;

bool partition_exists(const metadata::MetadataImage& image, const std::string& topic,
                      int32_t partition) {
  const metadata::TopicImage* found = image.topic(topic);
  return found != nullptr && partition >= 0 &&
         partition < static_cast<int32_t>(found->partitions.size());
}

// Only partitions that exist reach the coordinator, as Kafka commits nothing for others.
OffsetCommitRequest known_partitions(const metadata::MetadataImage& image,
                                     const OffsetCommitRequest& request) {
  OffsetCommitRequest known = request;
  for (auto& topic : known.topics) {
    std::erase_if(topic.partitions, [&](const auto& partition) {
      return !partition_exists(image, topic.name, partition.partition_index);
    });
  }
  std::erase_if(known.topics, [](const auto& topic) { return topic.partitions.empty(); });
  return known;
}

asio::awaitable<OffsetCommitResponse> handle(RequestContext& context,
                                             OffsetCommitRequest& request) {
  const auto image = context.broker.metadata().current();
  OffsetCommitRequest known = known_partitions(*image, request);
  const int16_t version = context.api_version;
  OffsetCommitResponse committed;
  if (!known.topics.empty() || request.topics.empty()) {
    committed = co_await await_callback<OffsetCommitResponse>([&](auto done) {
      context.broker.groups().commit(std::move(known), version, std::move(done));
    });
  }
  std::map<std::pair<std::string, int32_t>, int16_t> codes;
  for (const auto& topic : committed.topics) {
    for (const auto& partition : topic.partitions) {
      codes[{topic.name, partition.partition_index}] = partition.error_code;
    }
  }
  OffsetCommitResponse response;
  for (const auto& topic : request.topics) {
    OffsetCommitResponse::OffsetCommitResponseTopic out;
    out.name = topic.name;
    for (const auto& partition : topic.partitions) {
      const auto found = codes.find({topic.name, partition.partition_index});
      const int16_t code = found != codes.end()
                               ? found->second
                               : protocol::to_int(ErrorCode::kUnknownTopicOrPartition);
      out.partitions.push_back({partition.partition_index, code, {}});
    }
    response.topics.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace

HandlerSpec offset_commit_handler() {
  return make_handler_spec<OffsetCommitRequest, OffsetCommitResponse, &handle>(2, 9);
}

}  // namespace eddy::broker
