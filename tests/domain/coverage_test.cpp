#include "domain/coverage.h"

#include <gtest/gtest.h>

#include "tests/domain/test_dates.h"

namespace herdpass {
namespace {

Animal Unit(int64_t id, std::string species, bool flock = false) {
  Animal a;
  a.id = id;
  a.owner_id = 1;
  a.species = std::move(species);
  if (!flock) a.tag = "398012345678" + std::to_string(100 + id);
  a.head_count = flock ? 40 : 1;
  return a;
}

Vaccination Dose(std::vector<int64_t> ids, std::string disease, std::string_view date,
                 bool voided = false) {
  Vaccination v;
  v.id = "0190f1e4-7a3b-7c2d-8e9f-" + std::to_string(100000000000 + ids.front());
  v.owner_id = 1;
  v.animal_ids = std::move(ids);
  v.disease = std::move(disease);
  v.vaccine = "X";
  v.batch_no = "B1";
  v.administered_on = D(date);
  v.voided = voided;
  return v;
}

const Disease& Fmd() { return *DefaultCatalogue().FindDisease("FMD-O"); }        // 180 days
const Disease& Anthrax() { return *DefaultCatalogue().FindDisease("ANTHRAX"); }  // 365 days

TEST(CoverageTest, StateNames) {
  EXPECT_STREQ(CoverageStateName(CoverageState::kCovered), "covered");
  EXPECT_STREQ(CoverageStateName(CoverageState::kOverdue), "overdue");
  EXPECT_STREQ(CoverageStateName(CoverageState::kNever), "never");
}

TEST(CoverageTest, NeverWithoutDoses) {
  DiseaseCoverage c = CoverageOf(Fmd(), Unit(1, "sheep"), {}, D("2026-01-01"));
  EXPECT_EQ(c.disease, "FMD-O");
  EXPECT_EQ(c.state, CoverageState::kNever);
  EXPECT_FALSE(c.last_dose);
  EXPECT_FALSE(c.covered_until);
  EXPECT_FALSE(c.overdue_since);
}

TEST(CoverageTest, DoseDayItselfIsCovered) {
  DiseaseCoverage c =
      CoverageOf(Fmd(), Unit(1, "sheep"), {Dose({1}, "FMD-O", "2026-01-01")}, D("2026-01-01"));
  EXPECT_EQ(c.state, CoverageState::kCovered);
  EXPECT_EQ(c.last_dose, D("2026-01-01"));
  // 180 days counting the dose's own day: 2026-01-01 + 179.
  EXPECT_EQ(c.covered_until, D("2026-06-29"));
  EXPECT_FALSE(c.overdue_since);
}

TEST(CoverageTest, LastCoveredDayAndTheDayAfter) {
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2026-01-01")};
  DiseaseCoverage last = CoverageOf(Fmd(), Unit(1, "sheep"), vs, D("2026-06-29"));
  EXPECT_EQ(last.state, CoverageState::kCovered);
  EXPECT_EQ(last.covered_until, D("2026-06-29"));

  DiseaseCoverage after = CoverageOf(Fmd(), Unit(1, "sheep"), vs, D("2026-06-30"));
  EXPECT_EQ(after.state, CoverageState::kOverdue);
  EXPECT_EQ(after.overdue_since, D("2026-06-30"));
  EXPECT_EQ(after.last_dose, D("2026-01-01"));
  EXPECT_FALSE(after.covered_until);
}

TEST(CoverageTest, YearLongImmunityAcrossALeapDay) {
  // 2024 is a leap year: 365 days from 2024-02-01 end on 2025-01-30.
  std::vector<Vaccination> vs = {Dose({1}, "ANTHRAX", "2024-02-01")};
  EXPECT_EQ(CoverageOf(Anthrax(), Unit(1, "horse"), vs, D("2025-01-30")).state,
            CoverageState::kCovered);
  DiseaseCoverage c = CoverageOf(Anthrax(), Unit(1, "horse"), vs, D("2025-01-31"));
  EXPECT_EQ(c.state, CoverageState::kOverdue);
  EXPECT_EQ(c.overdue_since, D("2025-01-31"));
}

TEST(CoverageTest, LatestDoseCountsWhateverTheOrder) {
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2026-03-01"), Dose({1}, "FMD-O", "2025-06-01"),
                                 Dose({1}, "FMD-O", "2025-12-01")};
  DiseaseCoverage c = CoverageOf(Fmd(), Unit(1, "cattle"), vs, D("2026-04-01"));
  EXPECT_EQ(c.state, CoverageState::kCovered);
  EXPECT_EQ(c.last_dose, D("2026-03-01"));
  EXPECT_EQ(c.covered_until, D("2026-08-27"));
}

TEST(CoverageTest, VoidedDosesAreIgnored) {
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2025-01-01"),
                                 Dose({1}, "FMD-O", "2026-03-01", /*voided=*/true)};
  DiseaseCoverage c = CoverageOf(Fmd(), Unit(1, "cattle"), vs, D("2026-04-01"));
  EXPECT_EQ(c.state, CoverageState::kOverdue);
  EXPECT_EQ(c.last_dose, D("2025-01-01"));
  EXPECT_EQ(c.overdue_since, D("2025-06-30"));

