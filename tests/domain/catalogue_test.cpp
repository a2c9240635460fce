#include "domain/catalogue.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/domain/status_matchers.h"

namespace herdpass {
namespace {

using ::herdpass::testing::IsInvalidArgument;

const Catalogue& C() { return DefaultCatalogue(); }

std::vector<std::string> Codes(const std::vector<const Disease*>& ds) {
  std::vector<std::string> out;
  for (const Disease* d : ds) out.push_back(d->code);
  return out;
}

TEST(CatalogueTest, DefaultSpecies) {
  std::vector<std::string> codes;
  for (const Species& s : C().species()) codes.push_back(s.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"cattle", "sheep", "goat", "camel", "horse", "yak",
                                             "poultry", "pig"}));
  ASSERT_NE(C().FindSpecies("poultry"), nullptr);
  EXPECT_TRUE(C().FindSpecies("poultry")->flock_only);
  EXPECT_FALSE(C().FindSpecies("sheep")->flock_only);
  EXPECT_EQ(C().FindSpecies("Sheep"), nullptr);
  EXPECT_EQ(C().FindSpecies("dog"), nullptr);
}

TEST(CatalogueTest, DefaultImmunityPeriods) {
  struct Want {
    const char* code;
    int days;
  };
  for (Want w : {Want{"FMD-O", 180}, Want{"FMD-A", 180}, Want{"FMD-ASIA1", 180}, Want{"PPR", 1095},
                 Want{"BRUCELLOSIS", 365}, Want{"ANTHRAX", 365}, Want{"SGP", 365}, Want{"LSD", 365},
                 Want{"HPAI", 180}, Want{"ND", 365}, Want{"RABIES", 365}, Want{"CCPP", 365},
                 Want{"ECHINO", 365}}) {
    const Disease* d = C().FindDisease(w.code);
    ASSERT_NE(d, nullptr) << w.code;
    EXPECT_EQ(d->immunity_days, w.days) << w.code;
    EXPECT_FALSE(d->name.empty());
  }
  EXPECT_EQ(C().diseases().size(), 13u);
  EXPECT_EQ(C().FindDisease("fmd-o"), nullptr);
}

// W14: the incubation periods a trace's window defaults to; none for the diseases without one.
TEST(CatalogueTest, IncubationPeriodsBesideTheImmunityPeriods) {
  struct Want {
    const char* code;
    int days;
  };
  for (Want w : {Want{"FMD-O", 14}, Want{"FMD-A", 14}, Want{"FMD-ASIA1", 14}, Want{"SGP", 21},
                 Want{"PPR", 21}, Want{"ANTHRAX", 20}, Want{"HPAI", 21}, Want{"BRUCELLOSIS", 0},
                 Want{"RABIES", 0}}) {
    const Disease* d = C().FindDisease(w.code);
    ASSERT_NE(d, nullptr) << w.code;
    EXPECT_EQ(d->incubation_days, w.days) << w.code;
  }
}

TEST(CatalogueTest, DiseasesForSpeciesInCatalogueOrder) {
  EXPECT_EQ(Codes(C().DiseasesFor("sheep")),
            (std::vector<std::string>{"FMD-O", "FMD-A", "FMD-ASIA1", "PPR", "BRUCELLOSIS",
                                      "ANTHRAX", "SGP", "ECHINO"}));
  EXPECT_EQ(Codes(C().DiseasesFor("goat")),
            (std::vector<std::string>{"FMD-O", "FMD-A", "FMD-ASIA1", "PPR", "BRUCELLOSIS",
                                      "ANTHRAX", "SGP", "CCPP", "ECHINO"}));
  EXPECT_EQ(Codes(C().DiseasesFor("cattle")),
            (std::vector<std::string>{"FMD-O", "FMD-A", "FMD-ASIA1", "BRUCELLOSIS", "ANTHRAX",
                                      "LSD", "RABIES"}));
  EXPECT_EQ(Codes(C().DiseasesFor("poultry")), (std::vector<std::string>{"HPAI", "ND"}));
  EXPECT_EQ(Codes(C().DiseasesFor("horse")), (std::vector<std::string>{"ANTHRAX", "RABIES"}));
  EXPECT_EQ(Codes(C().DiseasesFor("pig")),
            (std::vector<std::string>{"FMD-O", "FMD-A", "FMD-ASIA1"}));
  EXPECT_TRUE(C().DiseasesFor("dog").empty());
}

