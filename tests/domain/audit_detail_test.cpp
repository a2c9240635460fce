#include "domain/audit_detail.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace herdpass {
namespace {

TEST(AuditDetailTest, EmptyIsAnEmptyObject) { EXPECT_EQ(AuditDetail().Text(), "{}"); }

TEST(AuditDetailTest, MembersKeepTheOrderTheyAreAddedIn) {
  EXPECT_EQ(AuditDetail().Add("role", "vet").Add("authority", "KZ-ABY").Text(),
            R"({"role":"vet","authority":"KZ-ABY"})");
  EXPECT_EQ(AuditDetail().Add("b", 1).Add("a", 2).Text(), R"({"b":1,"a":2})");
}

TEST(AuditDetailTest, WritesNumbersAndBools) {
  EXPECT_EQ(AuditDetail()
                .Add("int", 42)
                .Add("negative", int64_t{-7})
                .Add("zero", 0)
                .Add("size", size_t{3})
                .Add("max", std::numeric_limits<int64_t>::max())
                .Add("umax", std::numeric_limits<uint64_t>::max())
                .Add("yes", true)
                .Add("no", false)
                .Text(),
            R"({"int":42,"negative":-7,"zero":0,"size":3,"max":9223372036854775807,)"
            R"("umax":18446744073709551615,"yes":true,"no":false})");
}

TEST(AuditDetailTest, AStringLiteralIsAStringNotABool) {
  EXPECT_EQ(AuditDetail().Add("use", "certificate").Text(), R"({"use":"certificate"})");
}

TEST(AuditDetailTest, WritesArraysOfStrings) {
  EXPECT_EQ(AuditDetail()
                .Add("phones", std::vector<std::string>{"+77012345678", "+77017654321"})
                .Add("outside_jurisdiction", true)
                .Text(),
            R"({"phones":["+77012345678","+77017654321"],"outside_jurisdiction":true})");
  EXPECT_EQ(AuditDetail().Add("skipped", std::vector<std::string>{}).Text(), R"({"skipped":[]})");
  EXPECT_EQ(AuditDetail().Add("a", std::vector<std::string>{"x\"y"}).Text(), R"({"a":["x\"y"]})");
}

TEST(AuditDetailTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(AuditDetail().Add("reason", "say \"no\"").Text(), R"({"reason":"say \"no\""})");
  EXPECT_EQ(AuditDetail().Add("path", "a\\b/c").Text(), R"({"path":"a\\b/c"})");
  EXPECT_EQ(AuditDetail().Add("c", "\b\f\n\r\t").Text(), R"({"c":"\b\f\n\r\t"})");
  EXPECT_EQ(AuditDetail().Add("c", std::string_view("\x00\x01\x1f\x7f", 4)).Text(),
            "{\"c\":\"\\u0000\\u0001\\u001f\x7f\"}");
  EXPECT_EQ(AuditDetail().Add("k\"ey", 1).Text(), R"({"k\"ey":1})");
}

TEST(AuditDetailTest, ValuesWithQuotesStayOneValidObject) {
  const std::string text =
      AuditDetail().Add("role", "vet\",\"admin\":\"x").Add("authority", "KZ\"}").Text();
  const auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(parsed.is_object()) << text;
  EXPECT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed.at("role"), "vet\",\"admin\":\"x");
  EXPECT_EQ(parsed.at("authority"), "KZ\"}");
}

TEST(AuditDetailTest, KeepsUtf8AsItIs) {
  EXPECT_EQ(AuditDetail().Add("place", "Алматы 阿拉木图 🐄").Text(),
            "{\"place\":\"Алматы 阿拉木图 🐄\"}");
}

TEST(AuditDetailTest, WritesBytesThatAreNotUtf8AsReplacementCharacters) {
  // A stray continuation byte, a truncated sequence, an overlong '/', a surrogate, and > U+10FFFF.
  EXPECT_EQ(AuditDetail().Add("r", "a\x80z").Text(), "{\"r\":\"a\xEF\xBF\xBDz\"}");
  EXPECT_EQ(AuditDetail().Add("r", "a\xD0").Text(), "{\"r\":\"a\xEF\xBF\xBD\"}");
  EXPECT_EQ(AuditDetail().Add("r", "\xC0\xAF").Text(), "{\"r\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_EQ(AuditDetail().Add("r", "\xED\xA0\x80").Text(),
            "{\"r\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_EQ(AuditDetail().Add("r", "\xF4\x90\x80\x80").Text(),
            "{\"r\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  const auto parsed = nlohmann::json::parse(AuditDetail().Add("r", "\xFF\xFE").Text(), nullptr,
                                            /*allow_exceptions=*/false);
  EXPECT_TRUE(parsed.is_object());
}

// Rows already in the hash chain were written by nlohmann::json's dump(): for valid UTF-8 the
// text must be the same byte for byte, or the same event would be logged differently after the
// change (and the black-box tests that read the audit log would notice).
TEST(AuditDetailTest, SameTextAsNlohmannDumpForEveryAsciiCharacter) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string value = std::string("<") + static_cast<char>(c) + ">";
    const nlohmann::json reference = {{"v", value}};
    EXPECT_EQ(AuditDetail().Add("v", value).Text(), reference.dump()) << "character " << c;
  }
}

TEST(AuditDetailTest, SameTextAsNlohmannDumpForMixedMembers) {
  // nlohmann::json objects sort their keys: added here in that order, the texts must agree.
  const std::vector<std::string> phones{"+77012345678", "tab\there", "quote\""};
  nlohmann::json reference = {{"count", 3},       {"first_id", "018f-ab"},
                              {"head_count", 12}, {"outside_jurisdiction", true},
                              {"phones", phones}, {"place", "Шымкент \\ \"north\""},
                              {"root", false},    {"sequence", int64_t{-1}}};
  const std::string text = AuditDetail()
                               .Add("count", size_t{3})
                               .Add("first_id", "018f-ab")
                               .Add("head_count", 12)
                               .Add("outside_jurisdiction", true)
                               .Add("phones", phones)
                               .Add("place", "Шымкент \\ \"north\"")
                               .Add("root", false)
                               .Add("sequence", int64_t{-1})
                               .Text();
  EXPECT_EQ(text, reference.dump());
}

}  // namespace
}  // namespace herdpass
