// Black-box tests of tracing (W14, issue 13 item 3) on the real `herdpass` binary: a trace from a
// farm finds a holding two sales away and stops at its depth and window; backward and both ways;
// one animal by its tag, the replaced one too; the CSV and GeoJSON answers; every bad parameter a
// 400 naming it; who may trace; owners' names only to the roles that read owners; the audit row.
//
// Each test uses its own phone numbers and ear tags (9000 + 10 * test index and up).
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

class TraceApiTest : public SharedServerTest<TraceApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""}, {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},  {"aud", "auditor", "", ""},
                  {"vet-alm", "vet", "KZ-ALM", ""}};
    spec.serve_args = {"--utc-offset", "+00:00"};
    return spec;
  }

 protected:
  // A farm A sells to a market M, M sells to a farm B, B moves animals to C (breeding): all
  // arrived today. A is kept by the owner of the first herd.
  struct World {
    std::map<std::string, int64_t> id;  // A, M, B, C -> holding id
    std::map<int64_t, std::string> name;
    std::vector<std::string> numbers;  // the three certificates' numbers, in order
    std::string tag;                   // the first herd's cow (A to M)
    std::string owner_phone;
    int64_t owner_id = 0;
  };

  int64_t AddHolding(const std::string& code, const std::string& kind, double lat,
                     std::optional<int64_t> owner = std::nullopt) {
    json body = {{"code", code}, {"kind", kind},      {"name", "Holding " + code},
                 {"lat", lat},   {"lon", 81.0},       {"opened_on", "2020-01-01"}};
    if (owner) body["owner_id"] = *owner;
    auto r = client_->Post("/api/v1/holdings", body, Token("vet"));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
  }

  // An owner with one vaccinated cow; its tag.
  std::string Cow(const std::string& phone, long long tag_n) {
    const std::string tag = KzTag(tag_n);
    json dose = {{"id", NewUuid()},
                 {"owner_phone", phone},
                 {"owner_name", "Bolat Seitkali"},
                 {"animal_tags", {tag}},
                 {"species", "cattle"},
                 {"disease", "FMD-O"},
                 {"vaccine", "FMD-OA-INACT"},
                 {"batch_no", "LOT-1"},
                 {"dose_ml", 2.0},
                 {"administered_on", DaysFromToday(0)}};
    auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({dose})}},
                           Token("vet"));
    EXPECT_EQ(r.status, 200) << r.body;
    return tag;
  }

  // The cow of `phone` certified from `from` to `to` and arrived there; the certificate number.
  std::string Move(const std::string& phone, const std::string& tag, int64_t from, int64_t to,
                   const std::string& purpose) {
    auto issued = client_->Post("/api/v1/certificates",
                                {{"owner_phone", phone},
                                 {"animal_tags", {tag}},
                                 {"species", "cattle"},
                                 {"purpose", purpose},
                                 {"origin_place", "Kopa village"},
                                 {"origin_holding", from},
                                 {"destination", "KZ-ABY"},
                                 {"destination_place", "next holding"},
                                 {"destination_holding", to},
                                 {"transport", "truck 123 ABC 05"}},
                                Token("vet"));
    EXPECT_EQ(issued.status, 201) << issued.body;
    if (issued.status != 201) return "";
    const json c = issued.json();
    auto arrived = client_->Post("/api/v1/certificates/" + c.at("id").get<std::string>() +
                                     "/consume",
                                 {{"place", "gate"}, {"holding", to}}, Token("insp"));
    EXPECT_EQ(arrived.status, 200) << arrived.body;
    return c.at("number");
  }

  World MakeWorld(int n) {
    World w;
    const std::string u = NewUuid().substr(0, 8);
    w.owner_phone = KzPhone(9000 + 10 * n);
    w.tag = Cow(w.owner_phone, 900000 + 10LL * n);
    auto owner = client_->Get("/api/v1/owners?phone=" + w.owner_phone, Token("vet"));
    EXPECT_EQ(owner.status, 200) << owner.body;
    w.owner_id = owner.json().at("id").get<int64_t>();
    w.id["A"] = AddHolding("A-" + u, "farm", 46.0 + 0.01 * n, w.owner_id);
    w.id["M"] = AddHolding("M-" + u, "market", 46.1 + 0.01 * n);
    w.id["B"] = AddHolding("B-" + u, "farm", 46.2 + 0.01 * n);
    w.id["C"] = AddHolding("C-" + u, "farm", 46.3 + 0.01 * n);
    for (const auto& [k, v] : w.id) w.name[v] = k;
    const std::string p2 = KzPhone(9000 + 10 * n + 1), p3 = KzPhone(9000 + 10 * n + 2);
    const std::string t2 = Cow(p2, 900000 + 10LL * n + 1), t3 = Cow(p3, 900000 + 10LL * n + 2);
    w.numbers.push_back(Move(w.owner_phone, w.tag, w.id["A"], w.id["M"], "sale"));
    w.numbers.push_back(Move(p2, t2, w.id["M"], w.id["B"], "sale"));
    w.numbers.push_back(Move(p3, t3, w.id["B"], w.id["C"], "breeding"));
    return w;
  }

  json Trace(const std::string& query, const std::string& token = "vet") {
    auto r = client_->Get("/api/v1/trace?" + query, Token(token));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json() : json::object();
  }

  // "name@hop" of each holding of a trace answer, as listed.
  static std::vector<std::string> Holdings(const json& t, const World& w) {
    std::vector<std::string> out;
    for (const json& h : t.value("holdings", json::array())) {
      auto found = w.name.find(h.at("id").get<int64_t>());
      out.push_back((found == w.name.end() ? "?" : found->second) + "@" +
                    std::to_string(h.at("hop").get<int>()));
    }
    return out;
  }

  // "hop direction kind from>to" of each movement.
  static std::vector<std::string> Steps(const json& t, const World& w) {
    std::vector<std::string> out;
    for (const json& m : t.value("movements", json::array())) {
      out.push_back(std::to_string(m.at("hop").get<int>()) + " " +
                    m.at("direction").get<std::string>() + " " + m.at("kind").get<std::string>() +
                    " " + w.name.at(m.at("from_holding").get<int64_t>()) + ">" +
                    w.name.at(m.at("to_holding").get<int64_t>()));
    }
    return out;
  }
};

