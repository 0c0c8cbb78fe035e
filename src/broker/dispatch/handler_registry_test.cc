// What ApiVersions advertises: every implemented API at every version its schema defines.
// Kafka 4 dropped the old versions (KIP-896); Eddy keeps serving them with Kafka 3.x's
// semantics, so old clients keep working (docs/kafka-differences.md, "Old request versions").

#include "broker/dispatch/handler_registry.h"

#include <gtest/gtest.h>

#include "protocol/generated/api_keys.h"

namespace eddy::broker {
namespace {

TEST(HandlerRegistry, EveryHandlerServesItsSchemasWholeVersionRange) {
  const auto handlers = default_registry().all();
  ASSERT_FALSE(handlers.empty());
  for (const HandlerSpec& handler : handlers) {
    const protocol::ApiInfo* api = protocol::find_api(handler.api_key);
    ASSERT_NE(api, nullptr) << handler.api_key;
    EXPECT_EQ(handler.min_version, api->min_version) << api->name;
    EXPECT_EQ(handler.max_version, api->max_version) << api->name;
  }
}

}  // namespace
}  // namespace eddy::broker
