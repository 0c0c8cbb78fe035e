#include "protocol/error_code.h"

#include <gtest/gtest.h>

namespace eddy::protocol {
namespace {

TEST(ErrorCode, NumbersMatchKafka) {
  EXPECT_EQ(to_int(ErrorCode::kUnknownServerError), -1);
  EXPECT_EQ(to_int(ErrorCode::kNone), 0);
  EXPECT_EQ(to_int(ErrorCode::kOffsetOutOfRange), 1);
  EXPECT_EQ(to_int(ErrorCode::kUnknownTopicOrPartition), 3);
  EXPECT_EQ(to_int(ErrorCode::kNotLeaderOrFollower), 6);
  EXPECT_EQ(to_int(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(to_int(ErrorCode::kInvalidRequest), 42);
  EXPECT_EQ(to_int(ErrorCode::kUnknownTopicId), 100);
  EXPECT_EQ(to_int(ErrorCode::kShareSessionLimitReached), kLastKnownErrorCode);
}

TEST(ErrorCode, EveryCodeHasItsKafkaName) {
  EXPECT_EQ(error_code_name(ErrorCode::kNone), "NONE");
  EXPECT_EQ(error_code_name(ErrorCode::kCorruptMessage), "CORRUPT_MESSAGE");
  EXPECT_EQ(error_code_name(ErrorCode::kRebootstrapRequired), "REBOOTSTRAP_REQUIRED");
  for (int code = -1; code <= kLastKnownErrorCode; ++code) {
    EXPECT_NE(error_code_name(static_cast<ErrorCode>(code)), "UNKNOWN") << code;
  }
  EXPECT_EQ(error_code_name(static_cast<ErrorCode>(kLastKnownErrorCode + 1)), "UNKNOWN");
}

}  // namespace
}  // namespace eddy::protocol
