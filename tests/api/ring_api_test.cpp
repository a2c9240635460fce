// Black-box tests of a zone's ring list (W14, issue 13 item 4: GET /zones/{id}/ring) on the real
// `herdpass` binary: the holdings within 3 km (protection) and 10 km (surveillance) of the
// outbreak, not one 15 km away; on each the animals of the zone's species with their coverage,
// the unvaccinated before the vaccinated; owners' names and phones to vets only; CSV by ?format=
// or Accept; 404 for another jurisdiction's zone or a bad id; who may read it; the audit row.
// Also on PostgreSQL (postgres.RingApiTest.*).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

constexpr double kLatPerKm = 1 / 111.195;

class RingApiTest : public SharedServerTest<RingApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"aud", "auditor", "", ""},
                  {"vet-alm", "vet", "KZ-ALM", ""}};
    spec.serve_args = {"--utc-offset", "+00:00"};
    return spec;
  }

 protected:
  // A farm of `vet` `km` north of (lat, lon); its id.
  int64_t Farm(const std::string& vet, const std::string& code, double lat, double lon) {
    auto r = client_->Post("/api/v1/holdings",
                           {{"code", code},
                            {"kind", "farm"},
                            {"name", "Farm " + code},
                            {"lat", lat},
                            {"lon", lon},
                            {"opened_on", "2020-01-01"}},
                           Token(vet));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
  }

  // A cow of the owner with `phone` on `holding`, given FMD-O `days_ago`; no dose when days_ago
  // is negative (then registered through POST /owners and /animals).
  void Cow(const std::string& phone, const std::string& tag, int64_t holding, int days_ago) {
    if (days_ago >= 0) {
      json dose = {{"id", NewUuid()},
                   {"owner_phone", phone},
                   {"owner_name", "Bolat Seitkali"},
                   {"animal_tags", {tag}},
                   {"species", "cattle"},
                   {"disease", "FMD-O"},
                   {"vaccine", "FMD-O-INACT"},
                   {"batch_no", "LOT-1"},
                   {"dose_ml", 2.0},
                   {"administered_on", DaysFromToday(-days_ago)},
                   {"holding", holding}};
      auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({dose})}},
                             Token("vet"));
      ASSERT_EQ(r.status, 200) << r.body;
      ASSERT_EQ(r.json().at("results")[0].at("status"), "created") << r.body;
      return;
    }
    auto owner = client_->Get("/api/v1/owners?phone=" + phone, Token("vet"));
    int64_t owner_id = 0;
    if (owner.status == 404) {
      auto made = client_->Post("/api/v1/owners", {{"phone", phone}, {"name", "Dana Omarova"}},
                                Token("vet"));
      ASSERT_EQ(made.status, 201) << made.body;
      owner_id = made.json().at("id").get<int64_t>();
    } else {
      ASSERT_EQ(owner.status, 200) << owner.body;
      owner_id = owner.json().at("id").get<int64_t>();
    }
    auto a = client_->Post(
        "/api/v1/animals",
        {{"tag", tag}, {"species", "cattle"}, {"owner_id", owner_id}, {"holding", holding}},
        Token("vet"));
    ASSERT_EQ(a.status, 201) << a.body;
  }

  // A confirmed FMD outbreak at `centre` and a zone of 3 and 10 km round it, for cattle.
  int64_t ZoneAt(const std::string& vet, int64_t centre, double lat, double lon) {
    const std::string id = ConfirmedFmdOutbreak(*client_, Token(vet), centre, lat, lon);
    auto zone = client_->Post("/api/v1/zones",
                              {{"outbreak_id", id},
                               {"protection_km", 3},
                               {"surveillance_km", 10},
                               {"species", {"cattle"}},
                               {"ends_on", DaysFromToday(20)}},
                              Token(vet));
    EXPECT_EQ(zone.status, 201) << zone.body;
    return zone.status == 201 ? zone.json().at("id").get<int64_t>() : 0;
  }

  struct World {
    int64_t zone = 0;
    int64_t centre = 0, near = 0, mid = 0, far = 0;
    std::string owner_phone;  // of the farm 3 km away
    std::string covered_tag, bare_tag;
  };

  // Round (lat, 71): the outbreak's farm; a farm 3 km north (2.99 km: exactly 3 comes out of
  // floating point a hair either side of the radius) with a cow vaccinated 10 days ago and one
  // never vaccinated; a farm 8 km north with a cow vaccinated today; one 15 km north with a cow
  // never vaccinated.
  World MakeWorld(int n, double lat) {
    World w;
    const std::string u = NewUuid().substr(0, 6);
    w.centre = Farm("vet", "OB-" + u, lat, 71.0);
    w.near = Farm("vet", "N3-" + u, lat + 2.99 * kLatPerKm, 71.0);
    w.mid = Farm("vet", "M8-" + u, lat + 8 * kLatPerKm, 71.0);
    w.far = Farm("vet", "F15-" + u, lat + 15 * kLatPerKm, 71.0);
    w.owner_phone = KzPhone(7100 + 10 * n);
    w.covered_tag = KzTag(710000 + 10LL * n);
    w.bare_tag = KzTag(710000 + 10LL * n + 1);
    Cow(w.owner_phone, w.covered_tag, w.near, 10);
    Cow(w.owner_phone, w.bare_tag, w.near, -1);
    Cow(KzPhone(7100 + 10 * n + 1), KzTag(710000 + 10LL * n + 2), w.mid, 0);
    Cow(KzPhone(7100 + 10 * n + 2), KzTag(710000 + 10LL * n + 3), w.far, -1);
    w.zone = ZoneAt("vet", w.centre, lat, 71.0);
    return w;
  }

  std::string Path(int64_t zone) { return "/api/v1/zones/" + std::to_string(zone) + "/ring"; }

  json Ring(int64_t zone, const std::string& user = "vet") {
    auto r = client_->Get(Path(zone), Token(user));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
    return r.status == 200 ? r.json() : json::object();
  }
};

