#include "domain/phone.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/domain/status_matchers.h"

namespace herdpass {
namespace {

using ::herdpass::testing::IsInvalidArgument;

struct Case {
  const char* region;
  const char* input;
  const char* e164;
};

class PhoneAcceptTest : public ::testing::TestWithParam<Case> {};

TEST_P(PhoneAcceptTest, NormalizesToE164) {
  const Case& c = GetParam();
  PhoneNormalizer p(c.region);
  auto r = p.ToE164(c.input);
  ASSERT_TRUE(r.ok()) << c.region << " \"" << c.input << "\": " << r.status().ToString();
  EXPECT_EQ(*r, c.e164);
}

INSTANTIATE_TEST_SUITE_P(Kazakhstan, PhoneAcceptTest,
                         ::testing::Values(Case{"KZ", "8 701 234 5678", "+77012345678"},
                                           Case{"KZ", "+7 (701) 234-56-78", "+77012345678"},
                                           Case{"KZ", "+7 701 234 56 78", "+77012345678"},
                                           Case{"KZ", "87012345678", "+77012345678"},
                                           Case{"KZ", "7012345678", "+77012345678"},
                                           Case{"KZ", "8.701.234.56.78", "+77012345678"},
                                           Case{"KZ", "+7 777 123 4567", "+77771234567"}));

INSTANTIATE_TEST_SUITE_P(China, PhoneAcceptTest,
                         ::testing::Values(Case{"CN", "13912345678", "+8613912345678"},
                                           Case{"CN", "+86 139 1234 5678", "+8613912345678"},
                                           Case{"CN", "139-1234-5678", "+8613912345678"},
                                           Case{"CN", "0086 139 1234 5678", "+8613912345678"},
                                           Case{"CN", "+8618612345678", "+8618612345678"}));

// Mobile ranges: Kyrgyzstan 5xx (MegaCom) and 7xx (O!, Beeline), national prefix 0.
INSTANTIATE_TEST_SUITE_P(Kyrgyzstan, PhoneAcceptTest,
                         ::testing::Values(Case{"KG", "+996 555 123 456", "+996555123456"},
                                           Case{"KG", "0555 123 456", "+996555123456"},
                                           Case{"KG", "0700 123 456", "+996700123456"},
                                           Case{"KG", "+996 770 123 456", "+996770123456"}));

// Uzbekistan 9x (90/91 Beeline, 93/94 Ucell, 97 Mobiuz).
INSTANTIATE_TEST_SUITE_P(Uzbekistan, PhoneAcceptTest,
                         ::testing::Values(Case{"UZ", "+998 90 123 45 67", "+998901234567"},
                                           Case{"UZ", "90 123 45 67", "+998901234567"},
                                           Case{"UZ", "+998 93 123 45 67", "+998931234567"},
                                           Case{"UZ", "+998 97 765 43 21", "+998977654321"}));

// Tajikistan 9x (91x, 93 Tcell, 98 Babilon).
INSTANTIATE_TEST_SUITE_P(Tajikistan, PhoneAcceptTest,
                         ::testing::Values(Case{"TJ", "+992 917 12 34 56", "+992917123456"},
                                           Case{"TJ", "917 12 34 56", "+992917123456"},
                                           Case{"TJ", "+992 93 123 4567", "+992931234567"}));

// Russia 9xx mobile, national prefix 8.
INSTANTIATE_TEST_SUITE_P(Russia, PhoneAcceptTest,
                         ::testing::Values(Case{"RU", "+7 912 345 67 89", "+79123456789"},
                                           Case{"RU", "8 912 345 67 89", "+79123456789"},
                                           Case{"RU", "8 (912) 345-67-89", "+79123456789"}));

// A number written with + and its country code is read the same whatever the default region.
INSTANTIATE_TEST_SUITE_P(International, PhoneAcceptTest,
                         ::testing::Values(Case{"KZ", "+86 139 1234 5678", "+8613912345678"},
                                           Case{"CN", "+7 701 234 5678", "+77012345678"},
                                           Case{"KZ", "+7 912 345 67 89", "+79123456789"},
                                           Case{"RU", "+996 555 123 456", "+996555123456"}));

struct BadCase {
  const char* region;
  const char* input;
  const char* message;  // "" checks the code and the field only
};

class PhoneRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PhoneRejectTest, IsInvalidArgumentNamingTheField) {
  const BadCase& c = GetParam();
  PhoneNormalizer p(c.region);
  auto r = p.ToE164(c.input, "owner_phone");
  EXPECT_TRUE(IsInvalidArgument(r.status(), "owner_phone", c.message))
      << c.region << " \"" << c.input << "\"";
}

INSTANTIATE_TEST_SUITE_P(
    Bad, PhoneRejectTest,
    ::testing::Values(
        BadCase{"KZ", "", "is empty; enter the owner's mobile number"},
        BadCase{"KZ", "   ", "is empty; enter the owner's mobile number"},
        BadCase{"KZ", "8 701 ABC 5678", "must contain digits only, not letters"},
        BadCase{"KZ", "1-800-FLOWERS", "must contain digits only, not letters"},
        BadCase{"KZ", "+7 701 234 5678 ext 12", "must contain digits only, not letters"},
        BadCase{"KZ", "tel:+77012345678", "must contain digits only, not letters"},
        BadCase{"KZ", "+7 701 234\n5678", "contains a control character"},
        BadCase{"KZ", "+7 701 234 567",
                "is not a valid phone number for KZ; check the digits, or write it with + and "
                "the country code"},
        BadCase{"KZ", "8 701 234 5678 9", ""}, BadCase{"KZ", "123", ""},
        BadCase{"KZ", "+999 1234", "does not start with a known country code"},
        BadCase{"KZ", "+86 139 1234 567", "is not a valid +86 phone number; check the digits"},
        BadCase{"CN", "1391234567", ""}, BadCase{"CN", "139 1234 56789", ""},
        BadCase{"CN", "12345678901", ""}, BadCase{"KG", "0555 123 45", ""},
        BadCase{"UZ", "+998 90 123 456", ""}, BadCase{"TJ", "+992 917 12 345", ""},
        BadCase{"RU", "8 912 345 67", ""}, BadCase{"KZ", "+", ""}, BadCase{"KZ", "--", ""},
        BadCase{"KZ", "+7 701 234 5678 ++++++++++++++++++++++++++++++++++++++++++++++++++++",
                "is too long to be a phone number (at most 64 characters)"}));

TEST(PhoneTest, KnownRegions) {
  for (const char* r : {"KZ", "CN", "KG", "UZ", "TJ", "RU", "MN"}) {
    EXPECT_TRUE(PhoneNormalizer::IsKnownRegion(r)) << r;
  }
  for (const char* r : {"", "kz", "ZZ", "XX", "KAZ"}) {
    EXPECT_FALSE(PhoneNormalizer::IsKnownRegion(r)) << r;
  }
}

TEST(PhoneTest, KeepsItsRegion) { EXPECT_EQ(PhoneNormalizer("KG").default_region(), "KG"); }

// The memo of accepted numbers answers as libphonenumber did: the same E.164 for every spelling
// asked again, a refused text refused again (naming the field of each call), each normalizer
// with its own region, and still so once the memo has filled and been emptied.
TEST(PhoneTest, AnswersTheSameWhenAskedAgain) {
  PhoneNormalizer kz("KZ");
  PhoneNormalizer cn("CN");
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(kz.ToE164("8 701 234 5678").value(), "+77012345678") << round;
    EXPECT_EQ(kz.ToE164("+7 (701) 234-56-78").value(), "+77012345678") << round;
    EXPECT_EQ(cn.ToE164("13912345678").value(), "+8613912345678") << round;
    const char* field = round == 0 ? "owner_phone" : "buyer_phone";
    EXPECT_TRUE(IsInvalidArgument(kz.ToE164("13912345678", field).status(), field)) << round;
    EXPECT_TRUE(IsInvalidArgument(kz.ToE164("8 701 234 56").status(), "phone")) << round;
  }
  // More numbers than the memo holds, each right, then the first ones again.
  for (size_t i = 0; i <= PhoneNormalizer::kMemoSize + 10; ++i) {
    char local[16];
    std::snprintf(local, sizeof local, "8701%07zu", i);
    char e164[16];
    std::snprintf(e164, sizeof e164, "+7701%07zu", i);
    ASSERT_EQ(kz.ToE164(local).value(), e164) << local;
  }
  EXPECT_EQ(kz.ToE164("8 701 234 5678").value(), "+77012345678");
  EXPECT_EQ(kz.ToE164("87010000000").value(), "+77010000000");
  EXPECT_TRUE(IsInvalidArgument(kz.ToE164("13912345678").status(), "phone"));
}

TEST(PhoneTest, Last4) {
  EXPECT_EQ(PhoneLast4("+77012345678"), "5678");
  EXPECT_EQ(PhoneLast4("+8613912345678"), "5678");
  EXPECT_EQ(PhoneLast4("+123"), "123");
  EXPECT_EQ(PhoneLast4(""), "");
}

}  // namespace
}  // namespace herdpass

namespace herdpass {
namespace {

// Regression (fuzz/regressions/phone): libphonenumber accepted this as a German number of 16
// digits.
TEST(PhoneRegressionTest, MoreThanFifteenDigitsIsRefused) {
  PhoneNormalizer kz("KZ");
  auto r = kz.ToE164("+49956 78949956 789");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "phone");
}

}  // namespace
}  // namespace herdpass