  std::vector<Vaccination> only_voided = {Dose({1}, "FMD-O", "2026-03-01", true)};
  EXPECT_EQ(CoverageOf(Fmd(), Unit(1, "cattle"), only_voided, D("2026-04-01")).state,
            CoverageState::kNever);
}

TEST(CoverageTest, OtherDiseasesAndOtherAnimalsDoNotCount) {
  std::vector<Vaccination> vs = {Dose({1}, "FMD-A", "2026-03-01"),
                                 Dose({2, 3}, "FMD-O", "2026-03-01")};
  EXPECT_EQ(CoverageOf(Fmd(), Unit(1, "cattle"), vs, D("2026-04-01")).state, CoverageState::kNever);
  EXPECT_EQ(CoverageOf(Fmd(), Unit(3, "cattle"), vs, D("2026-04-01")).state,
            CoverageState::kCovered);
}

TEST(CoverageTest, DosesAfterTodayDoNotCount) {
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2025-01-01"),
                                 Dose({1}, "FMD-O", "2026-05-01")};
  DiseaseCoverage c = CoverageOf(Fmd(), Unit(1, "cattle"), vs, D("2026-04-01"));
  EXPECT_EQ(c.state, CoverageState::kOverdue);
  EXPECT_EQ(c.last_dose, D("2025-01-01"));
}

TEST(CoverageTest, FlockByHeadCount) {
  std::vector<Vaccination> vs = {Dose({9}, "ND", "2026-01-10")};
  vs[0].head_count = 40;  // the whole flock
  DiseaseCoverage c = CoverageOf(*DefaultCatalogue().FindDisease("ND"), Unit(9, "poultry", true),
                                 vs, D("2026-02-01"));
  EXPECT_EQ(c.state, CoverageState::kCovered);
  EXPECT_EQ(c.covered_until, D("2027-01-09"));
}

TEST(OwnerCoverageTest, UnitsListEveryRelevantDiseaseInOrder) {
  std::vector<Animal> animals = {Unit(1, "horse"), Unit(2, "poultry", true), Unit(3, "dog")};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, {}, D("2026-04-01"));
  ASSERT_EQ(oc.units.size(), 3u);
  EXPECT_EQ(oc.units[0].animal_id, 1);
  ASSERT_EQ(oc.units[0].diseases.size(), 2u);
  EXPECT_EQ(oc.units[0].diseases[0].disease, "ANTHRAX");
  EXPECT_EQ(oc.units[0].diseases[1].disease, "RABIES");
  EXPECT_EQ(oc.units[1].animal_id, 2);
  ASSERT_EQ(oc.units[1].diseases.size(), 2u);
  EXPECT_EQ(oc.units[1].diseases[0].disease, "HPAI");
  EXPECT_EQ(oc.units[2].animal_id, 3);
  EXPECT_TRUE(oc.units[2].diseases.empty());  // not in the catalogue
  std::vector<std::string> codes;
  for (const auto& d : oc.diseases) {
    codes.push_back(d.disease);
    EXPECT_EQ(d.state, CoverageState::kNever) << d.disease;
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"ANTHRAX", "HPAI", "ND", "RABIES"}));
}