TEST_F(RingApiTest, HoldingsOfEachRadiusWithTheUnvaccinatedFirst) {
  World w = MakeWorld(1, 47.0);
  const json ring = Ring(w.zone);
  EXPECT_EQ(ring.at("zone").at("id"), w.zone);
  EXPECT_EQ(ring.at("disease"), "FMD-O");
  EXPECT_EQ(ring.at("today"), DaysFromToday(0));
  // Protection: the outbreak's farm (no cattle registered there, so after the one with cows to
  // vaccinate), the farm 3 km away; surveillance: the one 8 km away. Not the one 15 km away.
  const json& hs = ring.at("holdings");
  ASSERT_EQ(hs.size(), 3u) << ring.dump(1);
  EXPECT_EQ(hs[0].at("holding").at("id"), w.near);
  EXPECT_EQ(hs[0].at("ring"), "protection");
  EXPECT_NEAR(hs[0].at("distance_m").get<double>(), 3000, 10);
  EXPECT_EQ(hs[1].at("holding").at("id"), w.centre);
  EXPECT_EQ(hs[1].at("ring"), "protection");
  EXPECT_EQ(hs[1].at("distance_m"), 0);
  EXPECT_TRUE(hs[1].at("units").empty());
  EXPECT_EQ(hs[2].at("holding").at("id"), w.mid);
  EXPECT_EQ(hs[2].at("ring"), "surveillance");
  EXPECT_NEAR(hs[2].at("distance_m").get<double>(), 8000, 20);
  for (const json& h : hs) EXPECT_NE(h.at("holding").at("id"), w.far);

  // On the farm 3 km away: the cow never vaccinated, then the one vaccinated 10 days ago, covered
  // for FMD-O's 180 days from that dose.
  const json& units = hs[0].at("units");
  ASSERT_EQ(units.size(), 2u) << hs[0].dump(1);
  EXPECT_EQ(units[0].at("tag"), w.bare_tag);
  EXPECT_EQ(units[0].at("status"), "never");
  EXPECT_TRUE(units[0].at("covered_until").is_null());
  EXPECT_EQ(units[1].at("tag"), w.covered_tag);
  EXPECT_EQ(units[1].at("status"), "covered");
  EXPECT_EQ(units[1].at("last_dose"), DaysFromToday(-10));
  EXPECT_EQ(units[1].at("covered_until"), DaysFromToday(-10 + 179));
  EXPECT_EQ(hs[0].at("head"), 2);
  EXPECT_EQ(hs[0].at("head_uncovered"), 1);
  EXPECT_EQ(hs[2].at("units")[0].at("status"), "covered");
  EXPECT_EQ(ring.at("head"), 3);
  EXPECT_EQ(ring.at("head_uncovered"), 1);
  // The vet reads the owners in full.
  EXPECT_EQ(units[0].at("owner").at("phone"), w.owner_phone);
  EXPECT_EQ(units[0].at("owner").at("name"), "Bolat Seitkali");
  EXPECT_EQ(units[0].at("owner").at("masked"), false);
}

