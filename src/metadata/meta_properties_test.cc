#include "metadata/meta_properties.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config/properties.h"

namespace eddy::metadata {
namespace {

namespace fs = std::filesystem;

class MetadataPropertiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("eddy-meta-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string dir(const std::string& name) { return (root_ / name).string(); }
  std::map<std::string, std::string> read(const std::string& d) {
    std::ifstream in(fs::path(d) / kMetaPropertiesFile);
    std::stringstream text;
    text << in.rdbuf();
    config::Properties properties;
    config::ParseError error;
    EXPECT_TRUE(config::parse_properties(text.str(), properties, error)) << error.message;
    return {properties.begin(), properties.end()};
  }
  fs::path root_;
};

TEST_F(MetadataPropertiesTest, GeneratedIdsLookLikeKafkas) {
  std::string id = generate_kafka_id();
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(id, generate_kafka_id());
}

TEST_F(MetadataPropertiesTest, FormatsEveryDirThenChecks) {
  auto first = format_or_check_log_dirs({dir("a"), dir("b")}, 3);
  ASSERT_TRUE(first.ok()) << first.error;
  auto a = read(dir("a"));
  auto b = read(dir("b"));
  EXPECT_EQ(a["version"], "1");
  EXPECT_EQ(a["node.id"], "3");
  EXPECT_EQ(a["cluster.id"], first.cluster_id);
  EXPECT_EQ(b["cluster.id"], first.cluster_id);
  EXPECT_NE(a["directory.id"], b["directory.id"]);

  auto second = format_or_check_log_dirs({dir("a"), dir("b"), dir("c")}, 3);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(second.cluster_id, first.cluster_id);
  EXPECT_EQ(read(dir("c"))["cluster.id"], first.cluster_id);
  EXPECT_EQ(read(dir("a"))["directory.id"], a["directory.id"]);
}

TEST_F(MetadataPropertiesTest, RefusesMismatches) {
  ASSERT_TRUE(format_or_check_log_dirs({dir("a")}, 1).ok());
  auto wrong_node = format_or_check_log_dirs({dir("a")}, 2);
  EXPECT_FALSE(wrong_node.ok());
  EXPECT_TRUE(wrong_node.cluster_id.empty());
  ASSERT_TRUE(format_or_check_log_dirs({dir("b")}, 1).ok());
  EXPECT_FALSE(format_or_check_log_dirs({dir("a"), dir("b")}, 1).ok());  // two clusters
}

TEST_F(MetadataPropertiesTest, RefusesGarbage) {
  fs::create_directories(dir("g"));
  std::ofstream(fs::path(dir("g")) / kMetaPropertiesFile) << "\x01\x02 nonsense\nversion=7\n";
  EXPECT_FALSE(format_or_check_log_dirs({dir("g")}, 1).ok());
}

TEST_F(MetadataPropertiesTest, ParsesKafkaWrittenFile) {
  config::Properties properties;
  config::ParseError error;
  ASSERT_TRUE(config::parse_properties(
      "#\n#Thu Jan 01 00:00:00 UTC 2024\nnode.id=1\ndirectory.id=AbCd\nversion=1\n"
      "cluster.id = MkU3OEVBNTcwNTJENDM2Qk\n",
      properties, error));
  EXPECT_EQ(properties["cluster.id"], "MkU3OEVBNTcwNTJENDM2Qk");
  EXPECT_EQ(properties["node.id"], "1");
  EXPECT_EQ(properties.size(), 4u);
}

}  // namespace
}  // namespace eddy::metadata
