#pragma once

// A topic's typed configuration under a metadata image: the image supplies this node's and the
// cluster's dynamic broker configs, the server config the static ones. topic_config_for runs
// when an image changes (PartitionSync) and at start-up, never per request; DescribeConfigs
// and IncrementalAlterConfigs read broker_config_layers so that what they report and check is
// what PartitionSync applies.

#include "config/server_config.h"
#include "config/topic_config.h"
#include "metadata/image.h"

namespace eddy::reconcile {

// The broker-level layers of this node under `image`. Points into `server` and `image`,
// which must outlive it.
config::BrokerConfigLayers broker_config_layers(const config::ServerConfig& server,
                                                const metadata::MetadataImage& image);

config::TopicConfig topic_config_for(const config::ServerConfig& server,
                                     const metadata::MetadataImage& image,
                                     const metadata::ConfigMap& topic_overrides);

}  // namespace eddy::reconcile
