#include "domain/model.h"

#include <gtest/gtest.h>

#include <array>

#include "tests/domain/status_matchers.h"

namespace herdpass {
namespace {

using ::herdpass::testing::IsInvalidArgument;

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : kAllRoles) {
    auto parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.ok()) << RoleName(r);
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_STREQ(RoleName(Role::kVaccinator), "vaccinator");
  EXPECT_STREQ(RoleName(Role::kVet), "vet");
  EXPECT_STREQ(RoleName(Role::kInspector), "inspector");
  EXPECT_STREQ(RoleName(Role::kAdmin), "admin");
  EXPECT_STREQ(RoleName(Role::kAuditor), "auditor");
}

TEST(RoleTest, RejectsUnknownAndWrongCase) {
  for (const char* s : {"", "Vet", "VET", "root", "vet ", "public"}) {
    EXPECT_TRUE(IsInvalidArgument(ParseRole(s).status(), "role")) << s;
  }
  EXPECT_TRUE(
      IsInvalidArgument(ParseRole("root").status(), "role",
                        "must be one of vaccinator, vet, inspector, admin, auditor; got \"root\""));
}

TEST(JurisdictionTest, ScopeContainsItselfAndItsSubtree) {
  EXPECT_TRUE(InJurisdiction("KZ", "KZ"));
  EXPECT_TRUE(InJurisdiction("KZ", "KZ-ABY"));
  EXPECT_TRUE(InJurisdiction("KZ", "KZ-ABY-01"));
  EXPECT_TRUE(InJurisdiction("KZ-ABY", "KZ-ABY-01"));
  EXPECT_TRUE(InJurisdiction("CN-65", "CN-65-650203"));
}

TEST(JurisdictionTest, PrefixMustEndAtAPartBoundary) {
  EXPECT_FALSE(InJurisdiction("KZ", "KZA"));
  EXPECT_FALSE(InJurisdiction("KZ-AB", "KZ-ABY"));
  EXPECT_FALSE(InJurisdiction("CN-6", "CN-65"));
}

TEST(JurisdictionTest, ParentsSiblingsAndEmpty) {
  EXPECT_FALSE(InJurisdiction("KZ-ABY", "KZ"));
  EXPECT_FALSE(InJurisdiction("KZ-ABY", "KZ-AKM"));
  EXPECT_FALSE(InJurisdiction("KZ", "CN"));
  EXPECT_FALSE(InJurisdiction("", "KZ"));
  EXPECT_FALSE(InJurisdiction("", ""));
  EXPECT_FALSE(InJurisdiction("KZ", ""));
}

TEST(AuthorityCodeTest, AcceptsWellFormedCodes) {
  for (const char* s : {"KZ", "CN", "KZ-ABY", "KZ-ABY-01", "CN-65-650203", "KG-7-X1"}) {
    EXPECT_TRUE(ValidateAuthorityCode(s).ok()) << s;
  }
}

TEST(AuthorityCodeTest, RejectsMalformedNamingTheField) {
  for (const char* s : {"", "K", "kz", "K1", "KZA", "KZ-", "KZ--ABY", "KZ-aby", "KZ-AB_Y", "KZ ABY",
                        "-KZ", "KZ-ABY-", "1Z"}) {
    EXPECT_TRUE(IsInvalidArgument(ValidateAuthorityCode(s, "authority"), "authority")) << s;
  }
  EXPECT_TRUE(IsInvalidArgument(ValidateAuthorityCode("kz", "parent"), "parent",
                                "must start with a 2-letter country code such as KZ or CN, got "
                                "\"kz\""));
  EXPECT_TRUE(IsInvalidArgument(ValidateAuthorityCode("KZ--ABY"), "authority",
                                "must not have an empty part, got \"KZ--ABY\""));
  EXPECT_TRUE(IsInvalidArgument(ValidateAuthorityCode(std::string(65, 'A')), "authority"));
}

TEST(UuidTest, NormalizesToLowercase) {
  auto r = NormalizeUuid("0190F1E4-7A3B-7C2D-8E9F-0A1B2C3D4E5F");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f");
  auto same = NormalizeUuid("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *r);
}

TEST(UuidTest, RejectsMalformedNamingTheField) {
  for (const char* s :
       {"", "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5", "0190f1e47a3b7c2d8e9f0a1b2c3d4e5f",
        "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5g", "{0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e}",
        "0190f1e4-7a3b-7c2d-8e9f_0a1b2c3d4e5f", "0190f1e47-a3b-7c2d-8e9f-0a1b2c3d4e5f",
        "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f0"}) {
    EXPECT_TRUE(IsInvalidArgument(NormalizeUuid(s, "records[2].id").status(), "records[2].id"))
        << s;
  }
}

TEST(UuidTextTest, FormatsTheCanonicalText) {
  const std::array<uint8_t, 16> b = {0x01, 0x90, 0xf1, 0xe4, 0x7a, 0x3b, 0x7c, 0x2d,
                                     0x8e, 0x9f, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f};
  EXPECT_EQ(UuidText(b), "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f");
  auto normalized = NormalizeUuid(UuidText(b));
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(normalized.value(), UuidText(b));
}

}  // namespace
}  // namespace herdpass
