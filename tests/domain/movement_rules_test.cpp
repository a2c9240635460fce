#include "domain/movement_rules.h"

#include <gtest/gtest.h>

#include "tests/domain/test_dates.h"

namespace herdpass {
namespace {

const Date kToday = D("2026-11-29");

Animal Tagged(int64_t id, std::string species = "sheep") {
  Animal a;
  a.id = id;
  a.owner_id = 1;
  a.species = std::move(species);
  a.tag = "3980000000000" + std::to_string(10 + id);
  return a;
}

Animal Flock(int64_t id, int32_t heads, std::string species = "sheep") {
  Animal a;
  a.id = id;
  a.owner_id = 1;
  a.species = std::move(species);
  a.head_count = heads;
  return a;
}

Vaccination Dose(std::string id, int64_t animal, std::string disease, std::string vaccine,
                 std::string_view date, int32_t heads = 1) {
  Vaccination v;
  v.id = std::move(id);
  v.owner_id = 1;
  v.animal_ids = {animal};
  v.head_count = heads;
  v.disease = std::move(disease);
  v.vaccine = std::move(vaccine);
  v.batch_no = "B-" + v.id;
  v.administered_on = D(date);
  return v;
}

Movement Slaughter(std::string species = "sheep") {
  return {Purpose::kSlaughter, MovementScope::kWithinProvince, std::move(species)};
}

MovementAssessment Assess(const Movement& m, const std::vector<Animal>& animals,
                          const std::vector<Vaccination>& doses,
                          const std::vector<MovementRule>& rules = DefaultMovementRules()) {
  std::vector<const Animal*> units;
  for (const Animal& a : animals) units.push_back(&a);
  return AssessMovement(rules, DefaultCatalogue(), m, units, doses, kToday);
}

// "rule disease animal state: message" of each failure, to compare whole lists at once.
std::vector<std::string> Lines(const MovementAssessment& a) {
  std::vector<std::string> out;
  for (const RuleFailure& f : a.failures) {
    out.push_back(f.rule + " " + f.disease + " " + f.animal + " " +
                  CoverageStateName(f.coverage.state) + ": " + f.message);
  }
  return out;
}

std::vector<std::string> Evidence(const MovementAssessment& a) {
  std::vector<std::string> out;
  for (const CertificateVaccination& v : a.rests_on) {
    out.push_back(v.record_id + " " + v.disease + " " + v.administered_on.ToString() + " " +
                  v.batch_no);
  }
  return out;
}

TEST(MovementRulesTest, CoveredAnimalMeetsTheRulesAndRestsOnItsLatestDoses) {
  // The bivalent FMD vaccine, entered under FMD-O, covers FMD-A too.
  const auto a = Assess(Slaughter(), {Tagged(1)},
                        {Dose("fmd-old", 1, "FMD-O", "FMD-OA-INACT", "2026-09-01"),
                         Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                         Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01"),
                         Dose("bru", 1, "BRUCELLOSIS", "BRU-REV1", "2026-11-01")});
  EXPECT_EQ(Lines(a), std::vector<std::string>{});
  // Only the diseases the rule names, in its order; brucellosis is not asked for.
  EXPECT_EQ(Evidence(a),
            (std::vector<std::string>{"fmd FMD-O 2026-11-01 B-fmd", "fmd FMD-A 2026-11-01 B-fmd",
                                      "ppr PPR 2026-11-01 B-ppr"}));
}

TEST(MovementRulesTest, NeverVaccinatedFailsEachDiseaseOfTheRule) {
  const Animal sheep = Tagged(1);
  const auto a = Assess(Slaughter(), {sheep}, {Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  EXPECT_EQ(Lines(a),
            (std::vector<std::string>{
                "slaughter-fmd-ppr FMD-O " + *sheep.tag + " never: FMD-O: never vaccinated",
                "slaughter-fmd-ppr FMD-A " + *sheep.tag + " never: FMD-A: never vaccinated",
            }));
  EXPECT_TRUE(a.rests_on.empty());
}

TEST(MovementRulesTest, LapsedDoseFailsNamingTheLastDayCovered) {
  const Animal sheep = Tagged(1);
  // FMD protects 180 days counting the day of the dose: 2026-05-01 covers through 2026-10-27.
  const auto a = Assess(Slaughter(), {sheep},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-05-01"),
                         Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  ASSERT_EQ(a.failures.size(), 2u);
  EXPECT_EQ(Lines(a)[0], "slaughter-fmd-ppr FMD-O " + *sheep.tag +
                             " overdue: FMD-O: covered until 2026-10-27, lapsed");
  EXPECT_EQ(a.failures[0].coverage.overdue_since, D("2026-10-28"));
  EXPECT_EQ(a.failures[1].disease, "FMD-A");
}

TEST(MovementRulesTest, DoseDatedAfterTheDayOfIssueDoesNotCount) {
  const auto a = Assess(Slaughter(), {Tagged(1)},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-30"),
                         Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  ASSERT_EQ(a.failures.size(), 2u);
  EXPECT_EQ(a.failures[0].message, "FMD-O: never vaccinated");
  EXPECT_EQ(a.failures[1].message, "FMD-A: never vaccinated");
}

TEST(MovementRulesTest, VoidedDoseDoesNotCount) {
  Vaccination voided = Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01");
  voided.voided = true;
  const auto a = Assess(Slaughter(), {Tagged(1)},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01"), voided});
  ASSERT_EQ(a.failures.size(), 1u);
  EXPECT_EQ(a.failures[0].disease, "PPR");
  EXPECT_EQ(a.failures[0].message, "PPR: never vaccinated");
}

TEST(MovementRulesTest, FlockFailsWhileTheDosesHaveNotReachedItsSize) {
  const Animal flock = Flock(7, 40);
  const auto a = Assess(Slaughter(), {flock},
                        {Dose("fmd", 7, "FMD-O", "FMD-OA-INACT", "2026-11-01", 40),
                         Dose("ppr", 7, "PPR", "PPR-LIVE", "2026-11-01", 10)});
  EXPECT_EQ(Lines(a), (std::vector<std::string>{
                          "slaughter-fmd-ppr PPR flock:sheep overdue: PPR: the doses given never "
                          "reached the whole flock"}));
}

TEST(MovementRulesTest, FlockCoveredByDosesThatTogetherReachItsSize) {
  const auto a = Assess(Slaughter(), {Flock(7, 40)},
                        {Dose("fmd", 7, "FMD-O", "FMD-OA-INACT", "2026-11-01", 40),
                         Dose("ppr1", 7, "PPR", "PPR-LIVE", "2026-10-30", 25),
                         Dose("ppr2", 7, "PPR", "PPR-LIVE", "2026-11-02", 15)});
  EXPECT_TRUE(a.failures.empty()) << Lines(a)[0];
  // The latest dose is the one written into the certificate.
  EXPECT_EQ(Evidence(a).back(), "ppr2 PPR 2026-11-02 B-ppr2");
}

TEST(MovementRulesTest, DoseOlderThanTheRulesMaxAgeFails) {
  const std::vector<MovementRule> rules = {
      {"sale-fmd-30-days", Purpose::kSale, std::nullopt, {}, {"FMD-O"}, 30}};
  const Movement sale{Purpose::kSale, MovementScope::kWithinProvince, "sheep"};
  const auto old =
      Assess(sale, {Tagged(1)}, {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-10-01")}, rules);
  EXPECT_EQ(Lines(old),
            (std::vector<std::string>{"sale-fmd-30-days FMD-O " + *Tagged(1).tag +
                                      " covered: FMD-O: last dose on 2026-10-01, more than 30 "
                                      "days before 2026-11-29"}));
  // Exactly 30 days before is still young enough.
  const auto recent =
      Assess(sale, {Tagged(1)}, {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-10-30")}, rules);
  EXPECT_TRUE(recent.failures.empty());
}

TEST(MovementRulesTest, FailuresComeByRuleThenDiseaseThenUnit) {
  const Animal first = Tagged(1), second = Tagged(2);
  const auto a = Assess(Slaughter(), {first, second},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                         Dose("ppr", 2, "PPR", "PPR-LIVE", "2026-11-01")});
  std::vector<std::string> order;
  for (const RuleFailure& f : a.failures) order.push_back(f.disease + " " + f.animal);
  EXPECT_EQ(order, (std::vector<std::string>{"FMD-O " + *second.tag, "FMD-A " + *second.tag,
                                             "PPR " + *first.tag}));
}

TEST(MovementRulesTest, ScopeSelectsTheRule) {
  // Breeding within a province: no rule applies, so nothing is required...
  const Movement within{Purpose::kBreeding, MovementScope::kWithinProvince, "sheep"};
  const auto free = Assess(within, {Tagged(1)}, {Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  EXPECT_TRUE(free.failures.empty());
  // ...and the certificate rests on whatever covers the species' diseases in the catalogue.
  EXPECT_EQ(Evidence(free), std::vector<std::string>{"ppr PPR 2026-11-01 B-ppr"});
  // Across provinces FMD is required, PPR is not.
  const Movement across{Purpose::kBreeding, MovementScope::kAcrossProvinces, "sheep"};
  const auto ruled = Assess(across, {Tagged(1)}, {Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  std::vector<std::string> diseases;
  for (const RuleFailure& f : ruled.failures) diseases.push_back(f.rule + " " + f.disease);
  EXPECT_EQ(diseases, (std::vector<std::string>{"breeding-across-provinces-fmd FMD-O",
                                                "breeding-across-provinces-fmd FMD-A"}));
}

TEST(MovementRulesTest, ExportRequiresSheepPoxAndAnthraxToo) {
  const Movement to_china{Purpose::kExport, MovementScope::kExport, "sheep"};
  const auto a = Assess(to_china, {Tagged(1)},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                         Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")});
  std::vector<std::string> diseases;
  for (const RuleFailure& f : a.failures) diseases.push_back(f.disease);
  EXPECT_EQ(diseases, (std::vector<std::string>{"SGP", "ANTHRAX"}));
}

TEST(MovementRulesTest, DiseaseThatDoesNotApplyToTheSpeciesIsSkipped) {
  // PPR is a disease of sheep and goats: cattle going to slaughter need FMD only.
  const auto a = Assess(Slaughter("cattle"), {Tagged(1, "cattle")},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01")});
  EXPECT_TRUE(a.failures.empty()) << Lines(a)[0];
  EXPECT_EQ(Evidence(a),
            (std::vector<std::string>{"fmd FMD-O 2026-11-01 B-fmd", "fmd FMD-A 2026-11-01 B-fmd"}));
}

TEST(MovementRulesTest, SpeciesRuleAppliesToItsSpeciesOnly) {
  // slaughter-poultry-hpai-nd adds HPAI and ND for poultry; sheep are not asked for them.
  const auto poultry = Assess(Slaughter("poultry"), {Flock(3, 100, "poultry")}, {});
  std::vector<std::string> rules;
  for (const RuleFailure& f : poultry.failures) rules.push_back(f.rule + " " + f.disease);
  EXPECT_EQ(rules, (std::vector<std::string>{"slaughter-poultry-hpai-nd HPAI",
                                             "slaughter-poultry-hpai-nd ND"}));
}

TEST(MovementRulesTest, UnknownDiseaseInARuleIsSkipped) {
  const std::vector<MovementRule> rules = {
      {"sale-x", Purpose::kSale, std::nullopt, {}, {"NO-SUCH-DISEASE", "PPR"}, 0}};
  const Movement sale{Purpose::kSale, MovementScope::kWithinProvince, "sheep"};
  const auto a = Assess(sale, {Tagged(1)}, {}, rules);
  ASSERT_EQ(a.failures.size(), 1u);
  EXPECT_EQ(a.failures[0].disease, "PPR");
}

TEST(MovementRulesTest, DiseaseNamedByTwoApplyingRulesIsRestedOnOnce) {
  const std::vector<MovementRule> rules = {
      {"sale-fmd", Purpose::kSale, std::nullopt, {}, {"FMD-O"}, 0},
      {"sale-fmd-ppr", Purpose::kSale, std::nullopt, {"sheep"}, {"FMD-O", "PPR"}, 0}};
  const Movement sale{Purpose::kSale, MovementScope::kWithinProvince, "sheep"};
  const auto a = Assess(sale, {Tagged(1)},
                        {Dose("fmd", 1, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                         Dose("ppr", 1, "PPR", "PPR-LIVE", "2026-11-01")},
                        rules);
  EXPECT_TRUE(a.failures.empty());
  EXPECT_EQ(Evidence(a),
            (std::vector<std::string>{"fmd FMD-O 2026-11-01 B-fmd", "ppr PPR 2026-11-01 B-ppr"}));
}

TEST(MovementRulesTest, OneDoseGivenToTwoAnimalsIsRestedOnOnce) {
  Vaccination both = Dose("fmd", 1, "FMD-O", "FMD-O-INACT", "2026-11-01");
  both.animal_ids = {1, 2};
  both.head_count = 2;
  const std::vector<MovementRule> rules = {
      {"sale-fmd-o", Purpose::kSale, std::nullopt, {}, {"FMD-O"}, 0}};
  const Movement sale{Purpose::kSale, MovementScope::kWithinProvince, "sheep"};
  const auto a = Assess(sale, {Tagged(1), Tagged(2)}, {both}, rules);
  EXPECT_TRUE(a.failures.empty());
  EXPECT_EQ(Evidence(a), std::vector<std::string>{"fmd FMD-O 2026-11-01 B-fmd"});
}

}  // namespace
}  // namespace herdpass
