// The coverage rule's cases are in tests/data/coverage_cases.json (coverage_cases_test.cpp here,
// web/src/coverage_cases.test.ts for the web app's copy of the rule). Here only what the table does
// not check: the state names, and answers over the whole default catalogue.
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

TEST(CoverageTest, StateNames) {
  EXPECT_STREQ(CoverageStateName(CoverageState::kCovered), "covered");
  EXPECT_STREQ(CoverageStateName(CoverageState::kOverdue), "overdue");
  EXPECT_STREQ(CoverageStateName(CoverageState::kNever), "never");
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

}  // namespace
}  // namespace herdpass