TEST(OwnerCoverageTest, CoveredWhenEveryUnitIsUntilTheEarliest) {
  std::vector<Animal> animals = {Unit(1, "horse"), Unit(2, "horse")};
  std::vector<Vaccination> vs = {Dose({1}, "ANTHRAX", "2026-03-01"),
                                 Dose({2}, "ANTHRAX", "2026-01-15")};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, vs, D("2026-04-01"));
  ASSERT_EQ(oc.diseases.size(), 2u);
  const DiseaseCoverage& a = oc.diseases[0];
  EXPECT_EQ(a.disease, "ANTHRAX");
  EXPECT_EQ(a.state, CoverageState::kCovered);
  EXPECT_EQ(a.covered_until, D("2027-01-14"));
  EXPECT_EQ(a.last_dose, D("2026-03-01"));
  EXPECT_FALSE(a.overdue_since);
  EXPECT_EQ(oc.diseases[1].disease, "RABIES");
  EXPECT_EQ(oc.diseases[1].state, CoverageState::kNever);
}

TEST(OwnerCoverageTest, OverdueWhenAnyUnitHasLapsed) {
  std::vector<Animal> animals = {Unit(1, "cattle"), Unit(2, "cattle"), Unit(3, "cattle")};
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2026-03-01"), Dose({2}, "FMD-O", "2025-05-01"),
                                 Dose({3}, "FMD-O", "2025-03-01")};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, vs, D("2026-04-01"));
  ASSERT_FALSE(oc.diseases.empty());
  const DiseaseCoverage& f = oc.diseases[0];
  EXPECT_EQ(f.disease, "FMD-O");
  EXPECT_EQ(f.state, CoverageState::kOverdue);
  EXPECT_EQ(f.overdue_since, D("2025-08-28"));  // unit 3: 2025-03-01 + 180
  EXPECT_FALSE(f.covered_until);
  EXPECT_EQ(f.last_dose, D("2026-03-01"));
  EXPECT_EQ(oc.units[0].diseases[0].state, CoverageState::kCovered);
  EXPECT_EQ(oc.units[1].diseases[0].state, CoverageState::kOverdue);
}

TEST(OwnerCoverageTest, OverdueWhenSomeUnitWasNeverVaccinated) {
  std::vector<Animal> animals = {Unit(1, "cattle"), Unit(2, "cattle")};
  std::vector<Vaccination> vs = {Dose({1}, "FMD-O", "2026-03-01")};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, vs, D("2026-04-01"));
  const DiseaseCoverage& f = oc.diseases[0];
  EXPECT_EQ(f.state, CoverageState::kOverdue);
  EXPECT_FALSE(f.overdue_since);  // nobody lapsed; unit 2 simply never had a dose
  EXPECT_FALSE(f.covered_until);
  EXPECT_EQ(oc.units[1].diseases[0].state, CoverageState::kNever);
}

TEST(OwnerCoverageTest, OnlyRelevantUnitsCount) {
  // PPR concerns the sheep only; the unvaccinated cow does not make it overdue.
  std::vector<Animal> animals = {Unit(1, "sheep"), Unit(2, "cattle")};
  std::vector<Vaccination> vs = {Dose({1}, "PPR", "2024-04-02")};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, vs, D("2027-04-01"));
  const DiseaseCoverage* ppr = nullptr;
  for (const auto& d : oc.diseases) {
    if (d.disease == "PPR") ppr = &d;
  }
  ASSERT_NE(ppr, nullptr);
  EXPECT_EQ(ppr->state, CoverageState::kCovered);  // 1095 days: through 2027-04-01
  EXPECT_EQ(ppr->covered_until, D("2027-04-01"));
}

TEST(OwnerCoverageTest, OneRecordForManyAnimalsAndVoidedIgnored) {
  std::vector<Animal> animals = {Unit(1, "goat"), Unit(2, "goat")};
  std::vector<Vaccination> vs = {Dose({1, 2}, "CCPP", "2026-02-01"),
                                 Dose({1, 2}, "ECHINO", "2026-02-01", /*voided=*/true)};
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), animals, vs, D("2026-04-01"));
  // CCPP is covered by the one record for both goats; ECHINO had only a voided dose, so it is
  // "never" like every other goat disease. Both must be listed for the test to mean anything.
  bool saw_ccpp = false;
  bool saw_echino = false;
  for (const auto& d : oc.diseases) {
    saw_ccpp = saw_ccpp || d.disease == "CCPP";
    saw_echino = saw_echino || d.disease == "ECHINO";
    if (d.disease == "CCPP") {
      EXPECT_EQ(d.state, CoverageState::kCovered);
      EXPECT_EQ(d.covered_until, D("2027-01-31"));
    } else {
      EXPECT_EQ(d.state, CoverageState::kNever) << d.disease;
    }
  }
  EXPECT_TRUE(saw_ccpp);
  EXPECT_TRUE(saw_echino);
}

