#pragma once

// A handler serves one Kafka API over a declared version range. The registry is the single
// source of truth for what Eddy implements: ApiVersions advertises exactly its contents.

#include <cstdint>

#include <asio/awaitable.hpp>

#include "broker/dispatch/request_context.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace eddy::broker {

enum class HandlerOutcome {
  kRespond,    // the body was written to the writer
  kMalformed,  // the request body did not decode: close the connection
};

using HandlerFunction = asio::awaitable<HandlerOutcome> (*)(RequestContext& context,
                                                            protocol::Reader& body,
                                                            protocol::Writer& out);

struct HandlerSpec {
  int16_t api_key;
  int16_t min_version;
  int16_t max_version;
  HandlerFunction function;
};

// Adapts a typed handler `asio::awaitable<Response> fn(RequestContext&, Request&)` to a
// HandlerFunction: decode the request, call, encode the response at the request's version.
template <typename Request, typename Response,
          asio::awaitable<Response> (*Function)(RequestContext&, Request&)>
asio::awaitable<HandlerOutcome> typed_handler(RequestContext& context, protocol::Reader& body,
                                              protocol::Writer& out) {
  Request request;
  if (!request.decode(body, context.api_version)) co_return HandlerOutcome::kMalformed;
  Response response = co_await Function(context, request);
  response.encode(out, context.api_version);
  co_return HandlerOutcome::kRespond;
}

// Declares the spec of a typed handler whose version range is [min_version, max_version].
template <typename Request, typename Response,
          asio::awaitable<Response> (*Function)(RequestContext&, Request&)>
constexpr HandlerSpec make_handler_spec(int16_t min_version, int16_t max_version) {
  static_assert(Request::kApiKey == Response::kApiKey);
  return HandlerSpec{Request::kApiKey, min_version, max_version,
                     &typed_handler<Request, Response, Function>};
}

}  // namespace eddy::broker
