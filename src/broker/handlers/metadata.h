#pragma once

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// Metadata 0-12: brokers (the endpoint of the listener the request came in on), cluster id,
// controller id, and topics with their partitions, by name or (v10+) by topic id.
HandlerSpec metadata_handler();

}  // namespace eddy::broker
