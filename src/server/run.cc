#include "server/run.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <future>
#include <memory>
#include <system_error>

#include <sys/resource.h>

#include "broker/dispatch/broker.h"
#include "common/log.h"
#include "config/server_config.h"
#include "group/config.h"
#include "group/coordinator.h"
#include "metadata/meta_properties.h"
#include "metadata/store.h"
#include "net/server.h"
#include "reconcile/partition_sync.h"
#include "reconcile/resolve.h"

namespace eddy::server {
namespace {

bool load_config(const Options& options, config::ServerConfig& config) {
  config::Properties file;
  config::ParseError parse_error;
  if (!options.config_path.empty() &&
      !config::load_properties_file(options.config_path, file, parse_error)) {
    spdlog::error("config {}: line {}: {}", options.config_path, parse_error.line_number,
                  parse_error.message);
    return false;
  }
  config::Properties overrides;
  for (const auto& entry : options.overrides) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) {
      spdlog::error("--override expects key=value, got '{}'", entry);
      return false;
    }
    overrides[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  std::string error;
  if (!config::build_server_config(file, overrides, config, error)) {
    spdlog::error("invalid configuration: {}", error);
    return false;
  }
  return true;
}

void log_config(const config::ServerConfig& config) {
  spdlog::info("eddy starting with node.id={}", config.node_id);
  for (const auto& [key, value] : config.effective) spdlog::debug("  {} = {}", key, value);
}

metadata::RegisterBrokerRecord registration(const config::ServerConfig& config,
                                            const net::Server& server) {
  metadata::RegisterBrokerRecord record;
  record.node_id = config.node_id;
  for (size_t i = 0; i < config.advertised_listeners.size(); ++i) {
    const auto& advertised = config.advertised_listeners[i];
    // A listener configured with port 0 advertises the port it actually bound.
    const bool ephemeral = advertised.port == 0 && i < config.listeners.size();
    record.listeners.push_back(
        {advertised.name, advertised.host, ephemeral ? server.bound_port(i) : advertised.port});
  }
  return record;
}

bool register_self(metadata::MetadataStore& store, metadata::RegisterBrokerRecord record) {
  std::promise<metadata::Status> done;
  store.register_broker(std::move(record),
                        [&done](metadata::Status status) { done.set_value(std::move(status)); });
  const metadata::Status status = done.get_future().get();
  if (!status.ok()) spdlog::error("broker registration failed: {}", status.message.value_or(""));
  return status.ok();
}

// Loads every partition log (recovering after a crash) with its topic's configs, and starts
// the background flusher and retention threads.
bool open_logs(const config::ServerConfig& config, const metadata::MetadataStore& store,
               storage::LogManager& logs) {
  const auto image = store.current();
  const auto error = logs.open_all([&config, &image](const std::string& topic) {
    const metadata::TopicImage* known = image->topic(topic);
    return reconcile::topic_config_for(config, *image,
                                       known != nullptr ? known->configs : metadata::ConfigMap{});
  });
  if (error != storage::Error::kNone) {
    spdlog::error("cannot open partition logs: {}", storage::to_string(error));
    return false;
  }
  spdlog::info("opened {} partition logs ({} shutdown)", logs.partitions().size(),
               logs.opened_clean() ? "after a clean" : "after an unclean");
  logs.start();
  return true;
}

// A broker holds a descriptor per connection and per open segment: the soft limit (often
// 1024) goes up to the hard one, as Kafka's packaging asks administrators to do by hand.
void raise_open_files_limit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("getrlimit(RLIMIT_NOFILE): {}", std::strerror(errno));
    return;
  }
  const rlim_t soft = limit.rlim_cur;
  if (soft < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      spdlog::warn("cannot raise the open files limit to {}: {}", limit.rlim_max,
                   std::strerror(errno));
      limit.rlim_cur = soft;
    }
  }
  spdlog::info("open files limit: soft {} (was {}), hard {}", limit.rlim_cur, soft, limit.rlim_max);
}

// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask), so that only
// wait_for_stop_signal() receives them.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int wait_for_stop_signal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

}  // namespace

