#include "metadata/local_transport.h"

namespace eddy::metadata {
namespace {

int local_init(struct raft_uv_transport*, raft_id, const char*) {
  return 0;
}

int local_listen(struct raft_uv_transport*, raft_uv_accept_cb) {
  return 0;
}

// There is no peer to reach; libraft retries connects on its own timer, so failing
// synchronously is enough.
int local_connect(struct raft_uv_transport*, struct raft_uv_connect*, raft_id, const char*,
                  raft_uv_connect_cb) {
  return RAFT_NOCONNECTION;
}

void local_close(struct raft_uv_transport* transport, raft_uv_transport_close_cb cb) {
  if (cb != nullptr) cb(transport);
}

}  // namespace

void init_local_transport(struct raft_uv_transport& transport) {
  transport = {};
  transport.init = local_init;
  transport.listen = local_listen;
  transport.connect = local_connect;
  transport.close = local_close;
}

}  // namespace eddy::metadata