TEST_F(TraceApiTest, TraceFindsAHoldingTwoSalesAwayAndNoneOutsideTheWindowOrDepth) {
  World w = MakeWorld(1);
  const std::string a = std::to_string(w.id["A"]);
  json t = Trace("holding=" + a + "&disease=FMD-O");
  EXPECT_EQ(t.at("start").at("holding").at("id"), w.id["A"]);
  EXPECT_EQ(t.at("depth"), 2);
  EXPECT_EQ(t.at("direction"), "forward");
  EXPECT_EQ(t.at("disease"), "FMD-O");
  // The window: FMD's incubation period (14 days) back from today.
  EXPECT_EQ(t.at("to"), DaysFromToday(0));
  EXPECT_EQ(t.at("from"), DaysFromToday(-14));
  EXPECT_EQ(Holdings(t, w), (std::vector<std::string>{"A@0", "M@1", "B@2"}));
  EXPECT_EQ(Steps(t, w), (std::vector<std::string>{"1 forward sale A>M", "2 forward sale M>B"}));
  ASSERT_EQ(t.at("movements").size(), 2u);
  EXPECT_EQ(t.at("movements")[0].at("number"), w.numbers[0]);
  EXPECT_EQ(t.at("movements")[1].at("number"), w.numbers[1]);
  EXPECT_EQ(t.at("movements")[1].at("head"), 1);
  const json& b = t.at("holdings")[2];
  EXPECT_EQ(b.at("kind"), "farm");
  EXPECT_EQ(b.at("first_at"), t.at("movements")[1].at("at"));
  EXPECT_TRUE(b.at("owner_id").is_null());
  // A's owner, at hop 0, named to the vet (who reads owners).
  ASSERT_EQ(t.at("owners").size(), 1u) << t.dump(1);
  EXPECT_EQ(t.at("owners")[0].at("id"), w.owner_id);
  EXPECT_EQ(t.at("owners")[0].at("hop"), 0);
  EXPECT_EQ(t.at("owners")[0].at("phone"), w.owner_phone);
  EXPECT_EQ(t.at("owners")[0].at("name"), "Bolat Seitkali");

  // Three hops reach C; a window that ended yesterday reaches nothing.
  EXPECT_EQ(Holdings(Trace("holding=" + a + "&depth=3"), w),
            (std::vector<std::string>{"A@0", "M@1", "B@2", "C@3"}));
  json past = Trace("holding=" + a + "&from=" + DaysFromToday(-30) + "&to=" + DaysFromToday(-1));
  EXPECT_EQ(Holdings(past, w), std::vector<std::string>{"A@0"});
  EXPECT_TRUE(past.at("movements").empty());
  EXPECT_EQ(past.at("from"), DaysFromToday(-30));
  EXPECT_TRUE(past.at("disease").is_null());

  // The auditor traces too, without the owner's name or phone.
  json seen = Trace("holding=" + a, "aud");
  ASSERT_EQ(seen.at("owners").size(), 1u);
  EXPECT_FALSE(seen.at("owners")[0].contains("phone"));
  EXPECT_FALSE(seen.at("owners")[0].contains("name"));
  EXPECT_EQ(seen.dump().find(w.owner_phone), std::string::npos);

  // Each trace is audited with its parameters; the vet's names the owner it showed.
  auto audit = client_->Get("/api/v1/audit?action=trace&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  int vet_rows = 0, aud_rows = 0;
  const json rows = audit.json().at("items");
  for (const json& row : rows) {
    if (row.at("target") != "holding:" + a) continue;
    const json& d = row.at("detail");
    if (row.at("username") == "vet" && d.value("depth", 0) == 2 && d.contains("disease")) {
      ++vet_rows;
      EXPECT_EQ(d.at("disease"), "FMD-O") << row;
      EXPECT_EQ(d.at("from"), DaysFromToday(-14)) << row;
      EXPECT_EQ(d.at("direction"), "forward") << row;
      EXPECT_EQ(d.at("owners_read"), json::array({std::to_string(w.owner_id)})) << row;
    }
    if (row.at("username") == "aud") {
      ++aud_rows;
      EXPECT_FALSE(d.contains("owners_read")) << row;
    }
  }
  EXPECT_EQ(vet_rows, 1) << audit.body.substr(0, 3000);
  EXPECT_EQ(aud_rows, 1) << audit.body.substr(0, 3000);
}

TEST_F(TraceApiTest, TraceBackwardAndBothWays) {
  World w = MakeWorld(2);
  json back = Trace("holding=" + std::to_string(w.id["C"]) + "&direction=backward&depth=3");
  EXPECT_EQ(Holdings(back, w), (std::vector<std::string>{"C@0", "B@1", "M@2", "A@3"}));
  EXPECT_EQ(Steps(back, w),
            (std::vector<std::string>{"1 backward arrival B>C", "2 backward sale M>B",
                                      "3 backward sale A>M"}));
  json both = Trace("holding=" + std::to_string(w.id["M"]) + "&direction=both&depth=1");
  EXPECT_EQ(Steps(both, w),
            (std::vector<std::string>{"1 backward sale A>M", "1 forward sale M>B"}));
  EXPECT_EQ(both.at("direction"), "both");
}

TEST_F(TraceApiTest, TraceOfOneAnimalByItsTagAndByTheTagItWoreBefore) {
  World w = MakeWorld(3);
  json t = Trace("tag=" + w.tag);
  EXPECT_EQ(t.at("start").at("tag"), w.tag);
  EXPECT_EQ(t.at("depth"), 5);
  // The cow went from A to M only; M's sale to B was another owner's animals.
  EXPECT_EQ(Steps(t, w), std::vector<std::string>{"1 forward sale A>M"});
  EXPECT_EQ(Holdings(t, w), (std::vector<std::string>{"A@0", "M@1"}));
  const std::string new_tag = KzTag(900000 + 10LL * 3 + 9);
  auto replaced = client_->Post("/api/v1/animals/" + w.tag + "/events",
                                {{"id", NewUuid()},
                                 {"kind", "tag_replaced"},
                                 {"new_tag", new_tag},
                                 {"date", DaysFromToday(0)}},
                                Token("vet"));
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  EXPECT_EQ(Steps(Trace("tag=" + new_tag), w), std::vector<std::string>{"1 forward sale A>M"});
  EXPECT_EQ(Steps(Trace("tag=" + w.tag), w), std::vector<std::string>{"1 forward sale A>M"});
}

TEST_F(TraceApiTest, TraceAsCsvAndGeoJson) {
  World w = MakeWorld(4);
  const std::string q = "holding=" + std::to_string(w.id["A"]);
  for (const std::string& how : {std::string("format"), std::string("accept")}) {
    SCOPED_TRACE(how);
    auto csv = how == "format"
                   ? client_->Get("/api/v1/trace?" + q + "&format=csv", Token("vet"))
                   : client_->Send("GET", "/api/v1/trace?" + q, "", "", Token("vet"),
                                   {{"Accept", "text/csv"}});
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.header("Content-Type").rfind("text/csv", 0), 0u);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < csv.body.size()) {
      size_t end = csv.body.find("\r\n", start);
      ASSERT_NE(end, std::string::npos);
      lines.push_back(csv.body.substr(start, end - start));
      start = end + 2;
    }
    ASSERT_EQ(lines.size(), 3u) << csv.body;
    EXPECT_EQ(lines[0],
              "hop,direction,kind,number,certificate_id,at,head,from_holding,from_code,"
              "from_authority,to_holding,to_code,to_authority");
    EXPECT_EQ(lines[2].rfind("2,forward,sale," + w.numbers[1] + ",", 0), 0u) << lines[2];
    EXPECT_NE(lines[2].find(",M-"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find(",B-"), std::string::npos) << lines[2];

    auto geo = how == "format" ? client_->Get("/api/v1/trace?" + q + "&format=geojson",
                                              Token("vet"))
                               : client_->Send("GET", "/api/v1/trace?" + q, "", "", Token("vet"),
                                               {{"Accept", "application/geo+json"}});
    ASSERT_EQ(geo.status, 200) << geo.body;
    EXPECT_EQ(geo.header("Content-Type"), "application/geo+json");
    const json g = geo.json();
    EXPECT_EQ(g.at("type"), "FeatureCollection");
    std::multiset<std::string> kinds;
    for (const json& f : g.at("features")) {
      EXPECT_EQ(f.at("type"), "Feature");
      const std::string type = f.at("geometry").at("type");
      kinds.insert(type);
      if (type == "Point") {
        const json& p = f.at("properties");
        if (p.at("id") == w.id["M"]) {
          const json& at = f.at("geometry").at("coordinates");
          EXPECT_EQ(at.at(0).get<double>(), 81.0);
          EXPECT_NEAR(at.at(1).get<double>(), 46.1 + 0.01 * 4, 1e-9);
          EXPECT_EQ(p.at("hop"), 1);
          EXPECT_EQ(p.at("kind"), "market");
        }
      } else {
        EXPECT_EQ(f.at("geometry").at("coordinates").size(), 2u);
        EXPECT_TRUE(f.at("properties").contains("number"));
      }
    }
    EXPECT_EQ(kinds, (std::multiset<std::string>{"Point", "Point", "Point", "LineString",
                                                 "LineString"}));
  }
}

