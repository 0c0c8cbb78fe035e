#include "broker/handlers/offset_fetch.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/offset_fetch_request.h"
#include "protocol/generated/offset_fetch_response.h"

namespace eddy::broker {
namespace {

using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

constexpr int16_t kFirstTopLevelErrorVersion = 2;
constexpr int16_t kFirstMultiGroupVersion = 8;  // KIP-709

// v1-7 ask for one group; the coordinator answers in the v8+ shape.
group::FetchQuery single_group_query(OffsetFetchRequest& request) {
  group::FetchQuery query;
  query.group_id = std::move(request.group_id);
  if (request.topics) {
    query.topics.emplace();
    for (auto& topic : *request.topics) {
      query.topics->push_back({std::move(topic.name), std::move(topic.partition_indexes), {}});
    }
  }
  return query;
}

std::vector<group::FetchQuery> multi_group_queries(OffsetFetchRequest& request) {
  std::vector<group::FetchQuery> queries;
  for (auto& entry : request.groups)
    queries.push_back({std::move(entry.group_id), std::move(entry.topics)});
  return queries;
}

// Before v2 there is no top-level error: a group-level error goes to every requested partition.
void single_group_response(const group::FetchQuery& query, group::FetchedGroup& group,
                           int16_t version, OffsetFetchResponse& response) {
  const bool partition_errors = version < kFirstTopLevelErrorVersion && group.error_code != 0;
  if (partition_errors && query.topics) {
    group.topics.clear();
    for (const auto& topic : *query.topics) {
      group.topics.push_back({topic.name, {}, {}});
      for (int32_t index : topic.partition_indexes) {
        OffsetFetchResponse::OffsetFetchResponsePartitions entry;
        entry.partition_index = index;
        entry.committed_offset = -1;
        entry.error_code = group.error_code;
        group.topics.back().partitions.push_back(std::move(entry));
      }
    }
  }
  response.error_code = group.error_code;
  for (auto& topic : group.topics) {
    OffsetFetchResponse::OffsetFetchResponseTopic out;
    out.name = std::move(topic.name);
    for (auto& partition : topic.partitions) {
      out.partitions.push_back({partition.partition_index,
                                partition.committed_offset,
                                partition.committed_leader_epoch,
                                std::move(partition.metadata),
                                partition.error_code,
                                {}});
    }
    response.topics.push_back(std::move(out));
  }
}

asio::awaitable<OffsetFetchResponse> handle(RequestContext& context, OffsetFetchRequest& request) {
  const int16_t version = context.api_version;
  std::vector<group::FetchQuery> queries;
  if (version >= kFirstMultiGroupVersion) {
    queries = multi_group_queries(request);
  } else {
    queries.push_back(single_group_query(request));
  }
  // A copy stays here to shape the v1 answer; the coordinator gets the original.
  const group::FetchQuery first = queries.empty() ? group::FetchQuery{} : queries.front();
  std::vector<group::FetchedGroup> groups =
      co_await await_callback<std::vector<group::FetchedGroup>>(
          [&](auto done) { context.broker.groups().fetch(std::move(queries), std::move(done)); });
  OffsetFetchResponse response;
  if (version >= kFirstMultiGroupVersion) {
    response.groups = std::move(groups);
  } else if (!groups.empty()) {
    single_group_response(first, groups.front(), version, response);
  }
  co_return response;
}

}  // namespace

HandlerSpec offset_fetch_handler() {
  return make_handler_spec<OffsetFetchRequest, OffsetFetchResponse, &handle>(0, 9);
}

}  // namespace eddy::broker
