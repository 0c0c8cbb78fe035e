#pragma once

// What a handler knows about the request it serves: the header fields, the connection it came
// in on, and the broker's services.

#include <cstdint>
#include <optional>
#include <string>

#include "net/request_handler.h"

namespace eddy::broker {

class Broker;

struct RequestContext {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  const net::ConnectionInfo& connection;
  Broker& broker;
  // Set by a handler whose request expects no response (Produce with acks=0).
  bool suppress_response = false;
};

}  // namespace eddy::broker