TEST_F(RingApiTest, AuditorsAndAdminsSeeMaskedOwnersAndEveryReadIsAudited) {
  World w = MakeWorld(2, 47.5);
  for (const char* user : {"aud", "admin"}) {
    SCOPED_TRACE(user);
    const json ring = Ring(w.zone, user);
    ASSERT_EQ(ring.at("holdings").size(), 3u);
    const json& units = ring.at("holdings")[0].at("units");
    ASSERT_FALSE(units.empty()) << ring.dump(1);
    const json& owner = units[0].at("owner");
    EXPECT_EQ(owner.at("masked"), true);
    EXPECT_TRUE(owner.at("phone").is_null()) << owner;
    EXPECT_EQ(owner.at("name"), "B**** S*******");
    EXPECT_EQ(ring.dump().find(w.owner_phone), std::string::npos);
  }
  Ring(w.zone, "vet");
  // Vaccinators and inspectors may not; nor anyone signed out.
  ExpectProblem(client_->Get(Path(w.zone), Token("vacc")), 403);
  ExpectProblem(client_->Get(Path(w.zone), Token("insp")), 403);
  ExpectProblem(client_->Get(Path(w.zone)), 401);

  // One audit row per read, with the zone and the counts; the vet's names the owners it showed.
  auto audit = client_->Get("/api/v1/audit?action=zone.ring&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  int vet_rows = 0, masked_rows = 0;
  const json rows = audit.json().at("items");
  for (const json& row : rows) {
    if (row.at("target") != "zone:" + std::to_string(w.zone)) continue;
    const json& d = row.at("detail");
    EXPECT_EQ(d.at("zone"), w.zone) << row;
    EXPECT_EQ(d.at("holdings"), 3) << row;
    EXPECT_EQ(d.at("units"), 3) << row;
    EXPECT_EQ(d.at("head_uncovered"), 1) << row;
    if (row.at("username") == "vet") {
      ++vet_rows;
      EXPECT_EQ(d.at("owners_read").size(), 2u) << row;
    } else {
      ++masked_rows;
      EXPECT_FALSE(d.contains("owners_read")) << row;
    }
  }
  EXPECT_EQ(vet_rows, 1) << audit.body.substr(0, 3000);
  EXPECT_EQ(masked_rows, 2) << audit.body.substr(0, 3000);
}

TEST_F(RingApiTest, RingListAsCsvByFormatOrAccept) {
  World w = MakeWorld(3, 48.0);
  for (const std::string how : {"format", "accept"}) {
    SCOPED_TRACE(how);
    auto csv = how == "format" ? client_->Get(Path(w.zone) + "?format=csv", Token("vet"))
                               : client_->Send("GET", Path(w.zone), "", "", Token("vet"),
                                               {{"Accept", "text/csv"}});
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_NE(csv.header("Content-Disposition").find("ring-zone-" + std::to_string(w.zone)),
              std::string::npos);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < csv.body.size()) {
      const size_t end = csv.body.find("\r\n", start);
      ASSERT_NE(end, std::string::npos) << csv.body;
      lines.push_back(csv.body.substr(start, end - start));
      start = end + 2;
    }
    // The header, the two cows 3 km away (the unvaccinated first), the outbreak's farm with no
    // cattle, the cow 8 km away.
    ASSERT_EQ(lines.size(), 5u) << csv.body;
    EXPECT_EQ(lines[0],
              "ring,distance_km,holding_code,holding_name,holding_authority,owner_name,"
              "owner_phone,tag,species,head,status,covered_until,last_dose");
    EXPECT_EQ(lines[1].rfind("protection,3.0,N3-", 0), 0u) << lines[1];
    EXPECT_NE(
        lines[1].find(",Bolat Seitkali," + w.owner_phone + "," + w.bare_tag + ",cattle,1,never,,"),
        std::string::npos)
        << lines[1];
    EXPECT_NE(lines[2].find(w.covered_tag + ",cattle,1,covered," + DaysFromToday(169) + "," +
                            DaysFromToday(-10)),
              std::string::npos)
        << lines[2];
    EXPECT_EQ(lines[3].rfind("protection,0.0,OB-", 0), 0u) << lines[3];
    EXPECT_EQ(lines[4].rfind("surveillance,8.0,M8-", 0), 0u) << lines[4];
  }
  ExpectProblem(client_->Get(Path(w.zone) + "?format=xml", Token("vet")), 400, "format");
}

TEST_F(RingApiTest, AnotherJurisdictionsZoneOrABadIdIsNotFound) {
  const int64_t alm_farm = Farm("vet-alm", "ALM-" + NewUuid().substr(0, 6), 43.3, 76.9);
  const int64_t alm = ZoneAt("vet-alm", alm_farm, 43.3, 76.9);
  ASSERT_GT(alm, 0);
  ExpectProblem(client_->Get(Path(alm), Token("vet")), 404);
  ExpectProblem(client_->Get(Path(alm), Token("aud")), 404);
  EXPECT_EQ(client_->Get(Path(alm), Token("vet-alm")).status, 200);
  ExpectProblem(client_->Get(Path(999999), Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/zones/0/ring", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/zones/abc/ring", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/zones/-3/ring", Token("vet")), 404);
}

}  // namespace
}  // namespace herdpass::testing
