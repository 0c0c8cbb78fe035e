#include "broker/handlers/api_versions.h"

#include <algorithm>
#include <string_view>

#include "broker/dispatch/broker.h"
#include "protocol/generated/api_versions_request.h"

namespace eddy::broker {
namespace {

// KIP-511: client software name and version must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
bool valid_software_field(std::string_view text) {
  if (text.empty()) return false;
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(text.front()) || !alnum(text.back())) return false;
  return std::ranges::all_of(text, [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

asio::awaitable<protocol::ApiVersionsResponse> handle(RequestContext& context,
                                                      protocol::ApiVersionsRequest& request) {
  const bool valid =
      context.api_version < 3 || (valid_software_field(request.client_software_name) &&
                                  valid_software_field(request.client_software_version));
  co_return api_versions_body(
      context.broker.registry(),
      valid ? protocol::ErrorCode::kNone : protocol::ErrorCode::kInvalidRequest);
}

}  // namespace

protocol::ApiVersionsResponse api_versions_body(const HandlerRegistry& registry,
                                                protocol::ErrorCode error) {
  protocol::ApiVersionsResponse response;
  response.error_code = protocol::to_int(error);
  for (const auto& spec : registry.all()) {
    protocol::ApiVersionsResponse::ApiVersion entry;
    entry.api_key = spec.api_key;
    entry.min_version = spec.min_version;
    entry.max_version = spec.max_version;
    response.api_keys.push_back(entry);
  }
  return response;
}

HandlerSpec api_versions_handler() {
  return make_handler_spec<protocol::ApiVersionsRequest, protocol::ApiVersionsResponse, &handle>(0,
                                                                                                 4);
}

}  // namespace eddy::broker
