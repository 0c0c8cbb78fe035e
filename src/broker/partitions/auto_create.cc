#include "broker/partitions/auto_create.h"

#include <set>

#include "broker/await/await_callback.h"
#include "broker/errors/kafka_errors.h"
#include "common/log.h"
#include "metadata/controller.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

ErrorCode precheck(const config::ServerConfig& config, const metadata::MetadataImage& image,
                   const std::string& name, size_t creations) {
  if (!metadata::validate_topic_name(name).ok()) return ErrorCode::kInvalidTopicException;
  if (image.topic(name) != nullptr) return ErrorCode::kNone;
  if (!config.auto_create_topics_enable || metadata::is_internal_topic(name) ||
      creations >= kMaxAutoCreateTopics) {
    return ErrorCode::kUnknownTopicOrPartition;
  }
  return ErrorCode::kNone;
}

}  // namespace

asio::awaitable<std::vector<AutoCreateResult>> auto_create_topics(
    const config::ServerConfig& config, metadata::MetadataStore& store,
    std::vector<std::string> names) {
  const auto image = store.current();
  std::vector<AutoCreateResult> results;
  std::vector<metadata::CreateTopicSpec> specs;
  std::vector<size_t> spec_result_index;
  std::set<std::string> queued;  // a name listed twice is created once
  for (std::string& name : names) {
    const ErrorCode error = precheck(config, *image, name, specs.size());
    const bool create =
        error == ErrorCode::kNone && image->topic(name) == nullptr && queued.insert(name).second;
    if (create) {
      spec_result_index.push_back(results.size());
      specs.push_back({name, -1, -1, {}});
    }
    results.push_back({std::move(name), error});
  }
  if (specs.empty()) co_return results;
  auto created = co_await await_callback<std::vector<metadata::TopicResult>>(
      [&](auto done) { store.create_topics(std::move(specs), false, std::move(done)); });
  for (size_t i = 0; i < created.size() && i < spec_result_index.size(); ++i) {
    const metadata::Status& status = created[i].status;
    // A concurrent request created it first: it exists, which is all the caller wants.
    if (status.ok() || status.code == metadata::Error::kTopicExists) continue;
    spdlog::warn("auto-creating topic '{}' failed: {}", created[i].name,
                 status.message.value_or(""));
    results[spec_result_index[i]].error = kafka_error(status.code);
  }
  for (const auto& result : created) {
    if (result.status.ok()) {
      spdlog::info("auto-created topic '{}' with {} partition(s)", result.name,
                   result.num_partitions);
    }
  }
  co_return results;
}

}  // namespace eddy::broker