TEST(CatalogueTest, ReferencesAreConsistent) {
  std::set<std::string> vaccine_codes;
  std::set<std::string> covered;
  for (const VaccineProduct& v : C().vaccines()) {
    EXPECT_TRUE(vaccine_codes.insert(v.code).second) << "duplicate " << v.code;
    EXPECT_FALSE(v.name.empty()) << v.code;
    EXPECT_FALSE(v.maker.empty()) << v.code;
    EXPECT_FALSE(v.diseases.empty()) << v.code;
    for (const std::string& d : v.diseases) {
      EXPECT_NE(C().FindDisease(d), nullptr) << v.code << " covers unknown " << d;
      covered.insert(d);
    }
  }
  for (const Disease& d : C().diseases()) {
    EXPECT_TRUE(covered.count(d.code)) << "no vaccine for " << d.code;
    for (const std::string& s : d.species) {
      EXPECT_NE(C().FindSpecies(s), nullptr) << d.code << " names unknown species " << s;
    }
  }
}

TEST(CatalogueTest, MultivalentFmdVaccines) {
  const VaccineProduct* bi = C().FindVaccine("FMD-OA-INACT");
  ASSERT_NE(bi, nullptr);
  EXPECT_EQ(bi->diseases, (std::vector<std::string>{"FMD-O", "FMD-A"}));
  const VaccineProduct* tri = C().FindVaccine("FMD-OAASIA1-INACT");
  ASSERT_NE(tri, nullptr);
  EXPECT_EQ(tri->diseases, (std::vector<std::string>{"FMD-O", "FMD-A", "FMD-ASIA1"}));
  EXPECT_EQ(C().FindVaccine("NOPE"), nullptr);
}

TEST(CatalogueTest, CheckVaccinationAcceptsValidTriples) {
  EXPECT_TRUE(C().CheckVaccination("FMD-O", "FMD-OA-INACT", "cattle").ok());
  EXPECT_TRUE(C().CheckVaccination("FMD-ASIA1", "FMD-OAASIA1-INACT", "yak").ok());
  EXPECT_TRUE(C().CheckVaccination("PPR", "PPR-LIVE", "goat").ok());
  EXPECT_TRUE(C().CheckVaccination("ND", "ND-LASOTA", "poultry").ok());
  EXPECT_TRUE(C().CheckVaccination("ECHINO", "ECHINO-EG95", "sheep").ok());
}

TEST(CatalogueTest, CheckVaccinationNamesTheOffendingField) {
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("FMD-O", "FMD-OA-INACT", "dog"), "species",
                                "unknown species \"dog\""));
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("FMD-Z", "FMD-OA-INACT", "cattle"), "disease",
                                "unknown disease \"FMD-Z\""));
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("FMD-O", "FMD-X", "cattle"), "vaccine",
                                "unknown vaccine product \"FMD-X\""));
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("FMD-ASIA1", "FMD-OA-INACT", "cattle"),
                                "vaccine", "FMD-OA-INACT does not protect against FMD-ASIA1"));
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("PPR", "PPR-LIVE", "cattle"), "disease",
                                "PPR is not vaccinated against in cattle"));
  EXPECT_TRUE(IsInvalidArgument(C().CheckVaccination("HPAI", "ND-LASOTA", "poultry"), "vaccine"));
}

TEST(CatalogueTest, CustomCatalogue) {
  Catalogue c({{"reindeer", "Reindeer", false}}, {{"X", "Disease X", 30, {"reindeer"}}},
              {{"X-VAC", "X vaccine", "Maker", {"X"}}});
  EXPECT_TRUE(c.CheckVaccination("X", "X-VAC", "reindeer").ok());
  EXPECT_EQ(Codes(c.DiseasesFor("reindeer")), std::vector<std::string>{"X"});
  EXPECT_TRUE(IsInvalidArgument(c.CheckVaccination("FMD-O", "X-VAC", "reindeer"), "disease"));
  Catalogue empty;
  EXPECT_TRUE(IsInvalidArgument(empty.CheckVaccination("X", "X-VAC", "reindeer"), "species"));
}

}  // namespace
}  // namespace herdpass
