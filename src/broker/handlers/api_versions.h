#pragma once

#include "broker/dispatch/handler.h"
#include "broker/dispatch/handler_registry.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_versions_response.h"

namespace eddy::broker {

// ApiVersions 0-4: the version range of every registered handler.
HandlerSpec api_versions_handler();

// The response body listing `registry`; also used for the v0 fallback on an unsupported
// ApiVersions version.
protocol::ApiVersionsResponse api_versions_body(const HandlerRegistry& registry,
                                                protocol::ErrorCode error);

}  // namespace eddy::broker
