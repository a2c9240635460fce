// Black-box tests of the zone list and of one zone (W14, issue 13 items 2 and 5: GET /zones, which
// the map draws, and GET /zones/{id}) on the real `herdpass` binary: the zones in force today of
// the caller's jurisdiction, with their centre and radii; not a lifted one, nor one that starts
// later, nor another jurisdiction's; the `authority` subtree as GET /outbreaks takes it; one zone
// by id, lifted or not, 404 outside the jurisdiction or unknown; every role that reads outbreaks.
// Also on PostgreSQL (postgres.ZoneApiTest.*).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

class ZoneApiTest : public SharedServerTest<ZoneApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},   {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},    {"aud", "auditor", "", ""},
                  {"vet-alm", "vet", "KZ-ALM", ""}, {"aud-kz", "auditor", "KZ", ""}};
    // The local day is the UTC day the test computes its dates by.
    spec.serve_args = {"--utc-offset", "+00:00"};
    return spec;
  }

 protected:
  // A farm at (lat, lon) registered by `vet` in its jurisdiction, an FMD outbreak reported there
  // and confirmed by the same vet; the outbreak's id and the farm's id.
  std::pair<std::string, int64_t> ConfirmedOutbreak(const std::string& vet, double lat,
                                                    double lon) {
    const std::string code = "ZN-" + NewUuid().substr(0, 8);
    auto farm = client_->Post("/api/v1/holdings",
                              {{"code", code},
                               {"kind", "farm"},
                               {"name", "Farm " + code},
                               {"lat", lat},
                               {"lon", lon},
                               {"opened_on", "2020-01-01"}},
                              Token(vet));
    EXPECT_EQ(farm.status, 201) << farm.body;
    if (farm.status != 201) return {"", 0};
    const int64_t holding = farm.json().at("id").get<int64_t>();
    return {ConfirmedFmdOutbreak(*client_, Token(vet), holding, lat, lon), holding};
  }

  // POST /zones as `vet`; the zone declared (null when refused).
  json Declare(const std::string& vet, json body) {
    auto r = client_->Post("/api/v1/zones", body, Token(vet));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json() : json();
  }

  // A zone of 3 and 10 km round a new confirmed outbreak at (lat, lon); `extra` members added.
  json ZoneAround(const std::string& vet, double lat, double lon, json extra = json::object()) {
    const auto [outbreak, holding] = ConfirmedOutbreak(vet, lat, lon);
    json body = {{"outbreak_id", outbreak},
                 {"protection_km", 3},
                 {"surveillance_km", 10},
                 {"ends_on", DaysFromToday(20)}};
    body.update(extra);
    return Declare(vet, body);
  }

  // GET /zones as `user` (with `query`): the zones listed, by id.
  std::map<int64_t, json> Listed(const std::string& user, const std::string& query = "") {
    auto r = client_->Get("/api/v1/zones" + query, Token(user));
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<int64_t, json> out;
    if (r.status != 200) return out;
    const json page = r.json();
    int64_t last = 0;
    for (const json& z : page.at("items")) {
      const int64_t id = z.at("id").get<int64_t>();
      EXPECT_GT(id, last) << "ordered by id: " << r.body;
      last = id;
      out[id] = z;
    }
    return out;
  }

  static int64_t Id(const json& z) { return z.is_object() ? z.at("id").get<int64_t>() : -1; }
};

