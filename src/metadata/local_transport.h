#pragma once

// A raft_uv_transport with no peers, for the single-voter metadata log. libraft's TCP
// transport would open a listening port nobody needs; this one never accepts and fails
// every connect. Cluster mode swaps in a real transport; nothing else changes.

#include "metadata/raft_c.h"

namespace eddy::metadata {

// Fills `transport` with the no-peer implementation. It owns no resources.
void init_local_transport(struct raft_uv_transport& transport);

}  // namespace eddy::metadata
