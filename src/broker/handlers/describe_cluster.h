#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// DescribeCluster 0-1: brokers (the endpoints of the listener the request came in on),
// cluster id, controller id, cluster authorized operations; v1 endpoint_type (brokers only).
HandlerSpec describe_cluster_handler();

}  // namespace eddy::broker
