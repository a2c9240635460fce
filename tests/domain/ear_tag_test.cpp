#include "domain/ear_tag.h"

#include <gtest/gtest.h>

#include "tests/domain/status_matchers.h"

namespace herdpass {
namespace {

using ::herdpass::testing::IsInvalidArgument;

const std::vector<EarTagScheme> kIso = {EarTagScheme::kIso11784};
const std::vector<EarTagScheme> kCn = {EarTagScheme::kChina};
const std::vector<EarTagScheme> kBoth = {EarTagScheme::kIso11784, EarTagScheme::kChina};
const std::vector<EarTagScheme> kCnFirst = {EarTagScheme::kChina, EarTagScheme::kIso11784};

TEST(EarTagSchemeTest, NamesRoundTrip) {
  EXPECT_STREQ(EarTagSchemeName(EarTagScheme::kIso11784), "iso11784");
  EXPECT_STREQ(EarTagSchemeName(EarTagScheme::kChina), "cn");
  for (EarTagScheme s : kBoth) {
    auto r = ParseEarTagScheme(EarTagSchemeName(s));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, s);
  }
  EXPECT_TRUE(IsInvalidArgument(ParseEarTagScheme("ISO").status(), "scheme",
                                "must be iso11784 or cn, got \"ISO\""));
  EXPECT_TRUE(IsInvalidArgument(ParseEarTagScheme("").status(), "scheme"));
}

TEST(EarTagTest, IsoCountryAndManufacturerCodes) {
  for (const char* s : {"398012345678901",     // Kazakhstan 398
                        "156000000000001",     // China 156
                        "001999999999999",     // lowest country code
                        "899123456789012",     // highest country code
                        "900123456789012",     // manufacturer
                        "998123456789012"}) {  // highest manufacturer code
    auto r = ParseEarTag(s, kIso);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    EXPECT_EQ(r->digits, s);
    EXPECT_EQ(r->scheme, EarTagScheme::kIso11784);
  }
}

TEST(EarTagTest, IsoRejectsReservedCodes) {
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("000123456789012", kIso).status(), "tag",
                                "is not an ISO 11784 tag: code 000 is neither a country code "
                                "(001-899) nor a manufacturer code (900-998)"));
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("999123456789012", kIso, "animal_tags[4]").status(),
                                "animal_tags[4]"));
}

TEST(EarTagTest, ChinaTagsInEveryProvinceRange) {
  // Species 1-9; county codes of Beijing, Xinjiang, Inner Mongolia, Guangdong, Taiwan, Hong Kong,
  // Macao.
  for (const char* s :
       {"111010500000001", "265020300001234", "365290100000009", "471000000000001",
        "981000000000001", "982000000000001", "315010100000001", "544010100000001"}) {
    auto r = ParseEarTag(s, kCn);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    EXPECT_EQ(r->digits, s);
    EXPECT_EQ(r->scheme, EarTagScheme::kChina);
  }
}

TEST(EarTagTest, ChinaRejectsSpeciesZero) {
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("065020300001234", kCn).status(), "tag",
                                "is not a Chinese livestock tag: species code 0 is not used "
                                "(must be 1-9)"));
}

TEST(EarTagTest, ChinaRejectsCountyOutsideAnyProvince) {
  for (const char* s : {"100000000000001", "110000000000001", "116000000000001", "120000000000001",
                        "124000000000001", "138000000000001", "147000000000001", "155000000000001",
                        "166000000000001", "170000000000001", "172000000000001", "180000000000001",
                        "183000000000001", "190000000000001"}) {
    EXPECT_TRUE(IsInvalidArgument(ParseEarTag(s, kCn).status(), "tag")) << s;
  }
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("299010100000001", kCn).status(), "tag",
                                "is not a Chinese livestock tag: county code 990101 does not "
                                "start with a Chinese province code"));
}

TEST(EarTagTest, SeparatorsAreRemoved) {
  auto r = ParseEarTag("398 0123 4567 8901", kIso);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digits, "398012345678901");
  r = ParseEarTag("2-650203-00001234", kCn);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digits, "265020300001234");
  r = ParseEarTag("398.012.345.678.901", kIso);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digits, "398012345678901");
}

TEST(EarTagTest, WrongDigitCount) {
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("398012345678", kBoth).status(), "tag",
                                "must have 15 digits, got 12"));
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("3980123456789012", kBoth).status(), "tag",
                                "must have 15 digits, got 16"));
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag("", kBoth).status(), "tag",
                                "is empty; enter the 15 digits of the ear tag"));
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag(" - . ", kBoth).status(), "tag",
                                "is empty; enter the 15 digits of the ear tag"));
}

TEST(EarTagTest, OtherCharactersAreRejected) {
  for (const char* s : {"398O12345678901", "398_012345678901", "398/012345678901",
                        "+398012345678901", "３９８012345678901"}) {
    EXPECT_TRUE(
        IsInvalidArgument(ParseEarTag(s, kBoth).status(), "tag",
                          "may contain only digits, with spaces, '-' or '.' between groups"))
        << s;
  }
  EXPECT_TRUE(IsInvalidArgument(ParseEarTag(std::string(65, '1'), kBoth).status(), "tag",
                                "is too long: an ear tag has 15 digits"));
}

TEST(EarTagTest, SchemesAreTriedInOrder) {
  // Valid in both: ISO country code 111, and species 1 with Beijing county 110105.
  const char* both = "111010500000001";
  auto iso_first = ParseEarTag(both, kBoth);
  ASSERT_TRUE(iso_first.ok());
  EXPECT_EQ(iso_first->scheme, EarTagScheme::kIso11784);
  auto cn_first = ParseEarTag(both, kCnFirst);
  ASSERT_TRUE(cn_first.ok());
  EXPECT_EQ(cn_first->scheme, EarTagScheme::kChina);
  // Valid only as ISO: falls through China to ISO.
  auto iso_only = ParseEarTag("398012345678901", kCnFirst);
  ASSERT_TRUE(iso_only.ok());
  EXPECT_EQ(iso_only->scheme, EarTagScheme::kIso11784);
}

TEST(EarTagTest, EnabledSchemeMatters) {
  EXPECT_FALSE(ParseEarTag("398012345678901", kCn).ok());  // 98 is no province
  EXPECT_FALSE(ParseEarTag("999123456789012", kIso).ok());
  EXPECT_FALSE(ParseEarTag("999123456789012", kCn).ok());  // 99 is no province either
  EXPECT_TRUE(ParseEarTag("999123456789012", kCnFirst).status().message().find("code 999") !=
              std::string::npos);
}

TEST(EarTagTest, ReasonsOfEveryEnabledSchemeAreGiven) {
  auto r = ParseEarTag("000123456789012", kBoth);
  EXPECT_TRUE(IsInvalidArgument(
      r.status(), "tag",
      "is not an ISO 11784 tag: code 000 is neither a country code (001-899) nor a manufacturer "
      "code (900-998); nor a Chinese livestock tag: species code 0 is not used (must be 1-9)"));
}

TEST(EarTagTest, NoSchemeEnabledIsAConfigurationError) {
  auto r = ParseEarTag("398012345678901", {});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "no ear tag scheme is enabled");
}

}  // namespace
}  // namespace herdpass