TEST_F(ZoneApiTest, ListsTheZonesInForceOfTheCallersJurisdictionWithTheirCentres) {
  // In force: radii round a farm of KZ-ABY, and authority codes; not listed: one lifted, one that
  // starts in five days, and KZ-ALM's.
  const json radii = ZoneAround("vet", 44.0, 70.0, {{"species", {"cattle", "sheep"}}});
  const json codes = Declare("vet", {{"disease", "SGP"},
                                     {"authorities", {"KZ-ABY"}},
                                     {"species", {"sheep", "goat"}},
                                     {"ends_on", DaysFromToday(10)}});
  const json lifted = ZoneAround("vet", 44.5, 70.0);
  const json later = ZoneAround("vet", 45.0, 70.0,
                                {{"starts_on", DaysFromToday(5)}, {"ends_on", DaysFromToday(25)}});
  const json alm = ZoneAround("vet-alm", 43.2, 76.9);
  ASSERT_TRUE(radii.is_object() && codes.is_object() && lifted.is_object() && later.is_object() &&
              alm.is_object());
  auto lift = client_->Post("/api/v1/zones/" + std::to_string(Id(lifted)) + "/lift",
                            {{"reason", "no new case"}}, Token("vet"));
  ASSERT_EQ(lift.status, 200) << lift.body;

  const auto vet = Listed("vet");
  ASSERT_EQ(vet.count(Id(radii)), 1u);
  ASSERT_EQ(vet.count(Id(codes)), 1u);
  EXPECT_EQ(vet.count(Id(lifted)), 0u) << "lifted";
  EXPECT_EQ(vet.count(Id(later)), 0u) << "starts in five days";
  EXPECT_EQ(vet.count(Id(alm)), 0u) << "another jurisdiction's";
  // Each listed as POST /zones answered it: the map draws the radii round lat and lon.
  const json& r = vet.at(Id(radii));
  EXPECT_EQ(r, radii);
  EXPECT_DOUBLE_EQ(r.at("lat").get<double>(), 44.0);
  EXPECT_DOUBLE_EQ(r.at("lon").get<double>(), 70.0);
  EXPECT_DOUBLE_EQ(r.at("protection_km").get<double>(), 3);
  EXPECT_DOUBLE_EQ(r.at("surveillance_km").get<double>(), 10);
  EXPECT_EQ(r.at("species"), json({"cattle", "sheep"}));
  EXPECT_EQ(r.at("authority"), "KZ-ABY");
  const json& c = vet.at(Id(codes));
  EXPECT_EQ(c, codes);
  EXPECT_EQ(c.at("authorities"), json({"KZ-ABY"}));
  EXPECT_FALSE(c.contains("lat")) << c;

  // KZ-ALM's vet sees its own and none of KZ-ABY's; the national auditor sees both, and narrows
  // to a subtree with `authority`.
  const auto vet_alm = Listed("vet-alm");
  EXPECT_EQ(vet_alm.count(Id(alm)), 1u);
  EXPECT_EQ(vet_alm.count(Id(radii)), 0u);
  EXPECT_EQ(vet_alm.count(Id(codes)), 0u);
  const auto national = Listed("aud-kz");
  EXPECT_EQ(national.count(Id(alm)), 1u);
  EXPECT_EQ(national.count(Id(radii)), 1u);
  EXPECT_EQ(national.count(Id(lifted)), 0u);
  const auto narrowed = Listed("aud-kz", "?authority=KZ-ALM");
  EXPECT_EQ(narrowed.count(Id(alm)), 1u);
  EXPECT_EQ(narrowed.count(Id(radii)), 0u);
  EXPECT_EQ(Listed("vet", "?authority=KZ-ABY").count(Id(radii)), 1u);

  // Another subtree than one's own is refused naming authority; a malformed code is a 400.
  ExpectProblem(client_->Get("/api/v1/zones?authority=KZ-ALM", Token("vet")), 403, "authority");
  ExpectProblem(client_->Get("/api/v1/zones?authority=KZ", Token("vet")), 403, "authority");
  ExpectProblem(client_->Get("/api/v1/zones?authority=not%20a%20code", Token("vet")), 400,
                "authority");
}

TEST_F(ZoneApiTest, EveryRoleThatReadsOutbreaksListsZonesAndNobodyElse) {
  const json zone = ZoneAround("vet", 46.0, 70.0);
  ASSERT_TRUE(zone.is_object());
  for (const char* user : {"vacc", "vet", "insp", "aud", "admin"}) {
    SCOPED_TRACE(user);
    const auto listed = Listed(user);
    ASSERT_EQ(listed.count(Id(zone)), 1u);
    EXPECT_EQ(listed.at(Id(zone)), zone);
  }
  ExpectProblem(client_->Get("/api/v1/zones"), 401);
  ExpectProblem(client_->Get("/api/v1/zones/" + std::to_string(Id(zone))), 401);
}

TEST_F(ZoneApiTest, OneZoneByIdLiftedOrNotWithinTheJurisdiction) {
  const json zone = ZoneAround("vet", 46.5, 70.0);
  const json alm = ZoneAround("vet-alm", 43.4, 76.9);
  ASSERT_TRUE(zone.is_object() && alm.is_object());
  const std::string path = "/api/v1/zones/" + std::to_string(Id(zone));
  for (const char* user : {"vacc", "vet", "insp", "aud", "admin", "aud-kz"}) {
    SCOPED_TRACE(user);
    auto r = client_->Get(path, Token(user));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), zone);
  }
  // Lifted, it is still there, with who lifted it and why.
  auto lifted = client_->Post(path + "/lift", {{"reason", "all tests negative"}}, Token("vet"));
  ASSERT_EQ(lifted.status, 200) << lifted.body;
  auto after = client_->Get(path, Token("aud"));
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json(), lifted.json());
  EXPECT_EQ(after.json().at("lift_reason"), "all tests negative");
  EXPECT_TRUE(after.json().contains("lifted_at")) << after.body;

  // Another jurisdiction's zone is no zone of the caller's (404, as lifting it would be); its own
  // vet and the national auditor read it.
  const std::string alm_path = "/api/v1/zones/" + std::to_string(Id(alm));
  ExpectProblem(client_->Get(alm_path, Token("vet")), 404);
  ExpectProblem(client_->Post(alm_path + "/lift", {{"reason", "not mine"}}, Token("vet")), 404);
  EXPECT_EQ(client_->Get(alm_path, Token("vet-alm")).status, 200);
  EXPECT_EQ(client_->Get(alm_path, Token("aud-kz")).status, 200);
  // Unknown and malformed ids.
  ExpectProblem(client_->Get("/api/v1/zones/999999", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/zones/0", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/zones/abc", Token("vet")), 404);
  // The ALM zone lifted by nobody: still in force for its own vet.
  EXPECT_EQ(Listed("vet-alm").count(Id(alm)), 1u);
}

}  // namespace
}  // namespace herdpass::testing
