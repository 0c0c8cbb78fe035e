#pragma once

// The broker: the services request handlers use (configuration, metadata, and later the
// storage, group and transaction coordinators) and the dispatch of request frames to them.

#include "broker/dispatch/handler_registry.h"
#include "broker/fetch/fetch_sessions.h"
#include "broker/fetch/fetch_waiters.h"
#include "config/server_config.h"
#include "group/coordinator.h"
#include "metadata/store.h"
#include "net/request_handler.h"
#include "storage/log_manager.h"

namespace eddy::broker {

class Broker final : public net::RequestHandler {
 public:
  Broker(const config::ServerConfig& config, metadata::MetadataStore& metadata,
         storage::LogManager& logs, group::GroupCoordinator& groups,
         const HandlerRegistry& registry);

  // net::RequestHandler: parses the request header, routes to the API's handler and frames
  // the response (see dispatch.cc).
  asio::awaitable<net::Response> handle(const net::ConnectionInfo& connection,
                                        net::RequestFrame frame) override;

  const config::ServerConfig& config() const { return config_; }
  metadata::MetadataStore& metadata() { return metadata_; }
  storage::LogManager& logs() { return logs_; }
  group::GroupCoordinator& groups() { return groups_; }
  FetchWaiters& fetch_waiters() { return fetch_waiters_; }
  FetchSessionCache& fetch_sessions() { return fetch_sessions_; }
  const HandlerRegistry& registry() const { return registry_; }

 private:
  const config::ServerConfig& config_;
  metadata::MetadataStore& metadata_;
  storage::LogManager& logs_;
  group::GroupCoordinator& groups_;
  const HandlerRegistry& registry_;
  FetchWaiters fetch_waiters_;
  FetchSessionCache fetch_sessions_;
};

}  // namespace eddy::broker
