#include "domain/certificate.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/catalogue.h"
#include "domain/movement.h"

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

Timestamp Utc(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch() +
                   std::chrono::hours(hour) + std::chrono::minutes(minute));
}

TEST(CertificateStatusAtTest, IssuedIsExpiredOnlyAfterValidUntil) {
  Certificate c;
  c.valid_until = Utc(2026, 11, 29, 18, 59) + std::chrono::seconds(59);
  EXPECT_STREQ(CertificateStatusAt(c, c.valid_until - std::chrono::hours(1)), "issued");
  EXPECT_STREQ(CertificateStatusAt(c, c.valid_until), "issued");  // valid through its last second
  EXPECT_STREQ(CertificateStatusAt(c, c.valid_until + std::chrono::milliseconds(1)), "expired");
}

TEST(CertificateStatusAtTest, ConsumedAndRevokedKeepTheirStatusAfterValidUntil) {
  Certificate c;
  c.valid_until = Utc(2026, 11, 29, 18);
  const Timestamp later = c.valid_until + std::chrono::days(3);
  c.status = CertificateStatus::kConsumed;
  EXPECT_STREQ(CertificateStatusAt(c, later), "consumed");
  c.status = CertificateStatus::kRevoked;
  EXPECT_STREQ(CertificateStatusAt(c, later), "revoked");
  EXPECT_STREQ(CertificateStatusAt(c, c.valid_until - std::chrono::hours(1)), "revoked");
}

// Abay: UTC+5, certificates across provinces valid 5 days.
constexpr ValidityPolicy kAbay{std::chrono::minutes(5 * 60), 5};

TEST(ValidUntilTest, WithinAProvinceUntilTheEndOfTheLocalDay) {
  // 09:00 UTC is 14:00 local: valid until 23:59:59 local, 18:59:59 UTC.
  auto until = ValidUntil(MovementScope::kWithinProvince, Utc(2026, 11, 29, 9), kAbay, {});
  ASSERT_TRUE(until.ok()) << until.status().ToString();
  EXPECT_EQ(FormatRfc3339(until.value()), "2026-11-29T18:59:59.000Z");
  // 20:30 UTC is already 01:30 on the 30th locally: the local day of issue is the 30th.
  auto late = ValidUntil(MovementScope::kWithinProvince, Utc(2026, 11, 29, 20, 30), kAbay, {});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(FormatRfc3339(late.value()), "2026-11-30T18:59:59.000Z");
}

TEST(ValidUntilTest, AcrossProvincesAndForExportTheConfiguredDays) {
  for (MovementScope scope : {MovementScope::kAcrossProvinces, MovementScope::kExport}) {
    auto until = ValidUntil(scope, Utc(2026, 11, 29, 9), kAbay, {});
    ASSERT_TRUE(until.ok()) << MovementScopeName(scope);
    EXPECT_EQ(until.value(), Utc(2026, 12, 4, 9)) << MovementScopeName(scope);
  }
}

TEST(ValidUntilTest, ValidHoursShortensOnly) {
  auto shorter = ValidUntil(MovementScope::kAcrossProvinces, Utc(2026, 11, 29, 9), kAbay, 120);
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(shorter.value(), Utc(2026, 12, 4, 9));  // exactly the default: allowed
  auto longer = ValidUntil(MovementScope::kAcrossProvinces, Utc(2026, 11, 29, 9), kAbay, 121);
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(longer.status().field(), "valid_hours");
  EXPECT_EQ(longer.status().message(),
            "valid_hours may only shorten the default validity: at most 120 hours for a "
            "across_provinces movement");
  // Within the province the longest is the whole hours left of the local day: 9 h 59 min 59 s.
  auto today = ValidUntil(MovementScope::kWithinProvince, Utc(2026, 11, 29, 9), kAbay, 9);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today.value(), Utc(2026, 11, 29, 18));
  auto past_midnight = ValidUntil(MovementScope::kWithinProvince, Utc(2026, 11, 29, 9), kAbay, 10);
  ASSERT_FALSE(past_midnight.ok());
  EXPECT_EQ(past_midnight.status().message(),
            "valid_hours may only shorten the default validity: at most 9 hours for a "
            "within_province movement");
}

// --- W13: an arrival compared with its certificate ---

Certificate ThreeHead() {
  Certificate c;
  c.head_count = 3;
  c.tags = {"398000000000001", "398000000000002"};
  c.valid_until = Timestamp(std::chrono::hours(100));
  return c;
}

TEST(CompareArrivalTest, MoreHeadThanCertifiedIsRefusedNamingHeadCount) {
  auto more = CompareArrival(ThreeHead(), 4, std::nullopt);
  EXPECT_EQ(more.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(more.status().field(), "head_count");
  auto negative = CompareArrival(ThreeHead(), -1, std::nullopt);
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(negative.status().field(), "head_count");
}

TEST(CompareArrivalTest, FewerHeadAMissingOrAnExtraTagIsAMismatch) {
  auto all = CompareArrival(
      ThreeHead(), 3,
      std::vector<std::string>{"398000000000002", "398000000000001", "398000000000001"});
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->mismatch);
  EXPECT_EQ(all->tags_seen, (std::vector<std::string>{"398000000000001", "398000000000002"}));
  auto fewer = CompareArrival(ThreeHead(), 2, std::nullopt);
  ASSERT_TRUE(fewer.ok());
  EXPECT_TRUE(fewer->mismatch);
  EXPECT_EQ(fewer->head_counted, 2);
  auto swapped = CompareArrival(ThreeHead(), 3,
                                std::vector<std::string>{"398000000000001", "398000000000009"});
  ASSERT_TRUE(swapped.ok());
  EXPECT_TRUE(swapped->mismatch);
  EXPECT_EQ(swapped->missing_tags, std::vector<std::string>{"398000000000002"});
  EXPECT_EQ(swapped->extra_tags, std::vector<std::string>{"398000000000009"});
  // An older client sends neither: nothing to compare, no mismatch.
  auto old = CompareArrival(ThreeHead(), std::nullopt, std::nullopt);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->mismatch);
  EXPECT_FALSE(old->head_counted.has_value());
}

TEST(MovementStatusTest, FollowsTheCertificateAndItsArrival) {
  Certificate c = ThreeHead();
  EXPECT_EQ(MovementStatusAt(c, Timestamp(std::chrono::hours(1))), MovementStatus::kPlanned);
  EXPECT_EQ(MovementStatusAt(c, Timestamp(std::chrono::hours(101))), MovementStatus::kExpired);
  c.status = CertificateStatus::kConsumed;
  c.arrival = Arrival{};
  EXPECT_EQ(MovementStatusAt(c, Timestamp(std::chrono::hours(101))), MovementStatus::kArrived);
  c.arrival->mismatch = true;
  EXPECT_EQ(MovementStatusAt(c, Timestamp(std::chrono::hours(1))), MovementStatus::kMismatch);
  c.status = CertificateStatus::kRevoked;
  EXPECT_EQ(MovementStatusAt(c, Timestamp(std::chrono::hours(1))), MovementStatus::kRevoked);
  EXPECT_EQ(ParseMovementStatus("lost").status().field(), "status");
  EXPECT_EQ(ParseMovementStatus("mismatch").value(), MovementStatus::kMismatch);
}

}  // namespace
}  // namespace herdpass
