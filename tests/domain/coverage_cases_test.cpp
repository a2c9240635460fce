// The coverage rule against tests/data/coverage_cases.json, the table
// web/src/coverage_cases.test.ts runs through the web app's copy of the rule (web/src/coverage.ts):
// both must give every answer of the file, so the two implementations cannot drift apart. Each case
// goes through ComputeOwnerCoverage (per-unit and owner results, compared whole) and through
// CoverageOf for every unit and disease of its species; a case's coverage_of entries are extra
// single calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "domain/catalogue.h"
#include "domain/coverage.h"
#include "tests/domain/test_dates.h"

namespace herdpass {
namespace {

using nlohmann::json;

json LoadCases() {
  std::ifstream in(HERDPASS_COVERAGE_CASES);
  EXPECT_TRUE(in) << "cannot open " << HERDPASS_COVERAGE_CASES;
  if (!in) return json::object();
  return json::parse(in);
}

Catalogue CatalogueFrom(const json& j) {
  std::vector<Disease> diseases;
  for (const json& d : j.at("diseases")) {
    diseases.push_back({d.at("code").get<std::string>(), d.at("name").get<std::string>(),
                        d.at("immunity_days").get<int>(),
                        d.at("species").get<std::vector<std::string>>()});
  }
  std::vector<VaccineProduct> vaccines;
  for (const json& v : j.at("vaccines")) {
    vaccines.push_back({v.at("code").get<std::string>(), "", "",
                        v.at("diseases").get<std::vector<std::string>>()});
  }
  return Catalogue({}, std::move(diseases), std::move(vaccines));
}

Animal UnitFrom(const json& j, Date today) {
  Animal a;
  a.id = j.at("id").get<int64_t>();
  a.owner_id = 1;
  a.species = j.at("species").get<std::string>();
  a.head_count = j.at("head_count").get<int32_t>();
  const bool flock = j.at("flock").get<bool>();
  const bool alive = j.at("alive").get<bool>();
  if (!flock) {
    a.tag = std::to_string(398000000000000 + a.id);
    if (!alive) {
      a.ended_kind = AnimalEventKind::kDied;
      a.ended_on = today;
    }
  }
  // A flock is alive exactly while it has a head; the file must not say otherwise.
  EXPECT_EQ(a.alive(), alive) << "unit " << a.id << " in the file: alive and head_count disagree";
  return a;
}

Vaccination DoseFrom(const json& j) {
  Vaccination v;
  v.owner_id = 1;
  v.animal_ids = j.at("animal_ids").get<std::vector<int64_t>>();
  v.disease = j.at("disease").get<std::string>();
  v.vaccine = j.at("vaccine").get<std::string>();
  v.head_count = j.at("head_count").get<int32_t>();
  v.administered_on = D(j.at("administered_on").get<std::string>());
  v.voided = j.at("voided").get<bool>();
  return v;
}

// An expected entry with its omitted dates made explicit nulls; any other key is a mistake in the
// file (a misspelt "covered_untill" would otherwise silently expect no date).
json Expected(const json& e) {
  static const std::set<std::string> kKeys = {"disease", "status", "last_dose", "covered_until",
                                              "overdue_since"};
  for (const auto& [k, v] : e.items()) {
    EXPECT_TRUE(kKeys.count(k)) << "unknown key in an expected entry: " << k;
  }
  json out = {{"disease", e.at("disease")}, {"status", e.at("status")}};
  for (const char* k : {"last_dose", "covered_until", "overdue_since"}) {
    out[k] = e.contains(k) ? e.at(k) : json(nullptr);
  }
  return out;
}

json Actual(const DiseaseCoverage& c) {
  auto date = [](const std::optional<Date>& d) { return d ? json(d->ToString()) : json(nullptr); };
  return {{"disease", c.disease},
          {"status", CoverageStateName(c.state)},
          {"last_dose", date(c.last_dose)},
          {"covered_until", date(c.covered_until)},
          {"overdue_since", date(c.overdue_since)}};
}

json ExpectedList(const json& list) {
  json out = json::array();
  for (const json& e : list) out.push_back(Expected(e));
  return out;
}

TEST(CoverageCasesTest, EveryCaseOfTheSharedTable) {
  const json file = LoadCases();
  ASSERT_TRUE(file.contains("cases"));
  ASSERT_FALSE(file.at("cases").empty());
  const Catalogue catalogue = CatalogueFrom(file.at("catalogue"));
  for (const json& k : file.at("cases")) {
    SCOPED_TRACE(k.at("name").get<std::string>());
    const Date today = D(k.at("today").get<std::string>());
    std::vector<Animal> units;
    for (const json& u : k.at("units")) units.push_back(UnitFrom(u, today));
    std::vector<Vaccination> doses;
    for (const json& d : k.at("doses")) doses.push_back(DoseFrom(d));
    const json& expect = k.at("expect");

    OwnerCoverage oc = ComputeOwnerCoverage(catalogue, units, doses, today);
    json owner = json::array();
    for (const DiseaseCoverage& c : oc.diseases) owner.push_back(Actual(c));
    EXPECT_EQ(owner, ExpectedList(expect.at("diseases"))) << owner.dump(1);

    ASSERT_EQ(oc.units.size(), expect.at("units").size());
    ASSERT_EQ(units.size(), expect.at("units").size());
    for (size_t i = 0; i < units.size(); ++i) {
      SCOPED_TRACE("unit " + std::to_string(units[i].id));
      const json want = ExpectedList(expect.at("units").at(i));
      EXPECT_EQ(oc.units[i].animal_id, units[i].id);
      json got = json::array();
      for (const DiseaseCoverage& c : oc.units[i].diseases) got.push_back(Actual(c));
      EXPECT_EQ(got, want) << got.dump(1);
      // CoverageOf alone, for each disease of the unit's species, gives the same entries.
      json one_by_one = json::array();
      for (const Disease* d : catalogue.DiseasesFor(units[i].species)) {
        one_by_one.push_back(Actual(CoverageOf(*d, units[i], doses, today, &catalogue)));
      }
      EXPECT_EQ(one_by_one, want) << one_by_one.dump(1);
    }

    for (const json& call : k.value("coverage_of", json::array())) {
      const Disease* d = catalogue.FindDisease(call.at("disease").get<std::string>());
      ASSERT_NE(d, nullptr) << call.dump();
      const int64_t id = call.at("unit").get<int64_t>();
      auto u =
          std::find_if(units.begin(), units.end(), [&](const Animal& a) { return a.id == id; });
      ASSERT_NE(u, units.end()) << call.dump();
      const Catalogue* cat = call.at("with_catalogue").get<bool>() ? &catalogue : nullptr;
      EXPECT_EQ(Actual(CoverageOf(*d, *u, doses, today, cat)), Expected(call.at("expect")))
          << call.dump();
    }
  }
}

// The file's catalogue is the default one trimmed to fewer species: the same diseases' immunity
// days and the same vaccine products' diseases, so its answers are the ones the server gives.
TEST(CoverageCasesTest, TheTableCatalogueIsTheDefaultOneTrimmed) {
  const json file = LoadCases();
  ASSERT_TRUE(file.contains("catalogue"));
  const Catalogue& def = DefaultCatalogue();
  const Catalogue table = CatalogueFrom(file.at("catalogue"));
  ASSERT_FALSE(table.diseases().empty());
  for (const Disease& d : table.diseases()) {
    const Disease* real = def.FindDisease(d.code);
    ASSERT_NE(real, nullptr) << d.code;
    EXPECT_EQ(d.name, real->name);
    EXPECT_EQ(d.immunity_days, real->immunity_days) << d.code;
    for (const std::string& s : d.species) {
      EXPECT_NE(std::find(real->species.begin(), real->species.end(), s), real->species.end())
          << d.code << " " << s;
    }
  }
  for (const VaccineProduct& v : table.vaccines()) {
    const VaccineProduct* real = def.FindVaccine(v.code);
    ASSERT_NE(real, nullptr) << v.code;
    EXPECT_EQ(v.diseases, real->diseases) << v.code;
  }
}

}  // namespace
}  // namespace herdpass
