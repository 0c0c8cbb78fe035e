#include "config/properties.h"

#include <gtest/gtest.h>

namespace eddy::config {
namespace {

Properties parse_ok(std::string_view text) {
  Properties props;
  ParseError error;
  EXPECT_TRUE(parse_properties(text, props, error)) << error.message;
  return props;
}

TEST(Properties, SeparatorsAndComments) {
  const auto props = parse_ok(
      "# comment\n! also comment\n a=1\nb : 2\nc 3\n\nd=\ne=x=y\n  f\t=\t  spaced value \n");
  EXPECT_EQ(props.at("a"), "1");
  EXPECT_EQ(props.at("b"), "2");
  EXPECT_EQ(props.at("c"), "3");
  EXPECT_EQ(props.at("d"), "");
  EXPECT_EQ(props.at("e"), "x=y");
  EXPECT_EQ(props.at("f"), "spaced value ");
  EXPECT_EQ(props.size(), 6u);
}

TEST(Properties, ContinuationLinesAndEscapes) {
  const auto props =
      parse_ok("listeners=PLAINTEXT://a:1,\\\n    SSL://b:2\nk\\=ey=v\\tal\\u00e9\n");
  EXPECT_EQ(props.at("listeners"), "PLAINTEXT://a:1,SSL://b:2");
  EXPECT_EQ(props.at("k=ey"), "v\tal\xc3\xa9");
}

TEST(Properties, LaterKeyWinsAndCrlf) {
  const auto props = parse_ok("a=1\r\na=2\r\n");
  EXPECT_EQ(props.at("a"), "2");
}

TEST(Properties, MalformedUnicodeEscapeIsAnError) {
  Properties props;
  ParseError error;
  EXPECT_FALSE(parse_properties("ok=1\nbad=\\u12\n", props, error));
  EXPECT_EQ(error.line_number, 2);
}

TEST(Properties, MissingFileIsAnError) {
  Properties props;
  ParseError error;
  EXPECT_FALSE(load_properties_file("/nonexistent/server.properties", props, error));
  EXPECT_NE(error.message.find("/nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace eddy::config
