// The one list of implemented APIs. Adding an API = one file in handlers/ plus a line here.

#include "broker/dispatch/handler_registry.h"
#include "broker/handlers/alter_configs.h"
#include "broker/handlers/api_versions.h"
#include "broker/handlers/create_partitions.h"
#include "broker/handlers/create_topics.h"
#include "broker/handlers/delete_groups.h"
#include "broker/handlers/delete_records.h"
#include "broker/handlers/delete_topics.h"
#include "broker/handlers/describe_cluster.h"
#include "broker/handlers/describe_configs.h"
#include "broker/handlers/describe_groups.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/find_coordinator.h"
#include "broker/handlers/heartbeat.h"
#include "broker/handlers/incremental_alter_configs.h"
#include "broker/handlers/join_group.h"
#include "broker/handlers/leave_group.h"
#include "broker/handlers/list_groups.h"
#include "broker/handlers/list_offsets.h"
#include "broker/handlers/metadata.h"
#include "broker/handlers/offset_commit.h"
#include "broker/handlers/offset_delete.h"
#include "broker/handlers/offset_fetch.h"
#include "broker/handlers/offset_for_leader_epoch.h"
#include "broker/handlers/produce.h"
#include "broker/handlers/sync_group.h"

namespace eddy::broker {

const HandlerRegistry& default_registry() {
  static const HandlerSpec kSpecs[] = {
      alter_configs_handler(),
      api_versions_handler(),
      create_partitions_handler(),
      create_topics_handler(),
      delete_topics_handler(),
      describe_cluster_handler(),
      describe_configs_handler(),
      incremental_alter_configs_handler(),
      delete_records_handler(),
      fetch_handler(),
      list_offsets_handler(),
      metadata_handler(),
      offset_for_leader_epoch_handler(),
      produce_handler(),
      delete_groups_handler(),
      describe_groups_handler(),
      find_coordinator_handler(),
      heartbeat_handler(),
      join_group_handler(),
      leave_group_handler(),
      list_groups_handler(),
      offset_commit_handler(),
      offset_delete_handler(),
      offset_fetch_handler(),
      sync_group_handler(),
  };
  static const HandlerRegistry registry(kSpecs);
  return registry;
}

}  // namespace eddy::broker