TEST(OwnerCoverageTest, NoAnimals) {
  OwnerCoverage oc = ComputeOwnerCoverage(DefaultCatalogue(), {}, {}, D("2026-04-01"));
  EXPECT_TRUE(oc.units.empty());
  EXPECT_TRUE(oc.diseases.empty());
}

}  // namespace
}  // namespace herdpass

namespace herdpass {
namespace {

// A record of the bivalent FMD O+A vaccine, entered under FMD-O, protects against FMD-A as well; a
// monovalent one does not, and without the catalogue only the recorded disease counts.
TEST(CoverageTest, VaccineProductCoversEveryDiseaseItNames) {
  const Catalogue& cat = DefaultCatalogue();
  const Disease& fmd_a = *cat.FindDisease("FMD-A");
  Animal sheep;
  sheep.id = 1;
  sheep.species = "sheep";
  sheep.tag = "398000000000001";
  Vaccination bivalent;
  bivalent.animal_ids = {1};
  bivalent.disease = "FMD-O";
  bivalent.vaccine = "FMD-OA-INACT";
  bivalent.administered_on = *Date::Parse("2026-10-01");
  Vaccination mono = bivalent;
  mono.vaccine = "FMD-O-INACT";
  const Date today = *Date::Parse("2026-11-29");
  EXPECT_EQ(CoverageOf(fmd_a, sheep, {bivalent}, today, &cat).state, CoverageState::kCovered);
  EXPECT_EQ(CoverageOf(fmd_a, sheep, {bivalent}, today).state, CoverageState::kNever);
  EXPECT_EQ(CoverageOf(fmd_a, sheep, {mono}, today, &cat).state, CoverageState::kNever);
  OwnerCoverage owner = ComputeOwnerCoverage(cat, {sheep}, {bivalent}, today);
  bool saw_a = false;
  for (const auto& c : owner.diseases) {
    if (c.disease == "FMD-A") {
      saw_a = true;
      EXPECT_EQ(c.state, CoverageState::kCovered);
      EXPECT_EQ(c.covered_until, Date::Parse("2027-03-29").value());
    }
  }
  EXPECT_TRUE(saw_a);
}

}  // namespace
}  // namespace herdpass

namespace herdpass {
namespace {

Animal Flock(int64_t id, int32_t heads) {
  Animal a;
  a.id = id;
  a.species = "sheep";
  a.head_count = heads;
  return a;
}

Vaccination FlockDose(int64_t id, int32_t heads, std::string_view date) {
  Vaccination v;
  v.animal_ids = {id};
  v.disease = "SGP";
  v.vaccine = "SGP-SHEEPPOX-LIVE";
  v.head_count = heads;
  v.administered_on = *Date::Parse(date);
  return v;
}

// One head vaccinated does not protect a flock of 120; a campaign over two days that reaches every
// head does, for as long as its older day's dose lasts.
TEST(CoverageTest, FlockIsCoveredOnlyWhenDosesReachItsHeadCount) {
  const Disease& sgp = *DefaultCatalogue().FindDisease("SGP");
  const Date today = *Date::Parse("2026-11-29");
  DiseaseCoverage one = CoverageOf(sgp, Flock(5, 120), {FlockDose(5, 1, "2026-11-01")}, today);
  EXPECT_EQ(one.state, CoverageState::kOverdue);
  EXPECT_FALSE(one.overdue_since.has_value());
  EXPECT_EQ(one.last_dose, Date::Parse("2026-11-01").value());

  DiseaseCoverage both = CoverageOf(
      sgp, Flock(5, 120), {FlockDose(5, 70, "2026-11-01"), FlockDose(5, 50, "2026-11-03")}, today);
  EXPECT_EQ(both.state, CoverageState::kCovered);
  EXPECT_EQ(both.covered_until, Date::Parse("2026-11-01").value().AddDays(sgp.immunity_days - 1));
  EXPECT_EQ(both.last_dose, Date::Parse("2026-11-03").value());
}

}  // namespace
}  // namespace herdpass
