#include "broker/handlers/offset_delete.h"

#include <map>

#include "broker/await_callback.h"
#include "broker/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/offset_delete_request.h"
#include "protocol/generated/offset_delete_response.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::OffsetDeleteRequest;
using protocol::OffsetDeleteResponse;

bool partition_exists(const metadata::MetadataImage& image, const std::string& topic,
                      int32_t partition) {
  const metadata::TopicImage* found = image.topic(topic);
  return found != nullptr && partition >= 0 &&
         partition < static_cast<int32_t>(found->partitions.size());
}

asio::awaitable<OffsetDeleteResponse> handle(RequestContext& context,
                                             OffsetDeleteRequest& request) {
  const auto image = context.broker.metadata().current();
  OffsetDeleteRequest known = request;
  for (auto& topic : known.topics) {
    std::erase_if(topic.partitions, [&](const auto& partition) {
      return !partition_exists(*image, topic.name, partition.partition_index);
    });
  }
  OffsetDeleteResponse deleted = co_await await_callback<OffsetDeleteResponse>([&](auto done) {
    context.broker.groups().delete_offsets(std::move(known), std::move(done));
  });
  if (deleted.error_code != 0) co_return deleted;
  std::map<std::pair<std::string, int32_t>, int16_t> codes;
  for (const auto& topic : deleted.topics) {
    for (const auto& partition : topic.partitions) {
      codes[{topic.name, partition.partition_index}] = partition.error_code;
    }
  }
  OffsetDeleteResponse response;
  for (const auto& topic : request.topics) {
    OffsetDeleteResponse::OffsetDeleteResponseTopic out;
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

HandlerSpec offset_delete_handler() {
  return make_handler_spec<OffsetDeleteRequest, OffsetDeleteResponse, &handle>(0, 0);
}

}  // namespace eddy::broker
