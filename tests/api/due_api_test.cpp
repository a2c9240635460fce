// Black-box tests of the due list (W15, issue 15 item 5) on the real `herdpass` binary: what lapses
// within the days asked appears and what is covered longer does not, by village; JSON and CSV;
// roles and jurisdiction (admins see masked names and no phones); bad input named and unaudited;
// one audit row per list with its parameters; the phone-lookup rate limit.
//
// Each test uses an authority of its own below KZ-ABY (KZ-ABY-7n) and its own phones and tags
// (9000 + 100 * test index and up), so that the tests of the shared server do not see each other.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

class DueApiTest : public SharedServerTest<DueApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"aud", "auditor", "", ""},
                  {"vacc-alm", "vaccinator", "KZ-ALM", ""}};
    return spec;
  }

 protected:
  // An owner of `authority` in `village`; returns its id.
  int64_t Owner(const std::string& phone, const std::string& name, const std::string& village,
                const std::string& authority) {
    auto r = client_->Post(
        "/api/v1/owners",
        {{"phone", phone}, {"name", name}, {"village", village}, {"authority", authority}},
        Token("vacc"));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
  }

  void Animal(int64_t owner_id, const std::string& tag) {
    auto r =
        client_->Post("/api/v1/animals",
                      {{"tag", tag}, {"species", "sheep"}, {"owner_id", owner_id}}, Token("vacc"));
    EXPECT_EQ(r.status, 201) << r.body;
  }

  // An FMD-O dose given `days_ago` days ago to the owner's tagged sheep (FMD-O protects 180 days:
  // a dose 170 days ago lapses in 10 days).
  void Dose(const std::string& phone, const std::string& tag, int days_ago) {
    json record = {{"id", NewUuid()},      {"owner_phone", phone},
                   {"animal_tags", {tag}}, {"species", "sheep"},
                   {"disease", "FMD-O"},   {"vaccine", "FMD-O-INACT"},
                   {"batch_no", "LOT-9"},  {"administered_on", DaysFromToday(-days_ago)}};
    auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({record})}},
                           Token("vacc"));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().value("created", 0), 1) << r.body;
  }

  HttpResponse Due(const std::string& query, const std::string& user) {
    return client_->Get("/api/v1/due?" + query, Token(user));
  }

  // "village/owner name/tag/disease/status/lapses_on" of each due entry, in the answer's order.
  static std::vector<std::string> Entries(const json& list) {
    std::vector<std::string> out;
    for (const json& v : list.at("villages")) {
      for (const json& o : v.at("owners")) {
        for (const json& u : o.at("units")) {
          for (const json& d : u.at("due")) {
            out.push_back(
                v.at("village").get<std::string>() + "/" + o.at("name").get<std::string>() + "/" +
                u.at("tag").get<std::string>() + "/" + d.at("disease").get<std::string>() + "/" +
                d.at("status").get<std::string>() + "/" +
                (d.at("lapses_on").is_null() ? "-" : d.at("lapses_on").get<std::string>()));
          }
        }
      }
    }
    return out;
  }

  size_t AuditRows() {
    auto r = client_->Get("/api/v1/audit?action=due.read&limit=1000", Token("aud"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("items").size() : 0;
  }

  // Two owners of `authority`: in Bakanas, one sheep lapsing in 10 days and one covered for 170
  // more; in Akshi, one sheep never vaccinated. Returns the tags (lapsing, covered, never).
  std::vector<std::string> Seed(int n, const std::string& authority) {
    const std::string p1 = KzPhone(n + 1), p2 = KzPhone(n + 2);
    const std::string lapsing = KzTag(100 * n + 1), covered = KzTag(100 * n + 2),
                      never = KzTag(100 * n + 3);
    const int64_t bakanas = Owner(p1, "Saule Nurlanova", "Bakanas", authority);
    const int64_t akshi = Owner(p2, "Erlan Bekov", "Akshi", authority);
    Animal(bakanas, lapsing);
    Animal(bakanas, covered);
    Animal(akshi, never);
    Dose(p1, lapsing, 170);
    Dose(p1, covered, 10);
    return {lapsing, covered, never};
  }
};

TEST_F(DueApiTest, WhatLapsesWithinTheDaysIsListedByVillageAndWhatIsCoveredIsNot) {
  const auto tags = Seed(9000, "KZ-ABY-71");
  auto r = Due("days=30&disease=FMD-O&authority=KZ-ABY-71", "vacc");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  const json list = r.json();
  EXPECT_EQ(list.at("days"), 30);
  EXPECT_EQ(list.at("today"), DaysFromToday(0));
  EXPECT_EQ(list.at("through"), DaysFromToday(30));
  EXPECT_EQ(list.at("masked"), false);
  EXPECT_EQ(list.at("truncated"), false);
  EXPECT_EQ(Entries(list),
            (std::vector<std::string>{
                "Akshi/Erlan Bekov/" + tags[2] + "/FMD-O/never/-",
                "Bakanas/Saule Nurlanova/" + tags[0] + "/FMD-O/covered/" + DaysFromToday(10),
            }));
  ASSERT_EQ(list.at("villages").size(), 2u);
  const json& akshi = list.at("villages")[0];
  EXPECT_EQ(akshi.at("owner_count"), 1);
  EXPECT_EQ(akshi.at("unit_count"), 1);
  EXPECT_EQ(akshi.at("head_count"), 1);
  EXPECT_EQ(akshi.at("owners")[0].at("phone"), KzPhone(9002));
  const json& unit = list.at("villages")[1].at("owners")[0].at("units")[0];
  EXPECT_EQ(unit.at("due")[0].at("last_dose"), DaysFromToday(-170));

  // Within 5 days the sheep lapsing in 10 is not due.
  auto soon = Due("days=5&disease=FMD-O&authority=KZ-ABY-71", "vacc");
  ASSERT_EQ(soon.status, 200) << soon.body;
  EXPECT_EQ(Entries(soon.json()),
            (std::vector<std::string>{"Akshi/Erlan Bekov/" + tags[2] + "/FMD-O/never/-"}));

  // The same as CSV, one line per unit and disease.
  auto csv = Due("days=30&disease=FMD-O&authority=KZ-ABY-71&format=csv", "vet");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body,
            "village,authority,owner_id,owner_name,owner_phone,tag,species,head_count,disease,"
            "status,last_dose,lapses_on\r\n"
            "Akshi,KZ-ABY-71," +
                std::to_string(akshi.at("owners")[0].at("id").get<int64_t>()) + ",Erlan Bekov," +
                KzPhone(9002) + "," + tags[2] + ",sheep,1,FMD-O,never,,\r\n" +
                "Bakanas,KZ-ABY-71," +
                std::to_string(list.at("villages")[1].at("owners")[0].at("id").get<int64_t>()) +
                ",Saule Nurlanova," + KzPhone(9001) + "," + tags[0] + ",sheep,1,FMD-O,covered," +
                DaysFromToday(-170) + "," + DaysFromToday(10) + "\r\n");
}

