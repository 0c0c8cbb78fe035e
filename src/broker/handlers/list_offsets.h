#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/handler.h"
#include "broker/led_partition.h"
#include "config/server_config.h"
#include "metadata/image.h"
#include "protocol/error_code.h"
#include "protocol/generated/list_offsets_request.h"
#include "protocol/generated/list_offsets_response.h"
#include "storage/log_manager.h"

namespace eddy::broker {

// ListOffsets 1-10: per partition, the earliest (-2), latest (-1), max-timestamp (-3, v7+),
// earliest-local (-4, v8+) or latest-tiered (-5, v9+) offset, or the first offset whose
// record timestamp is >= the requested one.
HandlerSpec list_offsets_handler();

// The whole ListOffsets answer at `version`; reads storage, never blocks on appends.
protocol::ListOffsetsResponse list_offsets(const PartitionView& view,
                                           const protocol::ListOffsetsRequest& request,
                                           int16_t version);

}  // namespace eddy::broker
