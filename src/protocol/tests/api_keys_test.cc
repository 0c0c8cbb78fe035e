#include "protocol/generated/api_keys.h"

#include <string_view>

#include <gtest/gtest.h>

namespace eddy::protocol {
namespace {

TEST(ApiKeys, TableIsCompleteAndOrdered) {
  EXPECT_EQ(all_apis().size(), 88u);
  for (size_t i = 1; i < all_apis().size(); ++i) {
    EXPECT_LT(all_apis()[i - 1].key, all_apis()[i].key);
  }
  const ApiInfo* api_versions = find_api(18);
  ASSERT_NE(api_versions, nullptr);
  EXPECT_EQ(std::string_view(api_versions->name), "ApiVersions");
  EXPECT_EQ(api_versions->max_version, 4);
  EXPECT_EQ(api_versions->first_flexible_version, 3);
  EXPECT_EQ(find_api(-5), nullptr);
  EXPECT_EQ(find_api(10000), nullptr);
  EXPECT_EQ(static_cast<int16_t>(ApiKey::kMetadata), 3);
}

TEST(ApiKeys, HeaderVersionsFollowKafka) {
  EXPECT_EQ(request_header_version(18, 3), 2);
  EXPECT_EQ(response_header_version(18, 3), 0);  // ApiVersions responses always use v0
  EXPECT_EQ(request_header_version(3, 8), 1);
  EXPECT_EQ(request_header_version(3, 9), 2);
  EXPECT_EQ(response_header_version(3, 8), 0);
  EXPECT_EQ(response_header_version(3, 9), 1);
  EXPECT_EQ(request_header_version(7, 0), 0);  // ControlledShutdown v0
  EXPECT_EQ(request_header_version(7, 1), 1);
  EXPECT_EQ(request_header_version(0, 9), 2);
  EXPECT_EQ(response_header_version(0, 8), 0);
}

}  // namespace
}  // namespace eddy::protocol