int run(const Options& options) {
  config::ServerConfig config;
  if (!load_config(options, config)) return 2;
  log::set_level(config.log_level);
  log_config(config);
  raise_open_files_limit();
  const sigset_t stop_signals = block_stop_signals();

  std::vector<std::string> dirs = config.log_dirs;
  if (std::find(dirs.begin(), dirs.end(), config.metadata_log_dir) == dirs.end()) {
    dirs.push_back(config.metadata_log_dir);
  }
  const auto formatted = metadata::format_or_check_log_dirs(dirs, config.node_id);
  if (!formatted.ok()) {
    spdlog::error("log dirs: {}", formatted.error);
    return 1;
  }
  metadata::MetadataOptions metadata_options;
  metadata_options.log_dir = config.metadata_log_dir;
  metadata_options.node_id = config.node_id;
  metadata_options.cluster_id = formatted.cluster_id;
  metadata_options.default_num_partitions = config.num_partitions;
  metadata_options.default_replication_factor = config.default_replication_factor;
  std::string error;
  auto store = metadata::MetadataStore::open(metadata_options, &error);
  if (!store) {
    spdlog::error("metadata log: {}", error);
    return 1;
  }

  storage::LogManagerConfig storage_config;
  storage_config.log_dirs.assign(config.log_dirs.begin(), config.log_dirs.end());
  storage_config.default_config = reconcile::topic_config_for(config, *store->current(), {});
  storage_config.retention_check_interval_ms = config.log_retention_check_interval_ms;
  storage_config.flush_offset_checkpoint_interval_ms =
      config.log_flush_offset_checkpoint_interval_ms;
  storage_config.background_sync_interval_ms = config.log_sync_interval_ms;
  storage_config.cleaner_enable = config.log_cleaner_enable;
  storage_config.cleaner_backoff_ms = config.log_cleaner_backoff_ms;
  storage_config.cleaner.dedupe_buffer_bytes = config.log_cleaner_dedupe_buffer_size;
  storage_config.max_open_segments = config.log_max_open_segments;
  storage::LogManager logs(storage_config);
  if (!open_logs(config, *store, logs)) {
    store->shutdown();
    return 1;
  }
  reconcile::PartitionSync sync(config, logs);
  store->set_listener(
      [&sync](const metadata::MetadataImage& old_image, const metadata::MetadataImage& new_image) {
        sync.apply(old_image, new_image);
      });
  sync.reconcile(*store->current());

  const group::GroupConfig group_config(config);
  // Loads __consumer_offsets on its own thread (group requests get COORDINATOR_LOAD_IN_PROGRESS
  // meanwhile).
  group::GroupCoordinator groups(group_config, logs, *store);
  groups.start();

  broker::Broker broker(config, *store, logs, groups, broker::default_registry());
  net::ConnectionLimits limits;
  limits.max_request_bytes = config.socket_request_max_bytes;
  limits.max_inflight_requests = config.queued_max_requests;
  limits.max_inflight_bytes = config.socket_request_max_bytes;
  limits.idle_timeout = std::chrono::milliseconds(config.connections_max_idle_ms);
  std::unique_ptr<net::Server> server_owner;
  std::vector<net::ListenerSpec> listeners;
  for (const auto& listener : config.listeners) {
    listeners.push_back({listener.name, listener.host, listener.port});
  }
  try {
    // Event loops create their epoll, eventfd and timerfd descriptors here; without
    // descriptors (EMFILE) the broker stops cleanly, its data dir intact, rather than aborting.
    server_owner = std::make_unique<net::Server>(config.num_network_threads, limits, broker);
    if (!server_owner->bind(listeners, error)) {
      spdlog::error("{}", error);
      server_owner.reset();
    }
  } catch (const std::system_error& failure) {
    spdlog::error("cannot start the network server: {}", failure.what());
    server_owner.reset();
  }
  if (server_owner == nullptr) {
    groups.stop();
    store->shutdown();
    return 1;
  }
  net::Server& server = *server_owner;
  // Register before serving, so that no client ever sees a cluster without this broker.
  if (!register_self(*store, registration(config, server))) {
    server.stop();
    store->shutdown();
    return 1;
  }
  server.start();
  spdlog::info("eddy started: cluster.id={} node.id={} with {} event loops", formatted.cluster_id,
               config.node_id, server.loop_count());

  const int signal_number = wait_for_stop_signal(stop_signals);
  spdlog::info("received {}, shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  groups.stop();  // parked JoinGroup/SyncGroup answers leave while the loops still run
  server.stop();
  store->shutdown();
  logs.shutdown();  // flushes, writes checkpoints and the clean-shutdown marker
  spdlog::info("eddy stopped cleanly");
  return 0;
}

}  // namespace eddy::server
