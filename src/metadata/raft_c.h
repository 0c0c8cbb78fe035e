#pragma once

// libraft's headers have no extern "C" guards. Include them only through this file.
// Note: in C++ the function raft_apply() hides the type, so the request type must always be
// spelled `struct raft_apply` (see RaftApplyRequest).
extern "C" {
#include <raft.h>
#include <raft/uv.h>
}

namespace eddy::metadata {
using RaftApplyRequest = struct raft_apply;
}  // namespace eddy::metadata
