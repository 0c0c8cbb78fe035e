// Request dispatch: frame -> header -> handler -> response frame. Kafka's rules for requests it
// cannot serve: an unknown API key, or a version outside the implemented range, closes the
// connection — except ApiVersions, which answers UNSUPPORTED_VERSION in a v0 body listing the
// supported versions, so that a client can fall back (librdkafka and kafkajs rely on it).

#include <memory>

#include <fmt/format.h>

#include "broker/dispatch/broker.h"
#include "broker/handlers/api_versions.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_keys.h"
#include "protocol/generated/request_header.h"
#include "protocol/generated/response_header.h"

namespace eddy::broker {
namespace {

net::Response close_connection(std::string reason) {
  net::Response response;
  response.send = false;
  response.close_after = true;
  response.close_reason = std::move(reason);
  return response;
}

// Starts a response frame: size placeholder and the response header.
void begin_response(protocol::Writer& out, int32_t correlation_id, int16_t header_version) {
  out.write_int32(0);
  protocol::ResponseHeader header;
  header.correlation_id = correlation_id;
  header.encode(out, header_version);
}

// Patches the size prefix and hands the frame to the network layer as a chain of ranges that
// the writer owns.
net::Response finish_response(std::shared_ptr<protocol::Writer> frame) {
  frame->patch_int32(0, static_cast<int32_t>(frame->total_size() - 4));
  net::Response response;
  frame->output_ranges(response.ranges);
  response.owner = std::move(frame);
  return response;
}

net::Response unsupported_api_versions(const HandlerRegistry& registry, int32_t correlation_id) {
  auto frame = std::make_shared<protocol::Writer>();
  begin_response(*frame, correlation_id, 0);
  const auto body = api_versions_body(registry, protocol::ErrorCode::kUnsupportedVersion);
  body.encode(*frame, 0);
  return finish_response(std::move(frame));
}

std::string describe(const protocol::RequestHeader& header, const net::ConnectionInfo& from) {
  const protocol::ApiInfo* api = protocol::find_api(header.request_api_key);
  return fmt::format("{} (key {}) v{} from client '{}' at {}", api ? api->name : "unknown API",
                     header.request_api_key, header.request_api_version,
                     header.client_id.value_or(""), from.peer);
}

std::string unsupported_reason(const protocol::ApiInfo* api, int16_t api_version,
                               const HandlerSpec* spec, const net::ConnectionInfo& from) {
  if (spec == nullptr) {
    return fmt::format("unsupported API {} (key {}) from {}: not implemented", api->name, api->key,
                       from.peer);
  }
  return fmt::format("unsupported version v{} of {} (key {}) from {}: implemented v{}-v{}",
                     api_version, api->name, api->key, from.peer, spec->min_version,
                     spec->max_version);
}

}  // namespace

Broker::Broker(const config::ServerConfig& config, metadata::MetadataStore& metadata,
               storage::LogManager& logs, group::GroupCoordinator& groups,
               const HandlerRegistry& registry)
    : config_(config), metadata_(metadata), logs_(logs), groups_(groups), registry_(registry) {}

asio::awaitable<net::Response> Broker::handle(const net::ConnectionInfo& connection,
                                              net::RequestFrame frame) {
  protocol::Reader reader(frame.data(), frame.size());
  const int16_t api_key = reader.read_int16();
  const int16_t api_version = reader.read_int16();
  if (!reader.ok()) co_return close_connection("request shorter than its header");
  const protocol::ApiInfo* api = protocol::find_api(api_key);
  if (api == nullptr) co_return close_connection(fmt::format("unknown API key {}", api_key));

  const HandlerSpec* spec = registry_.find(api_key);
  const bool version_supported =
      spec != nullptr && api_version >= spec->min_version && api_version <= spec->max_version;
  const bool api_versions_fallback =
      !version_supported && api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions);
  if (!version_supported && !api_versions_fallback) {
    co_return close_connection(unsupported_reason(api, api_version, spec, connection));
  }

  protocol::Reader header_reader(frame.data(), frame.size());
  protocol::RequestHeader header;
  if (!header.decode(header_reader, protocol::request_header_version(api_key, api_version))) {
    co_return close_connection(fmt::format("malformed request header for {} (key {}) v{}",
                                           api->name, api_key, api_version));
  }
  if (api_versions_fallback) co_return unsupported_api_versions(registry_, header.correlation_id);

  RequestContext context{api_key,          api_version, header.correlation_id,
                         header.client_id, connection,  *this};
  auto out = std::make_shared<protocol::Writer>();
  begin_response(*out, header.correlation_id,
                 protocol::response_header_version(api_key, api_version));
  const HandlerOutcome outcome = co_await spec->function(context, header_reader, *out);
  if (outcome == HandlerOutcome::kMalformed) {
    co_return close_connection("malformed body in " + describe(header, connection));
  }
  if (context.suppress_response) {
    net::Response response;
    response.send = false;
    co_return response;
  }
  co_return finish_response(std::move(out));
}

}  // namespace eddy::broker