TEST_F(DueApiTest, RolesAndJurisdiction) {
  Seed(9100, "KZ-ABY-72");
  // Outside the caller's subtree: 403 naming the authority; another district's list is empty of
  // these owners.
  ExpectProblem(Due("authority=KZ-ABY-72", "vacc-alm"), 403, "authority");
  auto alm = Due("disease=FMD-O", "vacc-alm");
  ASSERT_EQ(alm.status, 200) << alm.body;
  EXPECT_EQ(alm.json().at("authority"), "KZ-ALM");
  EXPECT_TRUE(Entries(alm.json()).empty()) << alm.body;
  // Inspectors and auditors do not plan campaigns.
  ExpectProblem(Due("authority=KZ-ABY-72", "insp"), 403);
  ExpectProblem(Due("authority=KZ-ABY-72", "aud"), 403);
  ExpectProblem(client_->Get("/api/v1/due?authority=KZ-ABY-72"), 401);
  // An admin plans from masked names, without phones.
  auto admin = Due("disease=FMD-O&authority=KZ-ABY-72", "admin");
  ASSERT_EQ(admin.status, 200) << admin.body;
  const json masked = admin.json();
  EXPECT_EQ(masked.at("masked"), true);
  const json& owner = masked.at("villages")[0].at("owners")[0];
  EXPECT_EQ(owner.at("name"), "E**** B****") << owner;
  EXPECT_FALSE(owner.contains("phone")) << owner;
  auto csv = Due("disease=FMD-O&authority=KZ-ABY-72&format=csv", "admin");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find(KzPhone(9101)), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find("Saule"), std::string::npos) << csv.body;
}

