#include "domain/certificate.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/catalogue.h"

namespace herdpass {
namespace {

TEST(PurposeTest, RoundTripsEveryPurposeAndRefusesOthers) {
  for (Purpose p : kAllPurposes) {
    auto parsed = ParsePurpose(PurposeName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value(), p);
  }
  auto bad = ParsePurpose("Slaughter", "purpose");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "purpose");
}

TEST(CertificateStatusTest, RoundTrips) {
  for (auto s :
       {CertificateStatus::kIssued, CertificateStatus::kConsumed, CertificateStatus::kRevoked}) {
    auto parsed = ParseCertificateStatus(CertificateStatusName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value(), s);
  }
  EXPECT_FALSE(ParseCertificateStatus("expired").ok());
}

TEST(ScopeOfTest, ProvinceIsTheFirstTwoParts) {
  EXPECT_EQ(ScopeOf("CN-65-650203", "CN-65-650100"), MovementScope::kWithinProvince);
  EXPECT_EQ(ScopeOf("CN-65-650203", "CN-65"), MovementScope::kWithinProvince);
  EXPECT_EQ(ScopeOf("CN-65-650203", "CN-62-620100"), MovementScope::kAcrossProvinces);
  EXPECT_EQ(ScopeOf("KZ-ABY", "KZ-ALA"), MovementScope::kAcrossProvinces);
  EXPECT_EQ(ScopeOf("KZ-ABY-01", "KZ-ABY"), MovementScope::kWithinProvince);
  EXPECT_EQ(ScopeOf("KZ-ABY", "KG"), MovementScope::kExport);
  EXPECT_EQ(ScopeOf("KZ-ABY", "KG-C"), MovementScope::kExport);
  // "KZA" is not a part of "KZ": countries compare whole.
  EXPECT_EQ(ScopeOf("KZ", "KZA-1"), MovementScope::kExport);
}

TEST(DefaultMovementRulesTest, NameOnlyCatalogueDiseasesAndSpecies) {
  const Catalogue& cat = DefaultCatalogue();
  std::set<std::string> names;
  for (const MovementRule& rule : DefaultMovementRules()) {
    EXPECT_TRUE(names.insert(rule.name).second) << "duplicate rule name " << rule.name;
    EXPECT_FALSE(rule.diseases.empty()) << rule.name;
    for (const auto& d : rule.diseases) EXPECT_NE(cat.FindDisease(d), nullptr) << d;
    for (const auto& s : rule.species) EXPECT_NE(cat.FindSpecies(s), nullptr) << s;
  }
}

TEST(MaskNameTest, KeepsFirstLetterOfEachWord) {
  EXPECT_EQ(MaskName("Aigerim Nurlanovna"), "A****** N*********");
  EXPECT_EQ(MaskName("  Bolat   "), "B****");
  EXPECT_EQ(MaskName(""), "");
  // Multi-byte letters are masked whole: one '*' per letter, the first kept intact.
  EXPECT_EQ(MaskName("Айгерім"), "А******");
  EXPECT_EQ(MaskName("买买提 艾力"), "买** 艾*");
}

TEST(SigningKeyTest, UsableInsideValidityUntilRetired) {
  SigningKey k;
  k.valid_from = Timestamp(std::chrono::seconds(1000));
  k.valid_until = Timestamp(std::chrono::seconds(2000));
  EXPECT_FALSE(k.usable_at(Timestamp(std::chrono::seconds(999))));
  EXPECT_TRUE(k.usable_at(Timestamp(std::chrono::seconds(1000))));
  EXPECT_TRUE(k.usable_at(Timestamp(std::chrono::seconds(2000))));
  EXPECT_FALSE(k.usable_at(Timestamp(std::chrono::seconds(2001))));
  k.retired_at = Timestamp(std::chrono::seconds(1500));
  EXPECT_TRUE(k.usable_at(Timestamp(std::chrono::seconds(1499))));
  EXPECT_FALSE(k.usable_at(Timestamp(std::chrono::seconds(1500))));
}

}  // namespace
}  // namespace herdpass