TEST_F(TraceApiTest, EveryBadParameterIsA400NamingItAndTheRolesThatMayNotTraceAre403) {
  World w = MakeWorld(5);
  const std::string a = "holding=" + std::to_string(w.id["A"]);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {a + "&depth=6", "depth"},
      {a + "&depth=0", "depth"},
      {a + "&depth=two", "depth"},
      {a + "&from=" + DaysFromToday(-400), "from"},
      {a + "&from=" + DaysFromToday(-2) + "&to=" + DaysFromToday(-3), "to"},
      {a + "&from=2026-02-30", "from"},
      {a + "&direction=sideways", "direction"},
      {a + "&disease=NOPE", "disease"},
      {a + "&format=xml", "format"},
      {"holding=99999999", "holding"},
      {"holding=abc", "holding"},
      {"tag=" + KzTag(999999), "tag"},
      {"tag=12", "tag"},
      {a + "&tag=" + w.tag, "tag"},
      {"depth=2", "holding"},
  };
  for (const auto& [query, field] : cases) {
    SCOPED_TRACE(query);
    ExpectProblem(client_->Get("/api/v1/trace?" + query, Token("vet")), 400, field);
  }
  // A holding of another province is none of the vet's.
  ExpectProblem(client_->Get("/api/v1/trace?" + a, Token("vet-alm")), 400, "holding");
  ExpectProblem(client_->Get("/api/v1/trace?" + a, Token("vacc")), 403);
  ExpectProblem(client_->Get("/api/v1/trace?" + a, Token("insp")), 403);
  EXPECT_EQ(client_->Get("/api/v1/trace?" + a, Token("admin")).status, 200);
  EXPECT_EQ(client_->Get("/api/v1/trace?" + a).status, 401);
}

}  // namespace
}  // namespace herdpass::testing