TEST_F(DueApiTest, BadInputIsRefusedNamingTheFieldAndNotAudited) {
  Seed(9200, "KZ-ABY-73");
  const size_t before = AuditRows();
  ExpectProblem(Due("days=0&authority=KZ-ABY-73", "vacc"), 400, "days");
  ExpectProblem(Due("days=400&authority=KZ-ABY-73", "vacc"), 400, "days");
  ExpectProblem(Due("days=-3&authority=KZ-ABY-73", "vacc"), 400, "days");
  ExpectProblem(Due("days=ten&authority=KZ-ABY-73", "vacc"), 400, "days");
  ExpectProblem(Due("disease=RABIES-X&authority=KZ-ABY-73", "vacc"), 400, "disease");
  ExpectProblem(Due("authority=not%20a%20code", "vacc"), 400, "authority");
  ExpectProblem(Due("authority=KZ-ABY-73&format=xml", "vacc"), 400, "format");
  ExpectProblem(Due("authority=KZ-ALM", "vacc"), 403, "authority");
  EXPECT_EQ(AuditRows(), before);
}

TEST_F(DueApiTest, EachListLeavesOneAuditRowWithItsParameters) {
  Seed(9300, "KZ-ABY-74");
  const size_t before = AuditRows();
  auto r = Due("days=45&disease=FMD-O&authority=KZ-ABY-74", "vet");
  ASSERT_EQ(r.status, 200) << r.body;
  auto after = client_->Get("/api/v1/audit?action=due.read&limit=1000", Token("aud"));
  ASSERT_EQ(after.status, 200) << after.body;
  const json items = after.json().at("items");
  ASSERT_EQ(items.size(), before + 1) << after.body;
  const json* row = nullptr;
  for (const json& item : items) {
    if (item.at("username") == "vet" && item.at("target") == "authority:KZ-ABY-74") row = &item;
  }
  ASSERT_NE(row, nullptr) << after.body;
  EXPECT_EQ(row->at("detail").at("days"), 45) << *row;
  EXPECT_EQ(row->at("detail").at("disease"), "FMD-O") << *row;
  EXPECT_EQ(row->at("detail").at("through"), DaysFromToday(45)) << *row;
  EXPECT_EQ(row->at("detail").at("owners"), 2) << *row;
  EXPECT_EQ(row->at("detail").at("due"), 2) << *row;
  EXPECT_EQ(row->at("detail").at("masked"), false) << *row;
}

// A list counts as a phone lookup: past the caller's limit per minute (here 2), 429. The windows
// are whole minutes: within 2 x 2 + 1 lists one is refused, even if a minute turns over between.
class DueRateApiTest : public SharedServerTest<DueRateApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""}};
    spec.serve_args = {"--lookups-per-minute", "2"};
    return spec;
  }
};

TEST_F(DueRateApiTest, ListsPastTheLookupLimitAreRefused) {
  int refused = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = client_->Get("/api/v1/due?days=10", Token("vacc"));
    if (r.status == 429) {
      ++refused;
      ExpectProblem(r, 429);
    } else {
      EXPECT_EQ(r.status, 200) << i << r.body;
    }
  }
  EXPECT_GE(refused, 1);
}

}  // namespace
}  // namespace herdpass::testing
