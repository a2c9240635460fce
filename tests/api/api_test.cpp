// Black-box tests of the HTTP API (DESIGN.md section 7): the real `herdpass` binary, initialized
// with `herdpass init` and `user add`, serving on a free port.
//
// Each test uses its own phone numbers and ear tags, so the tests are independent whether ctest
// runs them one process each or the binary runs them all against one server.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "domain/certificate.h"
#include "http/request.h"
#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"
#include "tests/support/gzip.h"

namespace herdpass::testing {
namespace {

using http::PercentEncode;
using nlohmann::json;

class ApiTest : public SharedServerTest<ApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"aud", "auditor", "", ""},
                  {"vacc-alm", "vaccinator", "KZ-ALM", ""},
                  {"throttled", "inspector", "", ""}};
    spec.no_token = {"throttled"};
    // Owners' one-time codes are read from the log (the admin's list masks them).
    spec.serve_args = {"--sms-print-codes"};
    return spec;
  }

 protected:
  // POST /vaccinations/batch. Note: write json::array({rec}), not {rec}, which copies rec.
  HttpResponse Batch(const json& records, const std::string& user = "vacc") {
    EXPECT_TRUE(records.is_array());
    return client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, Token(user));
  }

  // W2 as the vet; the owner's vaccination records (empty when the owner is unknown: 404).
  json LookupOrNull(const std::string& phone) {
    auto r =
        client_->Get("/api/v1/lookup?phone=" + PercentEncode(phone) + "&years=10", Token("vet"));
    if (r.status == 404) return nullptr;
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  size_t VaccinationCount(const std::string& phone) {
    json j = LookupOrNull(phone);
    return j.is_null() ? 0 : j.at("vaccinations").size();
  }

  json CreateOwner(const std::string& phone, const std::string& name = "Aigerim Bekova") {
    auto r = client_->Post(
        "/api/v1/owners", {{"phone", phone}, {"name", name}, {"village", "Ayagoz"}}, Token("vacc"));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
};

// --- authentication ---

TEST_F(ApiTest, LoginReturnsTokenExpiryAndUserWithoutPasswordHash) {
  auto r = client_->Post("/api/v1/auth/login",
                         {{"username", "vet"}, {"password", env_->user("vet").password}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
  json j = r.json();
  const std::string token = j.at("token").get<std::string>();
  EXPECT_EQ(token.size(), 64u);  // 256 bits, hex
  EXPECT_TRUE(std::all_of(token.begin(), token.end(), ::isxdigit)) << token;
  EXPECT_TRUE(ParseRfc3339(j.at("expires_at").get<std::string>()).ok()) << j["expires_at"];
  EXPECT_EQ(j.at("user").at("username"), "vet");
  EXPECT_EQ(j.at("user").at("role"), "vet");
  EXPECT_EQ(j.at("user").at("authority"), "KZ-ABY");
  EXPECT_FALSE(j.at("user").contains("password_hash"));
  EXPECT_EQ(r.body.find("argon2"), std::string::npos);

  auto me = client_->Get("/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("username"), "vet");
}

TEST_F(ApiTest, LoginWithWrongPasswordOrUnknownUserIs401) {
  auto wrong =
      client_->Post("/api/v1/auth/login", {{"username", "vet"}, {"password", "not-it-123"}});
  ExpectProblem(wrong, 401);
  auto unknown =
      client_->Post("/api/v1/auth/login", {{"username", "nobody"}, {"password", "whatever-1"}});
  ExpectProblem(unknown, 401);
  // The two answers do not tell whether the user exists.
  EXPECT_EQ(wrong.json().at("detail"), unknown.json().at("detail"));
}

TEST_F(ApiTest, LoginWithMissingPasswordIs400NamingIt) {
  ExpectProblem(client_->Post("/api/v1/auth/login", {{"username", "vet"}}), 400, "password");
  ExpectProblem(client_->Post("/api/v1/auth/login", {{"username", 5}, {"password", "x"}}), 400,
                "username");
  ExpectProblem(client_->PostRaw("/api/v1/auth/login", "{\"username\":"), 400, "body");
}

TEST_F(ApiTest, LoginIsThrottledAfterRepeatedFailures) {
  const json wrong = {{"username", "throttled"}, {"password", "wrong-password"}};
  for (int i = 0; i < 5; ++i) ExpectProblem(client_->Post("/api/v1/auth/login", wrong), 401);
  ExpectProblem(client_->Post("/api/v1/auth/login", wrong), 429);
  // Even the right password is refused while throttled.
  ExpectProblem(
      client_->Post("/api/v1/auth/login",
                    {{"username", "throttled"}, {"password", env_->user("throttled").password}}),
      429);
  // Other users of the same address still sign in.
  auto other = client_->Post("/api/v1/auth/login",
                             {{"username", "insp"}, {"password", env_->user("insp").password}});
  EXPECT_EQ(other.status, 200) << other.body;
}

TEST_F(ApiTest, LogoutEndsTheTokenOnly) {
  const std::string token = env_->Login("vacc");
  ASSERT_EQ(client_->Get("/api/v1/auth/me", token).status, 200);
  auto out = client_->Post("/api/v1/auth/logout", json::object(), token);
  EXPECT_EQ(out.status, 204) << out.body;
  auto after = client_->Get("/api/v1/auth/me", token);
  ExpectProblem(after, 401);
  EXPECT_EQ(after.header("WWW-Authenticate"), "Bearer");
  ExpectProblem(
      client_->Post("/api/v1/vaccinations/batch",
                    {{"records", json::array({FlockRecord(KzPhone(100), DaysFromToday(0))})}},
                    token),
      401);
  EXPECT_EQ(VaccinationCount(KzPhone(100)), 0u);
  // The user's other session goes on.
  EXPECT_EQ(client_->Get("/api/v1/auth/me", Token("vacc")).status, 200);
}

TEST_F(ApiTest, MissingOrForgedTokenIs401) {
  ExpectProblem(client_->Get("/api/v1/auth/me"), 401);
  ExpectProblem(client_->Get("/api/v1/auth/me", std::string(64, 'a')), 401);
  ExpectProblem(client_->Get("/api/v1/auth/me", "short"), 401);
}

// --- owners ---

TEST_F(ApiTest, OwnerCreatedThen409WithTheExistingId) {
  auto r = client_->Post("/api/v1/owners",
                         {{"phone", "8 701 234 5601"}, {"name", "Aigerim"}, {"village", "Ayagoz"}},
                         Token("vacc"));
  ASSERT_EQ(r.status, 201) << r.body;
  json owner = r.json();
  EXPECT_EQ(owner.at("phone"), "+77012345601");
  EXPECT_EQ(owner.at("name"), "Aigerim");
  EXPECT_EQ(owner.at("village"), "Ayagoz");
  EXPECT_EQ(owner.at("authority"), "KZ-ABY");
  const int64_t id = owner.at("id").get<int64_t>();
  EXPECT_GT(id, 0);

  // The same number in another local form is the same owner.
  auto again = client_->Post("/api/v1/owners", {{"phone", "+7 701 234 56 01"}, {"name", "Other"}},
                             Token("vet"));
  ExpectProblem(again, 409);
  json j = again.json();
  ASSERT_TRUE(j.contains("id")) << again.body;
  EXPECT_EQ(j["id"], id) << "the 409 carries the existing owner's id, as a number";
}

TEST_F(ApiTest, OwnerCreateRejectsBadInputNamingTheField) {
  ExpectProblem(client_->Post("/api/v1/owners", {{"phone", "12"}, {"name", "X"}}, Token("vacc")),
                400, "phone");
  ExpectProblem(
      client_->Post("/api/v1/owners", {{"phone", "+77012345602"}, {"name", ""}}, Token("vacc")),
      400, "name");
  ExpectProblem(
      client_->Post("/api/v1/owners", {{"phone", 77012345602}, {"name", "X"}}, Token("vacc")), 400,
      "phone");
  ExpectProblem(client_->PostRaw("/api/v1/owners", "[1,2]", "application/json", Token("vacc")), 400,
                "body");
  // Nothing was stored by any of these.
  ExpectProblem(client_->Get("/api/v1/owners?phone=%2B77012345602", Token("vacc")), 404);
}

TEST_F(ApiTest, OwnerFoundByPhoneInAnyLocalForm) {
  const int64_t id = CreateOwner("+77012345678").at("id").get<int64_t>();
  for (const std::string& query : {
           "phone=" + PercentEncode("8 701 234 5678"),
           "phone=" + PercentEncode("+7 (701) 234-56-78"),
           "phone=" + PercentEncode("+7 701 234 56 78"),
           std::string("phone=+77012345678"),  // '+' typed unencoded
           std::string("phone=87012345678"),
       }) {
    SCOPED_TRACE(query);
    auto r = client_->Get("/api/v1/owners?" + query, Token("insp"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("id"), id);
    EXPECT_EQ(r.json().at("phone"), "+77012345678");
  }
}

TEST_F(ApiTest, OwnerLookupUnknownIs404AndBadPhoneIs400) {
  ExpectProblem(client_->Get("/api/v1/owners?phone=%2B77059999999", Token("vacc")), 404);
  ExpectProblem(client_->Get("/api/v1/owners?phone=12", Token("vacc")), 400, "phone");
  ExpectProblem(client_->Get("/api/v1/owners?phone=abc", Token("vacc")), 400, "phone");
  ExpectProblem(client_->Get("/api/v1/owners", Token("vacc")), 400, "phone");
}

// --- animals ---

TEST_F(ApiTest, AnimalCreatedConflictsAndReadByTag) {
  const int64_t owner_id = CreateOwner("+77012345610").at("id").get<int64_t>();
  auto r = client_->Post("/api/v1/animals",
                         {{"tag", "398 000000000101"},
                          {"species", "cattle"},
                          {"owner_id", owner_id},
                          {"sex", "f"},
                          {"birth_date", "2022-03-01"}},
                         Token("vacc"));
  ASSERT_EQ(r.status, 201) << r.body;
  json a = r.json();
  EXPECT_EQ(a.at("tag"), "398000000000101");
  EXPECT_EQ(a.at("species"), "cattle");
  EXPECT_EQ(a.at("owner_id"), owner_id);
  EXPECT_EQ(a.at("birth_date"), "2022-03-01");

  auto dup = client_->Post(
      "/api/v1/animals",
      {{"tag", "398000000000101"}, {"species", "cattle"}, {"owner_id", owner_id}}, Token("vet"));
  ExpectProblem(dup, 409);
  EXPECT_TRUE(dup.json().contains("id")) << dup.body;

  auto got = client_->Get("/api/v1/animals/398000000000101", Token("insp"));
  ASSERT_EQ(got.status, 200) << got.body;
  json g = got.json();
  EXPECT_EQ(g.at("id"), a.at("id"));
  EXPECT_EQ(g.at("owner").at("id"), owner_id);
  EXPECT_EQ(g.at("owner").at("phone"), "+77012345610");
  EXPECT_TRUE(g.at("vaccinations").empty());
  ASSERT_FALSE(g.at("coverage").empty());
  for (const auto& c : g["coverage"]) EXPECT_EQ(c.at("status"), "never") << c;
}

TEST_F(ApiTest, AnimalCreateRejectsBadInputNamingTheField) {
  const int64_t owner_id = CreateOwner("+77012345611").at("id").get<int64_t>();
  const json good = {{"tag", KzTag(111)}, {"species", "cattle"}, {"owner_id", owner_id}};
  auto with = [&](const char* key, json value) {
    json b = good;
    b[key] = std::move(value);
    return client_->Post("/api/v1/animals", b, Token("vacc"));
  };
  ExpectProblem(with("tag", "12345"), 400, "tag");
  ExpectProblem(with("tag", ""), 400, "tag");
  ExpectProblem(with("species", "unicorn"), 400, "species");
  ExpectProblem(with("species", "poultry"), 400, "species");  // flocks only
  ExpectProblem(with("owner_id", 999999), 400, "owner_id");
  ExpectProblem(with("owner_id", "1"), 400, "owner_id");
  ExpectProblem(with("sex", "x"), 400, "sex");
  ExpectProblem(with("birth_date", "2022-02-30"), 400, "birth_date");
  ExpectProblem(with("birth_date", DaysFromToday(5)), 400, "birth_date");
  ExpectProblem(client_->Get("/api/v1/animals/" + KzTag(111), Token("vacc")), 404);
  ExpectProblem(client_->Get("/api/v1/animals/12345", Token("vacc")), 400, "tag");
}

// --- W1 batches ---

TEST_F(ApiTest, BatchStoresOnceAndAnswersDuplicateOnResend) {
  const std::string phone = KzPhone(1001);
  json records = json::array();
  records.push_back(FlockRecord(phone, DaysFromToday(0)));
  records.push_back(FlockRecord(phone, DaysFromToday(-30)));
  json tagged = FlockRecord(phone, DaysFromToday(-1));
  tagged.erase("head_count");
  tagged["species"] = "cattle";
  tagged["animal_tags"] = {KzTag(1001), "398-0000-0000-1002"};
  records.push_back(tagged);

  auto r = Batch(records);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j.at("created"), 3);
  EXPECT_EQ(j.at("duplicate"), 0);
  EXPECT_EQ(j.at("rejected"), 0);
  ASSERT_EQ(j.at("results").size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(j["results"][i].at("id"), records[i]["id"]);
    EXPECT_EQ(j["results"][i].at("status"), "created");
  }
  json before = LookupOrNull(phone);
  ASSERT_FALSE(before.is_null());
  EXPECT_EQ(before.at("vaccinations").size(), 3u);
  const size_t animals = before.at("animals").size();
  EXPECT_EQ(animals, 3u);  // the flock of sheep and two tagged cattle

  // Resent as a phone would after a lost answer: stored once, answered duplicate.
  auto again = Batch(records);
  ASSERT_EQ(again.status, 200) << again.body;
  json k = again.json();
  EXPECT_EQ(k.at("created"), 0);
  EXPECT_EQ(k.at("duplicate"), 3);
  for (const auto& res : k["results"]) EXPECT_EQ(res.at("status"), "duplicate") << res;

  // Upper-case ids are the same ids.
  json upper = records;
  for (auto& rec : upper) {
    std::string id = rec["id"];
    std::transform(id.begin(), id.end(), id.begin(), ::toupper);
    rec["id"] = id;
  }
  auto third = Batch(upper, "vet");
  ASSERT_EQ(third.status, 200) << third.body;
  EXPECT_EQ(third.json().at("duplicate"), 3) << third.body;

  json after = LookupOrNull(phone);
  EXPECT_EQ(after.at("vaccinations").size(), 3u);
  EXPECT_EQ(after.at("animals").size(), animals);
}

TEST_F(ApiTest, BatchRejectsBadRecordsOneByOneAndStoresTheGoodOnes) {
  const std::string phone = KzPhone(1100);
  std::vector<std::pair<json, std::string>> cases;  // record, field of its rejection ("" = good)
  auto rec = [&](const char* key, json value) {
    json r = FlockRecord(phone, DaysFromToday(-2));
    if (value.is_null()) {
      r.erase(key);
    } else {
      r[key] = std::move(value);
    }
    return r;
  };
  cases.push_back({FlockRecord(phone, DaysFromToday(0)), ""});
  cases.push_back({rec("species", "unicorn"), "species"});
  cases.push_back({rec("disease", "COLDS"), "disease"});
  cases.push_back({rec("vaccine", "NO-SUCH-VACCINE"), "vaccine"});
  cases.push_back({rec("vaccine", "PPR-LIVE"), "vaccine"});  // does not protect against FMD-O
  // The test and the server each read the UTC date, and a run across midnight sees the server a day
  // ahead: the dates here keep a day clear of each limit, whose exact edges the service tests check
  // with a fixed clock (AdministeredOnIsAtMostOneDayAheadOfTheUtcDate, ...IsAtMostTenYearsBack).
  cases.push_back({rec("administered_on", DaysFromToday(3)), "administered_on"});
  cases.push_back(
      {rec("administered_on", UtcToday().AddYears(-10).AddDays(-1).ToString()), "administered_on"});
  cases.push_back({rec("administered_on", "2024-13-01"), "administered_on"});
  cases.push_back({rec("owner_phone", "12"), "owner_phone"});
  cases.push_back({rec("id", "not-a-uuid"), "id"});
  cases.push_back({rec("batch_no", nullptr), "batch_no"});
  cases.push_back({rec("head_count", 0), "head_count"});
  cases.push_back({rec("dose_ml", -1), "dose_ml"});
  cases.push_back({rec("lat", 43.2), "lon"});
  cases.push_back({FlockRecord(phone, DaysFromToday(1)), ""});  // tomorrow: a pasture ahead of UTC
  cases.push_back({FlockRecord(phone, UtcToday().AddYears(-10).AddDays(1).ToString()), ""});
  json records = json::array();
  for (const auto& c : cases) records.push_back(c.first);

  auto r = Batch(records);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  ASSERT_EQ(j.at("results").size(), cases.size());
  int good = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const json& res = j["results"][i];
    EXPECT_EQ(res.at("id"), cases[i].first["id"]);
    if (cases[i].second.empty()) {
      ++good;
      EXPECT_EQ(res.at("status"), "created") << res;
    } else {
      EXPECT_EQ(res.at("status"), "rejected") << res;
      ASSERT_TRUE(res.contains("reason")) << res;
      EXPECT_EQ(res["reason"].value("field", ""),
                "records[" + std::to_string(i) + "]." + cases[i].second)
          << res;
      EXPECT_FALSE(res["reason"].value("type", "").empty()) << res;
      EXPECT_FALSE(res["reason"].value("title", "").empty()) << res;
      EXPECT_FALSE(res["reason"].value("detail", "").empty()) << res;
      EXPECT_GE(res["reason"].value("status", 0), 400) << res;
    }
  }
  EXPECT_EQ(j.at("created"), good);
  EXPECT_EQ(j.at("rejected"), static_cast<int>(cases.size()) - good);
  EXPECT_EQ(VaccinationCount(phone), static_cast<size_t>(good));
}

TEST_F(ApiTest, MalformedBatchIs400AndStoresNothing) {
  const std::string phone = KzPhone(1200);
  const std::string valid = json{{"records", {FlockRecord(phone, DaysFromToday(0))}}}.dump();
  for (const std::string& body :
       {valid + " x", valid.substr(0, valid.size() - 2), std::string("")}) {
    SCOPED_TRACE(body);
    auto r =
        client_->PostRaw("/api/v1/vaccinations/batch", body, "application/json", Token("vacc"));
    ExpectProblem(r, 400, "body");
  }
  ExpectProblem(
      client_->Post("/api/v1/vaccinations/batch", {{"records", "all of them"}}, Token("vacc")), 400,
      "records");
  ExpectProblem(
      client_->Post("/api/v1/vaccinations/batch", {{"records", json::array()}}, Token("vacc")), 400,
      "records");
  ExpectProblem(client_->Post("/api/v1/vaccinations/batch", json::array(), Token("vacc")), 400,
                "body");
  EXPECT_EQ(VaccinationCount(phone), 0u);
}

TEST_F(ApiTest, BatchWithAWrongTypeIs400NamingTheFieldAndStoresNothing) {
  const std::string phone = KzPhone(1300);
  const std::vector<std::pair<const char*, json>> wrong = {
      {"head_count", "12"}, {"animal_tags", "398000000001300"},
      {"dose_ml", "2 ml"},  {"administered_on", 20250101},
      {"owner_id", 1.5},    {"id", 7},
  };
  for (const auto& [key, value] : wrong) {
    SCOPED_TRACE(key);
    json bad = FlockRecord(phone, DaysFromToday(0));
    bad[key] = value;
    if (std::string(key) == "owner_id") bad.erase("owner_phone");
    json records = {FlockRecord(phone, DaysFromToday(0)), bad};
    auto r = Batch(records);
    ExpectProblem(r, 400, std::string("records[1].") + key);
  }
  auto not_object = Batch(json::array({FlockRecord(phone, DaysFromToday(0)), 42}));
  ExpectProblem(not_object, 400, "records[1]");
  EXPECT_EQ(VaccinationCount(phone), 0u);
}

TEST_F(ApiTest, BatchOfMoreThan1000RecordsIs400AndStoresNothing) {
  const std::string phone = KzPhone(1400);
  json records = json::array();
  for (int i = 0; i < 1001; ++i) records.push_back(FlockRecord(phone, DaysFromToday(0)));
  ExpectProblem(Batch(records), 400, "records");
  EXPECT_EQ(VaccinationCount(phone), 0u);

  records.erase(records.end() - 1);
  auto r = Batch(records);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_EQ(r.json().at("created"), 1000);
  EXPECT_EQ(VaccinationCount(phone), 1000u);
}

TEST_F(ApiTest, BodyOver1MiBIs413) {
  const std::string phone = KzPhone(1500);
  json rec = FlockRecord(phone, DaysFromToday(0));
  rec["device_id"] = std::string((1 << 20) + 100, 'x');
  auto r = Batch(json::array({rec}));
  ExpectProblem(r, 413);
  EXPECT_EQ(VaccinationCount(phone), 0u);
}

TEST_F(ApiTest, ErrorsAreProblemJsonEvenForUnknownRoutes) {
  ExpectProblem(client_->Get("/api/v1/no-such-thing", Token("vet")), 404);
  auto r = client_->Send("DELETE", "/api/v1/owners", "", "", Token("vet"));
  ExpectProblem(r, 405);
  EXPECT_NE(r.header("Allow").find("GET"), std::string::npos) << r.header("Allow");
}

// --- void ---

TEST_F(ApiTest, VetVoidsARecordAndLookupShowsItVoided) {
  const std::string phone = KzPhone(1600);
  json rec = FlockRecord(phone, DaysFromToday(-3));
  const std::string id = rec["id"];
  ASSERT_EQ(Batch(json::array({rec})).status, 200);

  ExpectProblem(client_->Post("/api/v1/vaccinations/" + id + "/void", json::object(), Token("vet")),
                400, "reason");
  ExpectProblem(client_->Post("/api/v1/vaccinations/" + NewUuid() + "/void", {{"reason", "typo"}},
                              Token("vet")),
                404);
  ExpectProblem(client_->Post("/api/v1/vaccinations/xyz/void", {{"reason", "typo"}}, Token("vet")),
                400, "id");
  auto v = client_->Post("/api/v1/vaccinations/" + id + "/void", {{"reason", "wrong lot number"}},
                         Token("vet"));
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.json().at("voided"), true);
  ExpectProblem(
      client_->Post("/api/v1/vaccinations/" + id + "/void", {{"reason", "again"}}, Token("vet")),
      409);

  auto r = client_->Get("/api/v1/lookup?phone=" + PercentEncode(phone), Token("insp"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  ASSERT_EQ(j.at("vaccinations").size(), 1u);  // still visible
  const json& shown = j["vaccinations"][0];
  EXPECT_EQ(shown.at("id"), id);
  EXPECT_EQ(shown.at("voided"), true);
  EXPECT_EQ(shown.at("void_reason"), "wrong lot number");
  // A voided dose protects nobody.
  const json* fmd = nullptr;
  for (const auto& c : j.at("coverage")) {
    if (c.at("disease") == "FMD-O") fmd = &c;
  }
  ASSERT_NE(fmd, nullptr) << j.dump(1);
  EXPECT_EQ(fmd->at("status"), "never") << *fmd;
}

// --- W2 lookup ---

// The answer kept by the lookup cache (HerdService::LookupEncoded) goes gzip-encoded to a client
// that accepts gzip and inflated to one that does not, the same JSON both ways, hit or miss; and a
// new record shows at once.
TEST_F(ApiTest, LookupAnswerIsTheSameJsonGzippedOrNotAndFromTheCache) {
  const std::string phone = KzPhone(1720);
  json recs = json::array();
  for (int i = 0; i < 12; ++i)
    recs.push_back(FlockRecord(phone, UtcToday().AddDays(-i).ToString()));
  ASSERT_EQ(Batch(recs).json().at("created"), 12);
  const std::string target = "/api/v1/lookup?phone=" + phone;
  auto gz = [&] {
    return client_->Send("GET", target, {}, {}, Token("insp"), {{"Accept-Encoding", "gzip"}});
  };
  HttpResponse first = gz();  // a miss
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("Content-Encoding"), "gzip");
  EXPECT_EQ(first.header("Vary"), "Accept-Encoding");
  const std::string text = Gunzip(first.body);
  EXPECT_EQ(json::parse(text).at("vaccinations").size(), 12u);
  HttpResponse again = gz();  // a hit
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.header("Content-Encoding"), "gzip");
  EXPECT_EQ(Gunzip(again.body), text);
  HttpResponse plain = client_->Get(target, Token("insp"));
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("Content-Encoding"), "");
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.body, text);
  ASSERT_EQ(Batch(json::array({FlockRecord(phone, UtcToday().AddDays(-20).ToString())}))
                .json()
                .at("created"),
            1);
  HttpResponse after = gz();
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(json::parse(Gunzip(after.body)).at("vaccinations").size(), 13u);
}

// Kept answers sent to many clients at once, each only once its audit row is committed
// (HerdService::LookupEncodedThen): every hit has its row, and every answer is the kept one.
TEST_F(ApiTest, RacingLookupHitsAreEachAudited) {
  const std::string phone = KzPhone(1830);
  json recs = json::array();
  for (int i = 0; i < 12; ++i)
    recs.push_back(FlockRecord(phone, UtcToday().AddDays(-i).ToString()));
  ASSERT_EQ(Batch(recs).json().at("created"), 12);
  const std::string target = "/api/v1/lookup?phone=" + phone;
  const std::string insp = Token("insp");
  HttpResponse first =
      client_->Send("GET", target, {}, {}, insp, {{"Accept-Encoding", "gzip"}});  // a miss
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string text = Gunzip(first.body);
  constexpr int kClients = 6, kEach = 15;
  std::vector<std::vector<HttpResponse>> got(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = env_->Client();
      for (int i = 0; i < kEach; ++i) {
        got[c].push_back(client->Send("GET", target, {}, {}, insp, {{"Accept-Encoding", "gzip"}}));
      }
    });
  }
  for (auto& t : clients) t.join();
  for (const auto& answers : got) {
    ASSERT_EQ(answers.size(), static_cast<size_t>(kEach));
    for (const HttpResponse& r : answers) {
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.header("Content-Encoding"), "gzip");
      EXPECT_EQ(r.header("Cache-Control"), "no-store");
      EXPECT_EQ(Gunzip(r.body), text);
    }
  }
  auto audit = client_->Get("/api/v1/audit?action=lookup.phone&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  int rows = 0;
  const json items = audit.json().at("items");
  for (const auto& row : items) {
    if (row.at("username") == "insp" &&
        row.at("target").get<std::string>().find(phone) != std::string::npos) {
      EXPECT_EQ(row.at("detail").at("found"), true) << row;
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1 + kClients * kEach);
}

TEST_F(ApiTest, LookupShowsCoveredOverdueAndNever) {
  const Date today = UtcToday();
  // A tagged sheep vaccinated against FMD O today.
  const std::string covered_phone = KzPhone(1700);
  json rec = FlockRecord(covered_phone, today.ToString());
  rec.erase("head_count");
  rec["animal_tags"] = {KzTag(1700)};
  // A flock vaccinated 200 days ago: FMD immunity is 180 days.
  const std::string overdue_phone = KzPhone(1701);
  const Date old_dose = today.AddDays(-200);
  // An owner with an animal never vaccinated.
  const std::string never_phone = KzPhone(1702);
  const Date older_dose = today.AddYears(-2);
  ASSERT_EQ(Batch(json::array({rec, FlockRecord(overdue_phone, old_dose.ToString()),
                               FlockRecord(overdue_phone, older_dose.ToString())}))
                .json()
                .at("created"),
            3);
  const int64_t never_owner = CreateOwner(never_phone).at("id").get<int64_t>();
  ASSERT_EQ(client_
                ->Post("/api/v1/animals",
                       {{"tag", KzTag(1702)}, {"species", "sheep"}, {"owner_id", never_owner}},
                       Token("vacc"))
                .status,
            201);

  auto find = [](const json& list, const std::string& disease) {
    for (const auto& c : list) {
      if (c.at("disease") == disease) return c;
    }
    return json();
  };

  auto covered = client_->Get("/api/v1/lookup?phone=" + covered_phone, Token("insp"));
  ASSERT_EQ(covered.status, 200) << covered.body;
  json c = covered.json();
  EXPECT_EQ(c.at("owner").at("phone"), covered_phone);
  // The server's own day (a day after `today` when the run crosses UTC midnight); the dose dates
  // below are the test's own and do not depend on it.
  const Date server_today = ServerToday(c.at("today"), today);
  EXPECT_EQ(c.at("since"), server_today.AddYears(-3).ToString());
  json fmd = find(c.at("coverage"), "FMD-O");
  ASSERT_FALSE(fmd.is_null()) << c.dump(1);
  EXPECT_EQ(fmd.at("status"), "covered");
  EXPECT_EQ(fmd.at("last_dose"), today.ToString());
  EXPECT_EQ(fmd.at("covered_until"), today.AddDays(179).ToString());
  json ppr = find(c.at("coverage"), "PPR");
  ASSERT_FALSE(ppr.is_null()) << c.dump(1);  // sheep get PPR vaccine, and this one had none
  EXPECT_EQ(ppr.at("status"), "never");
  ASSERT_EQ(c.at("animals").size(), 1u);
  EXPECT_EQ(c["animals"][0].at("tag"), KzTag(1700));
  EXPECT_EQ(find(c["animals"][0].at("coverage"), "FMD-O").at("status"), "covered");

  auto overdue = client_->Get("/api/v1/lookup?phone=" + PercentEncode(overdue_phone), Token("vet"));
  ASSERT_EQ(overdue.status, 200) << overdue.body;
  json o = find(overdue.json().at("coverage"), "FMD-O");
  EXPECT_EQ(o.at("status"), "overdue") << o;
  EXPECT_EQ(o.at("last_dose"), old_dose.ToString());
  EXPECT_EQ(o.at("overdue_since"), old_dose.AddDays(180).ToString());

  auto never = client_->Get("/api/v1/lookup?phone=" + never_phone, Token("insp"));
  ASSERT_EQ(never.status, 200) << never.body;
  json n = never.json();
  EXPECT_TRUE(n.at("vaccinations").empty());
  ASSERT_FALSE(n.at("coverage").empty());
  for (const auto& d : n["coverage"]) EXPECT_EQ(d.at("status"), "never") << d;

  // The window: the dose of two years ago is shown within three years, not within one.
  EXPECT_EQ(overdue.json().at("vaccinations").size(), 2u);
  auto one_year = client_->Get("/api/v1/lookup?phone=" + PercentEncode(overdue_phone) + "&years=1",
                               Token("insp"));
  ASSERT_EQ(one_year.status, 200);
  EXPECT_EQ(one_year.json().at("vaccinations").size(), 1u);
  ExpectProblem(client_->Get("/api/v1/lookup?phone=" + covered_phone + "&years=0", Token("insp")),
                400, "years");
  ExpectProblem(client_->Get("/api/v1/lookup?phone=" + covered_phone + "&years=x", Token("insp")),
                400, "years");
  ExpectProblem(client_->Get("/api/v1/lookup?phone=12", Token("insp")), 400, "phone");
  ExpectProblem(client_->Get("/api/v1/lookup?phone=" + KzPhone(1799), Token("insp")), 404);
}

TEST_F(ApiTest, LookupIsAuditedWithThePhoneAndTheInspector) {
  const std::string phone = KzPhone(1800);
  ASSERT_EQ(Batch(json::array({FlockRecord(phone, DaysFromToday(0))})).status, 200);
  ASSERT_EQ(client_->Get("/api/v1/lookup?phone=" + phone, Token("insp")).status, 200);
  // A miss is audited too: the question itself is personal.
  ASSERT_EQ(client_->Get("/api/v1/lookup?phone=" + KzPhone(1801), Token("insp")).status, 404);

  auto r = client_->Get("/api/v1/audit?action=lookup.phone&limit=1000", Token("aud"));
  ASSERT_EQ(r.status, 200) << r.body;
  bool found = false, miss = false;
  const json rows = r.json().at("items");
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("action"), "lookup.phone");
    if (row.at("username") != "insp") continue;
    if (row.at("target").get<std::string>().find(phone) != std::string::npos) {
      found = true;
      EXPECT_EQ(row.at("detail").at("found"), true) << row;
      EXPECT_FALSE(row.at("address").get<std::string>().empty()) << row;
      EXPECT_TRUE(ParseRfc3339(row.at("at").get<std::string>()).ok()) << row;
    }
    if (row.at("target").get<std::string>().find(KzPhone(1801)) != std::string::npos) miss = true;
  }
  EXPECT_TRUE(found) << r.body;
  EXPECT_TRUE(miss) << r.body;
  // The admin reads the audit log too; the inspector does not.
  EXPECT_EQ(client_->Get("/api/v1/audit", Token("admin")).status, 200);
  ExpectProblem(client_->Get("/api/v1/audit", Token("insp")), 403);
}

// --- tag life (W12) ---

TEST_F(ApiTest, DeathIsStoredOnceThenRefusedAndW2ShowsItAndCountsOnlyTheLiving) {
  const Date today = UtcToday();
  const std::string phone = KzPhone(2400);
  // Sheep 1 vaccinated today; sheep 2 two hundred days ago (FMD lapses after 180).
  json fresh = FlockRecord(phone, today.ToString());
  fresh.erase("head_count");
  fresh["animal_tags"] = {KzTag(2400)};
  json old = FlockRecord(phone, today.AddDays(-200).ToString());
  old.erase("head_count");
  old["animal_tags"] = {KzTag(2401)};
  ASSERT_EQ(Batch(json::array({fresh, old})).json().at("created"), 2);
  auto fmd_status = [&]() -> std::string {
    auto l = client_->Get("/api/v1/lookup?phone=" + phone, Token("insp"));
    EXPECT_EQ(l.status, 200) << l.body;
    const json body = l.json();
    for (const auto& c : body.at("coverage")) {
      if (c.at("disease") == "FMD-O") return c.at("status").get<std::string>();
    }
    return "";
  };
  EXPECT_EQ(fmd_status(), "overdue");

  const std::string path = "/api/v1/animals/" + KzTag(2401) + "/events";
  const std::string id = NewUuid();
  const std::string day = today.AddDays(-1).ToString();
  const json death = {{"id", id}, {"kind", "died"}, {"date", day}, {"reason", "wolves"}};
  auto first = client_->Post(path, death, Token("vacc"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json().at("status"), "created");
  EXPECT_EQ(first.json().at("event").at("id"), id);
  EXPECT_EQ(first.json().at("event").at("kind"), "died");
  EXPECT_EQ(first.json().at("event").at("date"), day);
  EXPECT_EQ(first.json().at("event").at("reason"), "wolves");
  EXPECT_EQ(first.json().at("animal").at("status"), "died");
  EXPECT_EQ(first.json().at("animal").at("ended_on"), day);
  // The phone's outbox sends it again: stored once, answered duplicate.
  auto again = client_->Post(path, death, Token("vacc"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("status"), "duplicate");
  EXPECT_EQ(again.json().at("event").at("id"), id);
  // Another end of the same life: 409 naming kind.
  ExpectProblem(client_->Post(path, {{"id", NewUuid()}, {"kind", "slaughtered"}, {"date", day}},
                              Token("vet")),
                409, "kind");

  auto l = client_->Get("/api/v1/lookup?phone=" + phone, Token("insp"));
  ASSERT_EQ(l.status, 200) << l.body;
  std::map<std::string, json> by_tag;
  const json listed = l.json();
  for (const auto& a : listed.at("animals")) by_tag[a.at("tag").get<std::string>()] = a;
  ASSERT_EQ(by_tag.size(), 2u) << l.body;
  ASSERT_TRUE(by_tag.contains(KzTag(2400)));
  ASSERT_TRUE(by_tag.contains(KzTag(2401)));
  EXPECT_EQ(by_tag.at(KzTag(2400)).at("status"), "alive");
  EXPECT_TRUE(by_tag.at(KzTag(2400)).at("ended_on").is_null());
  EXPECT_EQ(by_tag.at(KzTag(2401)).at("status"), "died");
  EXPECT_EQ(by_tag.at(KzTag(2401)).at("ended_on"), day);
  EXPECT_EQ(fmd_status(), "covered");

  auto audit = client_->Get("/api/v1/audit?action=animal.event&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  int rows = 0;
  const json items = audit.json().at("items");
  for (const auto& row : items) {
    if (row.at("detail").value("id", "") == id) {
      ++rows;
      EXPECT_EQ(row.at("detail").at("kind"), "died") << row;
    }
  }
  EXPECT_GE(rows, 1) << audit.body;
}

TEST_F(ApiTest, ReplacedTagResolvesToTheSameAnimalAndLateRecordsWithTheOldTagLandOnIt) {
  const std::string phone = KzPhone(2410);
  json rec = FlockRecord(phone, DaysFromToday(-3));
  rec.erase("head_count");
  rec["animal_tags"] = {KzTag(2410)};
  json other = rec;
  other["id"] = NewUuid();
  other["animal_tags"] = {KzTag(2411)};
  ASSERT_EQ(Batch(json::array({rec, other})).json().at("created"), 2);
  const std::string old_tag = KzTag(2410), new_tag = KzTag(2419);
  auto r = client_->Post("/api/v1/animals/" + old_tag + "/events",
                         {{"id", NewUuid()},
                          {"kind", "tag_replaced"},
                          {"new_tag", new_tag},
                          {"date", DaysFromToday(0)}},
                         Token("vacc"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("event").at("old_tag"), old_tag);
  EXPECT_EQ(r.json().at("event").at("new_tag"), new_tag);
  // An offline phone sends a dose later, with the old tag.
  json late = FlockRecord(phone, DaysFromToday(-1));
  late.erase("head_count");
  late["animal_tags"] = {old_tag};
  late["disease"] = "PPR";
  late["vaccine"] = "PPR-LIVE";
  auto stored = Batch(json::array({late}));
  ASSERT_EQ(stored.json().at("created"), 1) << stored.body;

  int64_t id = 0;
  for (const std::string& tag : {old_tag, new_tag}) {
    SCOPED_TRACE(tag);
    auto a = client_->Get("/api/v1/animals/" + tag, Token("vet"));
    ASSERT_EQ(a.status, 200) << a.body;
    const json j = a.json();
    if (id == 0) id = j.at("id").get<int64_t>();
    EXPECT_EQ(j.at("id"), id);
    EXPECT_EQ(j.at("tag"), new_tag);
    EXPECT_EQ(j.at("status"), "alive");
    EXPECT_EQ(j.at("former_tags"), json::array({old_tag}));
    EXPECT_EQ(j.at("vaccinations").size(), 2u) << j.dump(1);
    ASSERT_EQ(j.at("events").size(), 1u);
    EXPECT_EQ(j.at("events")[0].at("kind"), "tag_replaced");
  }
  // A tag already known (another animal's, or the one given up) is 409 naming new_tag.
  for (const std::string& taken : {KzTag(2411), old_tag}) {
    ExpectProblem(client_->Post("/api/v1/animals/" + new_tag + "/events",
                                {{"id", NewUuid()},
                                 {"kind", "tag_replaced"},
                                 {"new_tag", taken},
                                 {"date", DaysFromToday(0)}},
                                Token("vet")),
                  409, "new_tag");
  }
}

TEST_F(ApiTest, AnimalEventBadInputRolesAndJurisdiction) {
  const std::string phone = KzPhone(2420);
  json rec = FlockRecord(phone, DaysFromToday(-3));
  rec.erase("head_count");
  rec["animal_tags"] = {KzTag(2420)};
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);
  const std::string path = "/api/v1/animals/" + KzTag(2420) + "/events";
  auto event = [](json extra) {
    json e = {{"id", NewUuid()}, {"kind", "died"}, {"date", DaysFromToday(0)}};
    for (auto& [k, v] : extra.items()) e[k] = v;
    return e;
  };
  ExpectProblem(client_->Post(path, event({{"kind", "eaten"}}), Token("vacc")), 400, "kind");
  ExpectProblem(client_->Post(path, event({{"id", "x"}}), Token("vacc")), 400, "id");
  ExpectProblem(client_->Post(path, event({{"date", DaysFromToday(2)}}), Token("vacc")), 400,
                "date");
  ExpectProblem(client_->Post(path, event({{"reason", std::string(501, 'r')}}), Token("vacc")), 400,
                "reason");
  ExpectProblem(client_->Post(path, event({{"colour", "red"}}), Token("vacc")), 400, "colour");
  ExpectProblem(client_->Post(path, event({{"head", 1}}), Token("vacc")), 400, "head");
  ExpectProblem(
      client_->Post(path, event({{"kind", "tag_replaced"}, {"new_tag", "12"}}), Token("vacc")), 400,
      "new_tag");
  // Another authority's vaccinator: as if there were no such animal.
  ExpectProblem(client_->Post(path, event({}), Token("vacc-alm")), 404);
  // The inspector records slaughtered only; the auditor nothing.
  ExpectProblem(client_->Post(path, event({}), Token("insp")), 403, "kind");
  ExpectProblem(client_->Post(path, event({}), Token("aud")), 403);
  ExpectProblem(
      client_->Post("/api/v1/animals/" + KzTag(2429) + "/events", event({}), Token("vacc")), 404);
  auto a = client_->Get("/api/v1/animals/" + KzTag(2420), Token("vet"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json().at("status"), "alive");
  EXPECT_TRUE(a.json().at("events").empty());
  auto slaughtered = client_->Post(path, event({{"kind", "slaughtered"}}), Token("insp"));
  ASSERT_EQ(slaughtered.status, 201) << slaughtered.body;
  EXPECT_EQ(slaughtered.json().at("animal").at("status"), "slaughtered");
}

// W8: a sale at the farm, then the buyer's lookup shows the doses from before the sale, under
// the previous owner's masked name only; the seller's shows the animal sold.
TEST_F(ApiTest, SaleAtTheFarmAndTheBuyersLookupShowsEarlierDoses) {
  const std::string seller = KzPhone(2510), buyer = KzPhone(2519);
  json rec = FlockRecord(seller, DaysFromToday(-10));
  rec.erase("head_count");
  rec["owner_name"] = "Serik Tulegenov";
  rec["animal_tags"] = {KzTag(2510), KzTag(2511)};
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);
  const std::string id = NewUuid();
  const json sale = {{"id", id},
                     {"seller_phone", seller},
                     {"buyer_phone", buyer},
                     {"buyer_name", "Daulet Nurlanov"},
                     {"tags", {KzTag(2510)}},
                     {"date", DaysFromToday(-2)}};
  auto r = client_->Post("/api/v1/transfers", sale, Token("vet"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status"), "created");
  EXPECT_EQ(r.json().at("buyer_created"), true);
  ASSERT_EQ(r.json().at("changes").size(), 1u);
  EXPECT_EQ(r.json().at("changes")[0].at("tag"), KzTag(2510));

  auto b = client_->Get("/api/v1/lookup?phone=" + buyer, Token("insp"));
  ASSERT_EQ(b.status, 200) << b.body;
  const json bj = b.json();
  EXPECT_EQ(bj.at("owner").at("name"), "Daulet Nurlanov");
  ASSERT_EQ(bj.at("animals").size(), 1u);
  EXPECT_EQ(bj.at("animals")[0].at("tag"), KzTag(2510));
  ASSERT_EQ(bj.at("vaccinations").size(), 1u) << bj.dump(1);
  const json dose = bj.at("vaccinations")[0];
  EXPECT_EQ(dose.at("id"), rec.at("id"));
  EXPECT_EQ(dose.at("administered_on"), DaysFromToday(-10));
  EXPECT_TRUE(dose.at("owner_id").is_null());
  EXPECT_EQ(dose.at("previous_owner").at("masked_name"), "S**** T********");
  EXPECT_EQ(dose.at("previous_owner").at("sold_on"), DaysFromToday(-2));
  EXPECT_EQ(dose.at("animal_ids"), json::array({bj.at("animals")[0].at("id")}));
  // Never the previous owner's name or phone.
  EXPECT_EQ(b.body.find("Serik"), std::string::npos);
  EXPECT_EQ(b.body.find(seller.substr(1)), std::string::npos);

  auto s = client_->Get("/api/v1/lookup?phone=" + seller, Token("insp"));
  ASSERT_EQ(s.status, 200) << s.body;
  const json sj = s.json();
  ASSERT_EQ(sj.at("animals").size(), 1u);
  EXPECT_EQ(sj.at("animals")[0].at("tag"), KzTag(2511));
  ASSERT_EQ(sj.at("sold").size(), 1u);
  EXPECT_EQ(sj.at("sold")[0].at("tag"), KzTag(2510));
  EXPECT_EQ(sj.at("sold")[0].at("sold_on"), DaysFromToday(-2));

  // Sent again: stored once.
  auto again = client_->Post("/api/v1/transfers", sale, Token("vet"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("status"), "duplicate");
}

TEST_F(ApiTest, SellingAnotherOwnersAnimalIs409AndABadBuyerPhone422NothingStored) {
  const std::string seller = KzPhone(2520), buyer = KzPhone(2529), other = KzPhone(2528);
  json rec = FlockRecord(seller, DaysFromToday(-10));
  rec.erase("head_count");
  rec["animal_tags"] = {KzTag(2520), KzTag(2521)};
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);
  json theirs = FlockRecord(other, DaysFromToday(-10));
  theirs.erase("head_count");
  theirs["animal_tags"] = {KzTag(2522)};
  ASSERT_EQ(Batch(json::array({theirs})).json().at("created"), 1);
  auto sale = [&](json extra) {
    json t = {{"id", NewUuid()},
              {"seller_phone", seller},
              {"buyer_phone", buyer},
              {"tags", {KzTag(2520)}},
              {"date", DaysFromToday(-1)}};
    for (auto& [k, v] : extra.items()) t[k] = v;
    return t;
  };
  ExpectProblem(client_->Post("/api/v1/transfers", sale({{"tags", {KzTag(2521), KzTag(2522)}}}),
                              Token("vet")),
                409, "tags[1]");
  ExpectProblem(client_->Post("/api/v1/transfers", sale({{"buyer_phone", "12"}}), Token("vet")),
                422, "buyer_phone");
  ExpectProblem(client_->Post("/api/v1/transfers", sale({{"date", "someday"}}), Token("vet")), 400,
                "date");
  ExpectProblem(client_->Post("/api/v1/transfers", sale({{"head", 2}}), Token("vet")), 400, "head");
  ExpectProblem(client_->Post("/api/v1/transfers", sale({}), Token("vacc")), 403);
  // Nothing stored: no buyer, every animal where it was.
  EXPECT_TRUE(LookupOrNull(buyer).is_null());
  EXPECT_EQ(LookupOrNull(seller).at("animals").size(), 2u);
  EXPECT_TRUE(LookupOrNull(seller).at("sold").empty());
  EXPECT_EQ(LookupOrNull(other).at("animals").size(), 1u);
  // Once sold, the animal is no longer the seller's: 409 naming it, the first sale stands.
  ASSERT_EQ(client_->Post("/api/v1/transfers", sale({}), Token("vet")).status, 201);
  ExpectProblem(client_->Post("/api/v1/transfers", sale({{"buyer_phone", other}}), Token("vet")),
                409, "tags[0]");
  EXPECT_EQ(LookupOrNull(buyer).at("animals").size(), 1u);
  EXPECT_EQ(LookupOrNull(other).at("animals").size(), 1u);
}

// W8: a certificate for sale names its buyer, created on the spot; a bad buyer phone is 422 and
// nothing is stored.
TEST_F(ApiTest, SaleCertificateNamesTheBuyer) {
  const std::string seller = KzPhone(2530), buyer = KzPhone(2539);
  json rec = FlockRecord(seller, DaysFromToday(-10));
  rec.erase("head_count");
  rec["animal_tags"] = {KzTag(2530)};
  rec["species"] = "cattle";
  rec["vaccine"] = "FMD-OA-INACT";  // covers FMD-A too: the sale's rules are met
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);
  json cert = {{"owner_phone", seller},        {"animal_tags", {KzTag(2530)}},
               {"species", "cattle"},          {"purpose", "sale"},
               {"destination", "KZ-ABY"},      {"destination_place", "Ayagoz market"},
               {"buyer_phone", "not a phone"}, {"buyer_name", "Asel Omarova"}};
  ExpectProblem(client_->Post("/api/v1/certificates", cert, Token("vet")), 422, "buyer_phone");
  json slaughter = cert;
  slaughter["purpose"] = "slaughter";
  slaughter["buyer_phone"] = buyer;
  ExpectProblem(client_->Post("/api/v1/certificates", slaughter, Token("vet")), 400, "buyer_phone");
  EXPECT_TRUE(LookupOrNull(buyer).is_null());
  cert["buyer_phone"] = buyer;
  auto r = client_->Post("/api/v1/certificates", cert, Token("vet"));
  ASSERT_EQ(r.status, 201) << r.body;
  const json b = LookupOrNull(buyer);
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(b.at("owner").at("name"), "Asel Omarova");
  EXPECT_EQ(r.json().at("buyer_id"), b.at("owner").at("id"));
  EXPECT_TRUE(b.at("animals").empty());  // the animal passes at arrival
}

TEST_F(ApiTest, FlockHeadCountChangesByEventsNeverBelowZero) {
  const std::string phone = KzPhone(2430);
  ASSERT_EQ(Batch(json::array({FlockRecord(phone, DaysFromToday(-3), 40)})).json().at("created"),
            1);
  auto l = client_->Get("/api/v1/lookup?phone=" + phone, Token("insp"));
  ASSERT_EQ(l.status, 200) << l.body;
  ASSERT_EQ(l.json().at("animals").size(), 1u);
  const int64_t flock = l.json().at("animals")[0].at("id").get<int64_t>();
  const std::string path = "/api/v1/flocks/" + std::to_string(flock) + "/events";
  auto event = [](const char* kind, int head) {
    return json{{"id", NewUuid()}, {"kind", kind}, {"date", DaysFromToday(0)}, {"head", head}};
  };
  ExpectProblem(client_->Post(path, event("died", 41), Token("vacc")), 409, "head");
  ExpectProblem(client_->Post(path, event("died", 0), Token("vacc")), 400, "head");
  ExpectProblem(
      client_->Post(path, {{"id", NewUuid()}, {"kind", "died"}, {"date", DaysFromToday(0)}},
                    Token("vacc")),
      400, "head");
  ExpectProblem(client_->Post("/api/v1/flocks/abc/events", event("died", 1), Token("vacc")), 404);
  auto died = client_->Post(path, event("died", 10), Token("vacc"));
  ASSERT_EQ(died.status, 201) << died.body;
  EXPECT_EQ(died.json().at("event").at("head"), 10);
  EXPECT_EQ(died.json().at("event").at("head_after"), 30);
  auto born = client_->Post(path, event("born", 4), Token("vet"));
  ASSERT_EQ(born.status, 201) << born.body;
  EXPECT_EQ(born.json().at("animal").at("head_count"), 34);
  auto after = client_->Get("/api/v1/lookup?phone=" + phone, Token("insp"));
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json().at("animals")[0].at("head_count"), 34);
  EXPECT_EQ(after.json().at("animals")[0].at("status"), "alive");
}

// --- jurisdiction ---

TEST_F(ApiTest, AVaccinatorOfAnotherAuthoritySeesNothingOfThisOne) {
  const std::string phone = KzPhone(1900);
  json rec = FlockRecord(phone, DaysFromToday(0));
  rec.erase("head_count");
  rec["species"] = "cattle";
  rec["animal_tags"] = {KzTag(1900)};
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);

  ExpectProblem(client_->Get("/api/v1/owners?phone=" + phone, Token("vacc-alm")), 404);
  ExpectProblem(client_->Get("/api/v1/animals/" + KzTag(1900), Token("vacc-alm")), 404);
  // Nor may it write into this authority's records.
  auto b = Batch(json::array({FlockRecord(phone, DaysFromToday(0))}), "vacc-alm");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.json().at("results")[0].at("status"), "rejected") << b.body;
  ExpectProblem(client_->Post("/api/v1/owners",
                              {{"phone", KzPhone(1901)}, {"name", "X"}, {"authority", "KZ-ABY"}},
                              Token("vacc-alm")),
                403);
  EXPECT_EQ(VaccinationCount(phone), 1u);
  // The record's own vaccinator sees it.
  EXPECT_EQ(client_->Get("/api/v1/owners?phone=" + phone, Token("vacc")).status, 200);
}

// --- unversioned routes ---

TEST_F(ApiTest, HealthMetricsAndIndexPage) {
  auto h = client_->Get("/healthz");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.json().at("status"), "ok");

  auto m = client_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("Content-Type").rfind("text/plain", 0), 0u) << m.header("Content-Type");
  EXPECT_NE(m.body.find("http_requests_total"), std::string::npos) << m.body;
  // No label of it comes from what a client typed.
  client_->Get("/api/v1/some/random/path-1234");
  EXPECT_EQ(client_->Get("/metrics").body.find("path-1234"), std::string::npos);

  auto i = client_->Get("/");
  ASSERT_EQ(i.status, 200);
  EXPECT_EQ(i.header("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(i.body.find("HerdPass"), std::string::npos);

  auto doc = client_->Get("/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().at("servers")[0].at("url"), "/api/v1");
  auto cat = client_->Get("/api/v1/catalogue");
  ASSERT_EQ(cat.status, 200);
  EXPECT_FALSE(cat.json().at("diseases").empty());
}

// The catalogue answers the movement rules the server checks on issue (the app says from them what
// a purpose asks for, and keeps no copy): exactly the configured ones, in order, every member of
// each. The server runs with the rules that ship, so they are compared with DefaultMovementRules().
TEST_F(ApiTest, CatalogueListsExactlyTheConfiguredMovementRules) {
  auto cat = client_->Get("/api/v1/catalogue");
  ASSERT_EQ(cat.status, 200) << cat.body;
  const json body = cat.json();
  ASSERT_TRUE(body.contains("movement_rules")) << cat.body;
  const json& got = body.at("movement_rules");
  ASSERT_TRUE(got.is_array()) << got;
  json want = json::array();
  for (const MovementRule& r : DefaultMovementRules()) {
    want.push_back({{"name", r.name},
                    {"purpose", PurposeName(r.purpose)},
                    {"scope", r.scope ? MovementScopeName(*r.scope) : ""},
                    {"species", r.species},
                    {"diseases", r.diseases},
                    {"max_age_days", r.max_age_days}});
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(got, want);
}

// The value of the unlabelled series `name` in a /metrics text; nullopt when it is missing.
std::optional<double> Gauge(const std::string& metrics, const std::string& name) {
  const std::string line = "\n" + name + " ";
  const size_t at = ("\n" + metrics).find(line);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(metrics.substr(at + line.size() - 1));
}

// The group-commit writer's figures come from the store whichever backend the server runs on
// (this suite runs on SQLite and, as postgres.ApiTest, on PostgreSQL).
TEST_F(ApiTest, MetricsShowTheWritersJobsAndCommits) {
  const std::vector<std::string> names = {
      "herdpass_writer_jobs_total", "herdpass_writer_commits_total",
      "herdpass_writer_failed_transactions_total", "herdpass_writer_queued"};
  auto read = [&] {
    auto m = client_->Get("/metrics");
    EXPECT_EQ(m.status, 200);
    std::map<std::string, double> out;
    for (const auto& name : names) {
      auto v = Gauge(m.body, name);
      EXPECT_TRUE(v.has_value()) << name << " missing in\n" << m.body;
      out.emplace(name, v.value_or(-1));
    }
    return out;
  };
  const auto before = read();
  // The server's start-up wrote (the users' logins): the figures are the writer's, not zeros.
  EXPECT_GT(before.at("herdpass_writer_jobs_total"), 0);
  EXPECT_GT(before.at("herdpass_writer_commits_total"), 0);

  // One write: one job, one commit. Nothing else writes while this test runs.
  ASSERT_EQ(
      client_
          ->Post("/api/v1/owners", {{"phone", KzPhone(1950)}, {"name", "Metrics"}}, Token("vacc"))
          .status,
      201);
  const auto after = read();
  EXPECT_EQ(after.at("herdpass_writer_jobs_total"), before.at("herdpass_writer_jobs_total") + 1);
  EXPECT_EQ(after.at("herdpass_writer_commits_total"),
            before.at("herdpass_writer_commits_total") + 1);
  EXPECT_EQ(after.at("herdpass_writer_failed_transactions_total"), 0);
  EXPECT_EQ(after.at("herdpass_writer_queued"), 0);
}

TEST_F(ApiTest, AuditChainVerifiesWhileServing) {
  const std::string phone = KzPhone(2000);
  ASSERT_EQ(Batch(json::array({FlockRecord(phone, DaysFromToday(0))})).status, 200);
  ASSERT_EQ(client_->Get("/api/v1/lookup?phone=" + phone, Token("vet")).status, 200);
  CommandResult v = env_->Run({"audit", "verify"});
  EXPECT_TRUE(v.ok()) << v.out << v.err;
  EXPECT_NE(v.out.find("ok"), std::string::npos) << v.out;
}

// --- issue 17: input rules, audit, headers ---

// The nil UUID is no device's record id: every later device using it would see its records
// answered `duplicate`.
TEST_F(ApiTest, NilUuidAsARecordIdIsRejectedNamingIt) {
  const std::string phone = KzPhone(2100);
  json rec = FlockRecord(phone, DaysFromToday(0));
  rec["id"] = "00000000-0000-0000-0000-000000000000";
  auto r = Batch(json::array({rec}));
  ASSERT_EQ(r.status, 200) << r.body;
  const json res = r.json().at("results").at(0);
  EXPECT_EQ(res.at("status"), "rejected") << res;
  EXPECT_EQ(res.at("reason").value("status", 0), 400) << res;
  EXPECT_EQ(res.at("reason").value("field", ""), "records[0].id") << res;
  EXPECT_EQ(VaccinationCount(phone), 0u);
}

// A name of blanks is no name; a birth date of year 0 is no birth date (the last 50 years).
TEST_F(ApiTest, BlankOwnerNameAndImpossibleBirthDateAre400NamingTheField) {
  ExpectProblem(
      client_->Post("/api/v1/owners", {{"phone", KzPhone(2200)}, {"name", " \t  "}}, Token("vacc")),
      400, "name");
  ExpectProblem(client_->Get("/api/v1/owners?phone=%2B" + KzPhone(2200).substr(1), Token("vacc")),
                404);
  json rec = FlockRecord(KzPhone(2201), DaysFromToday(0));
  rec["owner_name"] = "   ";
  auto b = Batch(json::array({rec}));
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.json().at("results").at(0).at("reason").value("field", ""), "records[0].owner_name")
      << b.body;
  EXPECT_EQ(VaccinationCount(KzPhone(2201)), 0u);

  json owner = CreateOwner(KzPhone(2202));
  for (const char* bad : {"0000-01-01", "1900-06-01"}) {
    SCOPED_TRACE(bad);
    ExpectProblem(client_->Post("/api/v1/animals",
                                {{"tag", KzTag(2200)},
                                 {"species", "cattle"},
                                 {"owner_id", owner.at("id")},
                                 {"birth_date", bad}},
                                Token("vacc")),
                  400, "birth_date");
  }
  ExpectProblem(client_->Get("/api/v1/animals/" + KzTag(2200), Token("vacc")), 404);
}

// A batch whose only record the store refused writes no `vaccination.batch` row naming it; a batch
// that stored one names that one.
TEST_F(ApiTest, BatchAuditNamesOnlyStoredRecords) {
  json refused = FlockRecord(KzPhone(2300), DaysFromToday(0));
  refused.erase("owner_phone");
  refused["owner_id"] = 987654321;  // well formed; no such owner
  auto r = Batch(json::array({refused}));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("rejected"), 1) << r.body;
  json stored = FlockRecord(KzPhone(2301), DaysFromToday(0));
  json refused2 = refused;
  refused2["id"] = NewUuid();
  ASSERT_EQ(Batch(json::array({refused2, stored})).json().at("created"), 1);

  auto audit = client_->Get("/api/v1/audit?action=vaccination.batch&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.body.find(refused.at("id").get<std::string>()), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find(refused2.at("id").get<std::string>()), std::string::npos);
  int naming_stored = 0;
  const json rows = audit.json().at("items");
  for (const auto& row : rows) {
    if (row.at("detail").value("first_id", "") != stored.at("id")) continue;
    ++naming_stored;
    EXPECT_EQ(row.at("detail").at("count"), 1) << row;
    EXPECT_EQ(row.at("target"), "records:1") << row;
  }
  EXPECT_EQ(naming_stored, 1) << audit.body;
}

// Answers with personal data are not kept by caches (no-store) nor sniffed by browsers; problem
// answers and public ones are not sniffed either.
TEST_F(ApiTest, PersonalDataAnswersAreNoStoreAndNosniff) {
  const std::string phone = KzPhone(2400);
  json rec = FlockRecord(phone, DaysFromToday(0));
  rec.erase("head_count");
  rec["species"] = "cattle";
  rec["animal_tags"] = {KzTag(2400)};
  rec["vaccine"] = "FMD-OA-INACT";
  ASSERT_EQ(Batch(json::array({rec})).json().at("created"), 1);
  const std::string e164 = "%2B" + phone.substr(1);
  const std::vector<std::pair<std::string, HttpResponse>> personal = {
      {"login", client_->Post("/api/v1/auth/login",
                              {{"username", "insp"}, {"password", env_->user("insp").password}})},
      {"me", client_->Get("/api/v1/auth/me", Token("insp"))},
      {"lookup", client_->Get("/api/v1/lookup?phone=" + e164, Token("insp"))},
      {"lookup miss", client_->Get("/api/v1/lookup?phone=%2B77059999999", Token("insp"))},
      {"owner", client_->Get("/api/v1/owners?phone=" + e164, Token("vacc"))},
      {"animal", client_->Get("/api/v1/animals/" + KzTag(2400), Token("insp"))},
      {"batch", Batch(json::array({rec}))},
      {"audit", client_->Get("/api/v1/audit?limit=5", Token("aud"))},
      {"forbidden", client_->Get("/api/v1/audit", Token("insp"))},
      {"no token", client_->Get("/api/v1/lookup?phone=" + e164)},
  };
  for (const auto& [name, r] : personal) {
    SCOPED_TRACE(name);
    EXPECT_LT(r.status, 500) << r.body;
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  }
  for (const char* target : {"/api/v1/catalogue", "/api/v1/no-such-route", "/healthz"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(client_->Get(target).header("X-Content-Type-Options"), "nosniff");
  }
}

// One policy for every JSON body (issue 10 item 4, openapi.json's description): a member the
// endpoint does not know is a 400 naming it, and nothing is stored. A misspelt optional field would
// otherwise be dropped without a word and a default saved that the user did not mean. The table
// covers every operation the OpenAPI document gives a request body; each row's body is accepted
// (or refused for another reason) once the unknown member is taken out.
TEST_F(ApiTest, EveryBodyRefusesUnknownMembersNamingThem) {
  const std::string phone = KzPhone(2600);
  auto owner =
      client_->Post("/api/v1/owners", {{"phone", phone}, {"name", "Aigerim"}}, Token("vacc"));
  ASSERT_EQ(owner.status, 201) << owner.body;
  const json record = FlockRecord(KzPhone(2601), DaysFromToday(0));
  json record_with_extra = record;
  record_with_extra["colour"] = "white";
  const std::string some_id = NewUuid();

  struct Row {
    std::string operation;  // as the OpenAPI document names it: METHOD path
    std::string target;
    std::string user;  // "" = no token
    json body;  // valid but for `extra`, which is added at the top level unless it is in body
    std::string extra;
    std::string field;   // the field the 400 names
    int status_without;  // the answer once the unknown member is left out
  };
  const std::vector<Row> rows = {
      {"POST /auth/login",
       "/api/v1/auth/login",
       "",
       {{"username", "insp"}, {"password", env_->user("insp").password}},
       "remember_me",
       "remember_me",
       200},
      {"POST /owners",
       "/api/v1/owners",
       "vacc",
       {{"phone", KzPhone(2602)}, {"name", "Bolat"}},
       "nickname",
       "nickname",
       201},
      {"POST /animals",
       "/api/v1/animals",
       "vacc",
       {{"tag", KzTag(2600)}, {"species", "cattle"}, {"owner_id", owner.json().at("id")}},
       "colour",
       "colour",
       201},
      {"POST /holdings",
       "/api/v1/holdings",
       "vet",
       {{"code", "HL-2600"},
        {"kind", "market"},
        {"name", "Market"},
        {"lat", 46.5},
        {"lon", 79.5},
        {"opened_on", "2020-01-01"}},
       "gps",
       "gps",
       201},
      {"POST /animals/{tag}/events",
       "/api/v1/animals/" + KzTag(2600) + "/events",
       "vacc",
       {{"id", NewUuid()}, {"kind", "died"}, {"date", DaysFromToday(0)}},
       "weather",
       "weather",
       201},
      {"POST /flocks/{id}/events",
       "/api/v1/flocks/999999/events",
       "vacc",
       {{"id", NewUuid()}, {"kind", "born"}, {"date", DaysFromToday(0)}, {"head", 2}},
       "mother",
       "mother",
       404},
      {"POST /transfers",
       "/api/v1/transfers",
       "vet",
       {{"id", NewUuid()},
        {"seller_phone", KzPhone(2609)},
        {"buyer_phone", KzPhone(2608)},
        {"tags", {KzTag(2609)}},
        {"date", DaysFromToday(0)}},
       "price",
       "price",
       404},
      {"POST /vaccinations/batch",
       "/api/v1/vaccinations/batch",
       "vacc",
       {{"records", json::array({record})}},
       "device",
       "device",
       200},
      {"POST /vaccinations/batch",
       "/api/v1/vaccinations/batch",
       "vacc",
       {{"records", json::array({record_with_extra})}},
       "",
       "records[0].colour",
       200},
      {"POST /vaccinations/{id}/void",
       "/api/v1/vaccinations/" + some_id + "/void",
       "vet",
       {{"reason", "entered twice"}},
       "note",
       "note",
       404},
      {"POST /certificates",
       "/api/v1/certificates",
       "vet",
       {{"owner_phone", KzPhone(2699)},
        {"species", "sheep"},
        {"head_count", 5},
        {"purpose", "slaughter"},
        {"destination", "KZ-ALM"}},
       "valid_hour",
       "valid_hour",
       400},  // then refused for its owner_phone (no such owner): checked below
      {"POST /certificates/{id}/consume",
       "/api/v1/certificates/" + some_id + "/consume",
       "insp",
       {{"place", "gate 2"}},
       "by",
       "by",
       404},
      {"POST /certificates/{id}/passages",
       "/api/v1/certificates/" + some_id + "/passages",
       "insp",
       {{"id", NewUuid()},
        {"holding", 1},
        {"at", DaysFromToday(0) + "T06:00:00Z"},
        {"head_seen", 1}},
       "driver",
       "driver",
       404},
      {"POST /certificates/{id}/revoke",
       "/api/v1/certificates/" + some_id + "/revoke",
       "vet",
       {{"reason", "sold elsewhere"}},
       "why",
       "why",
       404},
      {"POST /verify", "/api/v1/verify", "", {{"hp1", "HP1:NOTACODE"}}, "lang", "lang", 200},
      // Issue 15 item 4: an unknown phone is answered as a known one; signing in with no code
      // sent is 401.
      {"POST /me/code", "/api/v1/me/code", "", {{"phone", KzPhone(2610)}}, "name", "name", 202},
      {"POST /me/session",
       "/api/v1/me/session",
       "",
       {{"phone", KzPhone(2610)}, {"code", "123456"}},
       "remember",
       "remember",
       401},
      {"POST /outbreaks",
       "/api/v1/outbreaks",
       "vacc",
       {{"id", NewUuid()},
        {"holding", 999999},
        {"disease", "FMD-O"},
        {"species", "cattle"},
        {"first_signs_on", DaysFromToday(0)},
        {"head_sick", 1},
        {"head_dead", 0},
        {"lat", 43.25},
        {"lon", 76.9}},
       "colour",
       "colour",
       400},  // then refused for its holding (none such in the jurisdiction)
      {"POST /outbreaks/{id}/confirm",
       "/api/v1/outbreaks/" + NewUuid() + "/confirm",
       "vet",
       {{"lab_reference", "LAB-1"}},
       "lab",
       "lab",
       404},
      {"POST /outbreaks/{id}/rule-out",
       "/api/v1/outbreaks/" + NewUuid() + "/rule-out",
       "vet",
       {{"note", "no lesions"}},
       "lab",
       "lab",
       404},
      {"POST /zones",
       "/api/v1/zones",
       "vet",
       {{"outbreak_id", NewUuid()},
        {"disease", "FMD-O"},
        {"protection_km", 3},
        {"surveillance_km", 10},
        {"species", {"cattle"}},
        {"starts_on", DaysFromToday(0)},
        {"ends_on", DaysFromToday(30)}},
       "radius",
       "radius",
       400},  // then refused for its outbreak_id (no such report)
      {"POST /zones/{id}/lift",
       "/api/v1/zones/999999/lift",
       "vet",
       {{"reason", "no new cases"}},
       "why",
       "why",
       404},
      {"POST /zones/{id}/revoke-certificates",
       "/api/v1/zones/999999/revoke-certificates",
       "vet",
       {{"reason", "origin in the zone"}},
       "why",
       "why",
       404},
      // "owner": the session of the owner made above, signed in to /me with their code.
      {"PUT /me/language",
       "/api/v1/me/language",
       "owner",
       {{"language", "ru"}},
       "lang",
       "lang",
       200},
  };
  // The owner's session: a code asked for their phone, as serve --sms-print-codes logs it.
  auto owner_session = [&]() -> std::string {
    EXPECT_EQ(client_->Post("/api/v1/me/code", {{"phone", phone}}).status, 202);
    const std::string code = PrintedOwnerCode(env_->ServerLog(), phone);
    auto session = client_->Post("/api/v1/me/session", {{"phone", phone}, {"code", code}});
    EXPECT_EQ(session.status, 200) << session.body;
    return session.json().value("token", "");
  };
  const std::string owner_token = owner_session();

  // The table covers every operation with a JSON request body in the served document (an owner's
  // SMS from smsbox, POST /sms/inbound, is text).
  auto doc = client_->Get("/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<std::string> with_body, in_table;
  const json spec = doc.json();
  for (const auto& [path, item] : spec.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      if (op.is_object() && op.contains("requestBody") &&
          op.at("requestBody").at("content").contains("application/json")) {
        std::string m = method;
        for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        with_body.insert(m + " " + path);
      }
    }
  }
  for (const Row& row : rows) in_table.insert(row.operation);
  EXPECT_EQ(in_table, with_body);

  for (const Row& row : rows) {
    SCOPED_TRACE(row.operation + " " + row.field);
    json with = row.body;
    if (!row.extra.empty()) with[row.extra] = "x";
    const std::string token = row.user.empty()      ? std::string()
                              : row.user == "owner" ? owner_token
                                                    : Token(row.user);
    const std::string method = row.operation.substr(0, row.operation.find(' '));
    auto send = [&](const json& body) {
      return client_->Send(method, row.target, body.dump(), "application/json", token);
    };
    auto refused = send(with);
    ExpectProblem(refused, 400, row.field);
    EXPECT_EQ(refused.json().value("type", ""), "https://herdpass.org/problems/invalid-argument");
    // Nothing was stored: the same body without the member is then created, not a duplicate.
    json without = row.body;
    if (row.extra.empty()) without["records"] = json::array({record});
    auto accepted = send(without);
    EXPECT_EQ(accepted.status, row.status_without) << accepted.body;
    EXPECT_NE(accepted.json().value("field", ""), row.field) << accepted.body;
  }
}

// The operator's console (`user add`, `key new`) acts for the authority it names: an auditor of
// KZ-ABY sees what was done for KZ-ABY, not for KZ-ALM.
TEST_F(ApiTest, AuditorsSeeTheConsolesActionsForTheirOwnAuthorityOnly) {
  CommandResult key = env_->Run({"key", "new", "--authority", "KZ-ALM"});
  ASSERT_TRUE(key.ok()) << key.out << key.err;
  auto users = client_->Get("/api/v1/audit?action=user.create&limit=1000", Token("aud"));
  ASSERT_EQ(users.status, 200) << users.body;
  std::set<std::string> targets;
  const json user_rows = users.json().at("items");
  for (const auto& row : user_rows) targets.insert(row.at("target").get<std::string>());
  EXPECT_EQ(targets.count("user:vacc"), 1u) << users.body;
  EXPECT_EQ(targets.count("user:vacc-alm"), 0u) << users.body;
  auto keys = client_->Get("/api/v1/audit?action=key.new&limit=1000", Token("aud"));
  ASSERT_EQ(keys.status, 200) << keys.body;
  int abay = 0;
  const json key_rows = keys.json().at("items");
  for (const auto& row : key_rows) {
    EXPECT_EQ(row.at("detail").at("authority"), "KZ-ABY") << row;
    ++abay;
  }
  EXPECT_GE(abay, 1) << "init made a signing key for KZ-ABY: " << keys.body;
}

// With the answer cache off (serve --lookup-cache-mib 0) each W2 answer is made for its client
// alone: sent as it is to a client that takes no gzip, gzip-encoded by the server to one that
// does, the same JSON both ways.
TEST(LookupUncachedApiTest, AnAnswerMadeForOneClientIsTheSameJsonGzippedOrNot) {
  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  env.AddUser({"insp", "inspector", "", ""});
  env.StartServer({"--lookups-per-minute", "0", "--lookup-cache-mib", "0"});
  auto client = env.Client();
  const std::string phone = KzPhone(2600);
  json recs = json::array();
  for (int i = 0; i < 12; ++i) recs.push_back(FlockRecord(phone, DaysFromToday(-i)));
  auto b = client->Post("/api/v1/vaccinations/batch", {{"records", recs}}, env.Login("vacc"));
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_EQ(b.json().at("created"), 12) << b.body;
  const std::string insp = env.Login("insp");
  const std::string target = "/api/v1/lookup?phone=" + phone;
  HttpResponse plain = client->Get(target, insp);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.header("Content-Encoding"), "");
  EXPECT_EQ(json::parse(plain.body).at("vaccinations").size(), 12u);
  HttpResponse gz = client->Send("GET", target, {}, {}, insp, {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200) << gz.body;
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.header("Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size() / 2);
  EXPECT_EQ(Gunzip(gz.body), plain.body);
}

// GET /animals/{tag} shows the owner's full phone and name, and ear tags are sequential: it takes
// from the same per-user budget as the phone lookups (here 3 a minute). The windows are whole
// minutes: within 2 x 3 + 1 requests one is refused, even if a minute turns over in between.
class LookupLimitApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Init();
    env_.AddUser({"vacc", "vaccinator", "", ""});
    env_.AddUser({"insp", "inspector", "", ""});
    env_.StartServer({"--lookups-per-minute", "3"});
    client_ = env_.Client();
  }
  HerdpassEnv env_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(LookupLimitApiTest, ReadingAnimalsByTagIsRateLimitedLikeLookups) {
  const std::string vacc = env_.Login("vacc"), insp = env_.Login("insp");
  json rec = FlockRecord(KzPhone(2500), DaysFromToday(0));
  rec.erase("head_count");
  rec["species"] = "cattle";
  rec["animal_tags"] = {KzTag(2500)};
  rec["vaccine"] = "FMD-OA-INACT";
  auto b = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({rec})}}, vacc);
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_EQ(b.json().at("created"), 1) << b.body;
  int answered = 0;
  std::optional<HttpResponse> refused;
  for (int i = 0; i < 7 && !refused; ++i) {
    auto r = client_->Get("/api/v1/animals/" + KzTag(2500 + i % 2), insp);  // known and unknown
    if (r.status == 429) {
      refused = r;
    } else {
      EXPECT_TRUE(r.status == 200 || r.status == 404) << r.body;
      ++answered;
    }
  }
  ASSERT_TRUE(refused.has_value()) << answered << " answers and no 429";
  ExpectProblem(*refused, 429);
  EXPECT_NE(refused->body.find("resource-exhausted"), std::string::npos) << refused->body;
}

// --- W11 period totals, over records a reader can count by hand ---

class CoveragePeriodApiTest : public SharedServerTest<CoveragePeriodApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "KZ-ABY-07", ""}, {"aud", "auditor", "", ""}};
    return spec;
  }
};

TEST_F(CoveragePeriodApiTest, AnAnimalVaccinatedInThreeMonthsAndAFlockDosedTwiceCountOnce) {
  // A cow vaccinated 100, 65 and 30 days ago (three different months), and a flock of 30 sheep
  // dosed 30 heads 100 days ago and 20 heads 30 days ago.
  auto cow = [&](int days) {
    json rec = FlockRecord(KzPhone(7001), DaysFromToday(days));
    rec.erase("head_count");
    rec["species"] = "cattle";
    rec["animal_tags"] = {KzTag(7001)};
    return rec;
  };
  const json records = json::array({cow(-100), cow(-65), cow(-30),
                                    FlockRecord(KzPhone(7001), DaysFromToday(-100), 30),
                                    FlockRecord(KzPhone(7001), DaysFromToday(-30), 20)});
  auto b = client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, Token("vacc"));
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_EQ(b.json().at("created"), 5) << b.body;

  auto r = client_->Get("/api/v1/reports/coverage?region=KZ-ABY-07&disease=FMD-O", Token("aud"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  int64_t cow_doses_by_month = 0;
  for (const auto& row : j.at("rows")) {
    if (row.at("species") == "cattle")
      cow_doses_by_month += row.at("vaccinated_head").get<int64_t>();
  }
  EXPECT_EQ(cow_doses_by_month, 3);  // once in each of three months
  // Over the period: the cow once, the flock's 50 doses as its 30 heads.
  EXPECT_EQ(j.at("totals"), json::parse(R"([
    {"authority": "KZ-ABY-07", "disease": "FMD-O", "species": "cattle",
     "vaccinated_head": 1, "registered_head": 1, "coverage": 1.0},
    {"authority": "KZ-ABY-07", "disease": "FMD-O", "species": "sheep",
     "vaccinated_head": 30, "registered_head": 30, "coverage": 1.0}
  ])"))
      << j;
}

// --- W11 and the certificate list, over the demo county (`herdpass demo`) ---

class DemoCountyApiTest : public SharedServerTest<DemoCountyApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.commands = {{"demo", "--owners", "200", "--seed", "7"}};
    spec.users = {{"aud", "auditor", "", ""},
                  {"vet-01", "vet", "KZ-ABY-01", ""},
                  {"vacc", "vaccinator", "", ""},
                  {"aud-alm", "auditor", "KZ-ALM", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"insp-ala", "inspector", "KZ-ALA", ""}};
    spec.check_on_stop = false;
    return spec;
  }

 protected:
  HttpResponse Report(const std::string& query, const std::string& user = "aud") {
    return client_->Get("/api/v1/reports/coverage" + query, tokens_.at(user));
  }

  static std::string Month(Date d) { return d.ToString().substr(0, 7); }
};

TEST_F(DemoCountyApiTest, DefaultsToTheCallersAuthorityAndTheLast12Months) {
  const Date before = UtcToday();
  auto r = Report("");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
  json j = r.json();
  const std::set<std::string> top = {"region", "from", "to", "rows", "totals", "truncated"};
  for (const auto& [k, v] : j.items()) EXPECT_EQ(top.count(k), 1u) << k;
  EXPECT_EQ(j.at("region"), "KZ-ABY");
  // The server's month: the test's or, across a UTC midnight at a month's end, the next one.
  const Date after = UtcToday();
  EXPECT_TRUE(j.at("to") == Month(before) || j.at("to") == Month(after)) << j.at("to");
  const Date server_today = j.at("to") == Month(before) ? before : after;
  EXPECT_EQ(j.at("from"), Month(server_today.AddMonths(-11)));
  EXPECT_EQ(j.at("truncated"), false);
  ASSERT_TRUE(j.at("rows").is_array());
  ASSERT_FALSE(j["rows"].empty());
  const std::set<std::string> keys = {"authority",       "disease",         "species", "month",
                                      "vaccinated_head", "registered_head", "coverage"};
  std::set<std::string> months;
  int64_t vaccinated = 0;
  for (const auto& row : j["rows"]) {
    ASSERT_EQ(row.size(), keys.size()) << row;
    for (const auto& [k, v] : row.items()) EXPECT_EQ(keys.count(k), 1u) << k;
    const std::string authority = row.at("authority");
    EXPECT_TRUE(authority == "KZ-ABY" || authority.rfind("KZ-ABY-", 0) == 0) << row;
    const std::string month = row.at("month");
    EXPECT_GE(month, j["from"].get<std::string>()) << row;
    EXPECT_LE(month, j["to"].get<std::string>()) << row;
    months.insert(month);
    const int64_t v = row.at("vaccinated_head"), reg = row.at("registered_head");
    EXPECT_TRUE(v > 0 || reg > 0) << row;
    EXPECT_LE(v, reg) << row;  // an animal vaccinated in a month is registered by its end
    const double want =
        reg == 0
            ? 0.0
            : std::round(10000.0 * static_cast<double>(v) / static_cast<double>(reg)) / 10000.0;
    EXPECT_DOUBLE_EQ(row.at("coverage").get<double>(), want) << row;
    vaccinated += v;
  }
  EXPECT_EQ(months.size(), 12u);  // the demo's animals are registered in every month
  EXPECT_GT(vaccinated, 0);       // the demo vaccinates in April, May and October every year
}

TEST_F(DemoCountyApiTest, PeriodTotalsCountTheHeadPresentNotTheMonthsAddedUp) {
  auto r = Report("?from=2025-01&to=2025-12");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  // Per (authority, disease, species): the last month's registered head (the demo ends no
  // animal, so the head present in the year is the head registered by its end) and the most
  // vaccinated in any month, from the monthly rows.
  std::map<std::string, int64_t> last_registered, max_vaccinated, sum_registered;
  for (const auto& row : j.at("rows")) {
    const std::string key = row.at("authority").get<std::string>() + " " +
                            row.at("disease").get<std::string>() + " " +
                            row.at("species").get<std::string>();
    if (row.at("month") == "2025-12") last_registered[key] = row.at("registered_head");
    max_vaccinated[key] = std::max<int64_t>(max_vaccinated[key], row.at("vaccinated_head"));
    sum_registered[key] += row.at("registered_head").get<int64_t>();
  }
  ASSERT_TRUE(j.at("totals").is_array()) << j;
  ASSERT_EQ(j["totals"].size(), sum_registered.size());
  const std::set<std::string> keys = {"authority",       "disease",         "species",
                                      "vaccinated_head", "registered_head", "coverage"};
  int64_t registered = 0, months_added_up = 0;
  for (const auto& t : j["totals"]) {
    for (const auto& [k, v] : t.items()) EXPECT_EQ(keys.count(k), 1u) << k;
    ASSERT_EQ(t.size(), keys.size()) << t;
    const std::string key = t.at("authority").get<std::string>() + " " +
                            t.at("disease").get<std::string>() + " " +
                            t.at("species").get<std::string>();
    ASSERT_EQ(last_registered.count(key), 1u) << key;
    const int64_t v = t.at("vaccinated_head"), reg = t.at("registered_head");
    EXPECT_EQ(reg, last_registered.at(key)) << t;
    EXPECT_GE(v, max_vaccinated.at(key)) << t;
    EXPECT_LE(v, reg) << t;
    EXPECT_DOUBLE_EQ(
        t.at("coverage").get<double>(),
        std::round(10000.0 * static_cast<double>(v) / static_cast<double>(reg)) / 10000.0)
        << t;
    registered += reg;
    months_added_up += sum_registered.at(key);
  }
  EXPECT_GT(registered, 0);
  EXPECT_GT(months_added_up, 6 * registered);  // what adding up the months used to show
}

TEST_F(DemoCountyApiTest, FiltersByDiseaseSpeciesAndMonthsAndAddsUp) {
  const std::string window = "?from=2024-01&to=2026-12";
  auto all = Report(window);
  ASSERT_EQ(all.status, 200) << all.body;
  auto some = Report(window + "&disease=FMD-O&species=sheep");
  ASSERT_EQ(some.status, 200) << some.body;
  json a = all.json(), s = some.json();
  EXPECT_EQ(s.at("from"), "2024-01");
  EXPECT_EQ(s.at("to"), "2026-12");
  std::vector<json> expected;
  for (const auto& row : a.at("rows")) {
    if (row.at("disease") == "FMD-O" && row.at("species") == "sheep") expected.push_back(row);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(s.at("rows"), json(expected));  // the filters only select rows
  // A month written on its own is the whole month: one month, one row per authority.
  auto one = Report("?from=2025-10&to=2025-10&disease=FMD-O&species=sheep");
  ASSERT_EQ(one.status, 200) << one.body;
  // (The body is kept in a variable: a range-for over a temporary's member reads freed memory.)
  const json one_body = one.json();
  for (const auto& row : one_body.at("rows")) EXPECT_EQ(row.at("month"), "2025-10") << row;
}

TEST_F(DemoCountyApiTest, KeepsToTheCallersJurisdiction) {
  // A vet of KZ-ABY-01 may not read the region above it, nor a sibling's.
  EXPECT_EQ(Report("", "vet-01").status, 200);
  ExpectProblem(Report("?region=KZ-ABY", "vet-01"), 403);
  ExpectProblem(Report("?region=KZ-ABY-02", "vet-01"), 403);
  ExpectProblem(Report("?region=KZ-ABY", "aud-alm"), 403);
  ExpectProblem(Report("?region=KZ", "aud"), 403);
  // Within it, only the subtree's owners.
  auto sub = Report("?region=KZ-ABY-01", "aud");
  ASSERT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(sub.json().at("region"), "KZ-ABY-01");
  const json sub_body = sub.json();
  for (const auto& row : sub_body.at("rows")) {
    const std::string authority = row.at("authority");
    EXPECT_TRUE(authority == "KZ-ABY-01" || authority.rfind("KZ-ABY-01-", 0) == 0) << row;
  }
  ExpectProblem(Report("", "vacc"), 403);  // vaccinators read no reports
  EXPECT_EQ(Report("", "admin").status, 200);
}

TEST_F(DemoCountyApiTest, BadParametersAre400NamingTheField) {
  ExpectProblem(Report("?from=2026-13"), 400, "from");
  ExpectProblem(Report("?from=2026-1"), 400, "from");
  ExpectProblem(Report("?to=2026-11-01"), 400, "to");
  ExpectProblem(Report("?to=November"), 400, "to");
  ExpectProblem(Report("?from=2026-11&to=2026-10"), 400, "from");
  ExpectProblem(Report("?disease=FMD-Z"), 400, "disease");
  ExpectProblem(Report("?species=dog"), 400, "species");
  ExpectProblem(Report("?region=kz-aby"), 400, "region");
}

TEST_F(DemoCountyApiTest, ReadingTheReportIsNotAudited) {
  // The whole audit log as the admin sees it, page by page.
  auto audit = [&] {
    json rows = json::array();
    std::string after = "0";
    for (;;) {
      auto page = client_->Get("/api/v1/audit?limit=1000&after=" + after, tokens_.at("admin"));
      EXPECT_EQ(page.status, 200) << page.body;
      if (page.status != 200) return rows;
      json j = page.json();
      for (const auto& row : j.at("items")) rows.push_back(row);
      if (j.at("next_cursor").is_null()) return rows;
      after = std::to_string(j["next_cursor"].get<int64_t>());
    }
  };
  // Counts of heads name no one (unlike W2 and the audit log): no audit row per read.
  const json before = audit();
  ASSERT_EQ(Report("").status, 200);
  ASSERT_EQ(Report("?disease=PPR").status, 200);
  const json after = audit();
  ASSERT_GE(after.size(), before.size());
  for (size_t i = before.size(); i < after.size(); ++i) {
    EXPECT_EQ(after[i].at("action"), "audit.read") << after[i];  // the admin's own pages only
  }
}

// GET /certificates: the demo issues seven certificates in KZ-ABY for KZ-ALA, consumes three (one
// of them the sale certificate, arrived at its buyer) and revokes one; and three more round the
// outbreak farm (W14 tracing), all arrived.
json CertificateList(HttpClient& client, const std::string& query, const std::string& token) {
  auto r = client.Get("/api/v1/certificates" + query, token);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json() : json{{"items", json::array()}, {"next_cursor", nullptr}};
}

// The demo county has holdings (W12) of every kind but the border post, round the Abay region's
// centre: the public places with no owner, the first households' farms, camps and pastures with
// their owner's masked name.
TEST_F(DemoCountyApiTest, HasHoldingsOfSeveralKindsNearItsCentre) {
  auto r = client_->Get("/api/v1/holdings?near=47.95,80.44&radius_km=50", tokens_.at("aud"));
  ASSERT_EQ(r.status, 200) << r.body;
  json items = r.json().at("items");
  std::set<std::string> kinds;
  int64_t last = -1;
  for (const json& h : items) {
    kinds.insert(h.at("kind").get<std::string>());
    EXPECT_GE(h.at("distance_m").get<int64_t>(), last) << h;  // nearest first
    last = h.at("distance_m").get<int64_t>();
    const bool kept =
        h["kind"] == "farm" || h["kind"] == "winter_camp" || h["kind"] == "summer_pasture";
    EXPECT_EQ(h.at("owner_id").is_number(), kept) << h;
    EXPECT_EQ(h.at("owner_masked_name").is_string(), kept) << h;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"farm", "winter_camp", "summer_pasture", "market",
                                          "slaughterhouse", "checkpoint", "quarantine_station"}));
  EXPECT_EQ(items.size(), 10u) << r.body;
}

TEST_F(DemoCountyApiTest, CertificateListIsNewestFirstWithTheListedFieldsOnly) {
  json page = CertificateList(*client_, "", tokens_.at("vet"));
  const std::set<std::string> top = {"items", "next_cursor"};
  for (const auto& [k, v] : page.items()) EXPECT_EQ(top.count(k), 1u) << k;
  EXPECT_TRUE(page.at("next_cursor").is_null());
  const json& items = page.at("items");
  ASSERT_EQ(items.size(), 10u) << page;
  const std::set<std::string> keys = {
      "id",          "number", "status",      "purpose",           "issued_at",
      "valid_until", "origin", "destination", "owner_masked_name", "head_count"};
  std::map<std::string, int> statuses;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    ASSERT_EQ(item.size(), keys.size()) << item;
    for (const auto& [k, v] : item.items()) EXPECT_EQ(keys.count(k), 1u) << k;
    if (i > 0) {
      EXPECT_GE(items[i - 1].at("issued_at"), item.at("issued_at"));  // RFC 3339, UTC
    }
    ++statuses[item.at("status")];
    // The same values as the certificate itself.
    auto one =
        client_->Get("/api/v1/certificates/" + item.at("id").get<std::string>(), tokens_.at("vet"));
    ASSERT_EQ(one.status, 200) << one.body;
    json full = one.json();
    for (const auto& k : keys) EXPECT_EQ(item.at(k), full.at(k)) << k;
  }
  EXPECT_EQ(statuses, (std::map<std::string, int>{{"consumed", 6}, {"issued", 3}, {"revoked", 1}}));
}

TEST_F(DemoCountyApiTest, CertificateListFiltersAndPages) {
  const std::string& vet = tokens_.at("vet");
  const json all = CertificateList(*client_, "", vet).at("items");
  ASSERT_EQ(all.size(), 10u);
  for (const auto& [status, shown, count] :
       {std::tuple{"consumed", "consumed", 6u}, std::tuple{"revoked", "revoked", 1u},
        std::tuple{"valid", "issued", 3u}, std::tuple{"expired", "expired", 0u}}) {
    const json items = CertificateList(*client_, std::string("?status=") + status, vet).at("items");
    EXPECT_EQ(items.size(), count) << status;
    for (const auto& item : items) EXPECT_EQ(item.at("status"), shown) << item;
  }
  // Pages of six: the same list.
  json first = CertificateList(*client_, "?limit=6", vet);
  ASSERT_EQ(first.at("items").size(), 6u);
  ASSERT_TRUE(first.at("next_cursor").is_string()) << first;
  json second =
      CertificateList(*client_, "?limit=6&cursor=" + first["next_cursor"].get<std::string>(), vet);
  ASSERT_EQ(second.at("items").size(), 4u) << second;
  EXPECT_TRUE(second.at("next_cursor").is_null());
  json joined = first["items"];
  for (const auto& item : second["items"]) joined.push_back(item);
  EXPECT_EQ(joined, all);
  // One owner's.
  auto one = client_->Get("/api/v1/certificates/" + all[0].at("id").get<std::string>(), vet);
  ASSERT_EQ(one.status, 200);
  const int64_t owner = one.json().at("owner_id");
  const json mine =
      CertificateList(*client_, "?owner_id=" + std::to_string(owner), vet).at("items");
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(mine[0], all[0]);
  EXPECT_TRUE(CertificateList(*client_, "?owner_id=999999", vet).at("items").empty());
}

TEST_F(DemoCountyApiTest, CertificateListKeepsToTheJurisdiction) {
  // Issued in KZ-ABY: a vet of KZ-ABY-01 sees none of them, an inspector of KZ-ALA the seven that
  // go there (not the outbreak demo's three, which stay in KZ-ABY), one of KZ-ABY all ten.
  EXPECT_TRUE(CertificateList(*client_, "", tokens_.at("vet-01")).at("items").empty());
  EXPECT_EQ(CertificateList(*client_, "", tokens_.at("insp-ala")).at("items").size(), 7u);
  EXPECT_EQ(CertificateList(*client_, "", tokens_.at("insp")).at("items").size(), 10u);
  EXPECT_EQ(CertificateList(*client_, "", tokens_.at("admin")).at("items").size(), 10u);
  ExpectProblem(client_->Get("/api/v1/certificates", tokens_.at("aud")), 403);
  ExpectProblem(client_->Get("/api/v1/certificates", tokens_.at("vacc")), 403);
  ExpectProblem(client_->Get("/api/v1/certificates"), 401);
}

// W14 tracing over the demo: from the outbreak farm, within FMD's incubation period, a market one
// sale away and a farm two away; the farm it sold to 30 days ago only with a window that long.
TEST_F(DemoCountyApiTest, TracesTheOutbreakFarmsMovements) {
  const std::string& vet = tokens_.at("vet");
  auto list = client_->Get("/api/v1/holdings?limit=1000", vet);
  ASSERT_EQ(list.status, 200) << list.body;
  const json holdings = list.json().at("items");
  std::map<int64_t, std::string> code;
  int64_t farm = 0;
  for (const json& h : holdings) {
    code[h.at("id").get<int64_t>()] = h.at("code").get<std::string>();
    if (h.at("code") == "FARM-OB-01") farm = h.at("id").get<int64_t>();
  }
  ASSERT_NE(farm, 0) << list.body;
  auto reached = [&](const std::string& query) {
    std::vector<std::string> out;
    auto r = client_->Get("/api/v1/trace?holding=" + std::to_string(farm) + query, vet);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return out;
    const json t = r.json();
    for (const json& h : t.at("holdings")) {
      out.push_back(code[h.at("id").get<int64_t>()] + "@" + std::to_string(h.at("hop").get<int>()));
    }
    return out;
  };
  EXPECT_EQ(reached("&disease=FMD-O"),
            (std::vector<std::string>{"FARM-OB-01@0", "MKT-OB-01@1", "FARM-OB-02@2"}));
  EXPECT_EQ(
      reached("&from=" + DaysFromToday(-40)),
      (std::vector<std::string>{"FARM-OB-01@0", "MKT-OB-01@1", "FARM-OB-03@1", "FARM-OB-02@2"}));
}

// The demo's sale certificate (W8): printed with its buyer's phone, issued for sale to that buyer
// and arrived; the buyer's phone check shows the bought animals, each dose given before the sale
// marked as under the previous owner (masked name and the day of the sale). The buyer is an owner
// of the destination's jurisdiction (KZ-ALA), where the animals arrived.
TEST_F(DemoCountyApiTest, SaleCertificateArrivedAtItsBuyerWhoseLookupShowsTheEarlierDoses) {
  ASSERT_EQ(command_out_.size(), 1u);
  const std::string& out = command_out_[0];
  const std::string label = "demo sale certificate: ";
  const size_t at = out.find(label);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string line = out.substr(at + label.size(), out.find('\n', at) - at - label.size());
  const std::string middle = " arrived at buyer ";
  const size_t split = line.find(middle);
  ASSERT_NE(split, std::string::npos) << line;
  const std::string number = line.substr(0, split);
  const std::string buyer = line.substr(split + middle.size());
  ASSERT_EQ(buyer.rfind("+7", 0), 0u) << line;

  auto cert = client_->Get("/api/v1/certificates/" + number, tokens_.at("vet"));
  ASSERT_EQ(cert.status, 200) << cert.body;
  const json c = cert.json();
  EXPECT_EQ(c.at("purpose"), "sale");
  EXPECT_EQ(c.at("status"), "consumed");
  EXPECT_EQ(c.at("movement").at("status"), "arrived") << c.at("movement");
  const json tags = c.at("tags");
  ASSERT_FALSE(tags.empty()) << c;

  auto lookup = client_->Get("/api/v1/lookup?phone=%2B" + buyer.substr(1), tokens_.at("insp-ala"));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  const json l = lookup.json();
  std::set<std::string> owned;
  for (const json& a : l.at("animals")) {
    if (a.at("tag").is_string()) owned.insert(a.at("tag").get<std::string>());
  }
  for (const json& t : tags)
    EXPECT_EQ(owned.count(t.get<std::string>()), 1u) << t << l.at("animals");
  int earlier = 0;
  for (const json& v : l.at("vaccinations")) {
    if (!v.at("owner_id").is_null()) continue;
    ++earlier;
    const json& p = v.at("previous_owner");
    EXPECT_TRUE(p.at("masked_name").is_string()) << v;
    EXPECT_LE(v.at("administered_on").get<std::string>(), p.at("sold_on").get<std::string>()) << v;
  }
  EXPECT_GT(earlier, 0) << l.at("vaccinations");
}

TEST_F(DemoCountyApiTest, CertificateListBadParametersAre400NamingTheField) {
  const std::string& vet = tokens_.at("vet");
  ExpectProblem(client_->Get("/api/v1/certificates?status=issued-ish", vet), 400, "status");
  ExpectProblem(client_->Get("/api/v1/certificates?limit=0", vet), 400, "limit");
  ExpectProblem(client_->Get("/api/v1/certificates?limit=1001", vet), 400, "limit");
  ExpectProblem(client_->Get("/api/v1/certificates?limit=ten", vet), 400, "limit");
  ExpectProblem(client_->Get("/api/v1/certificates?owner_id=x", vet), 400, "owner_id");
  ExpectProblem(client_->Get("/api/v1/certificates?cursor=nonsense", vet), 400, "cursor");
  ExpectProblem(client_->Get("/api/v1/certificates?cursor=12.not-a-uuid", vet), 400, "cursor");
}

// --- holdings (W12) ---

// A holding body: a farm at (lat, lon) unless changed.
json HoldingBody(const std::string& code, double lat, double lon,
                 const std::string& kind = "farm") {
  return json{{"code", code}, {"kind", kind}, {"name", "Holding " + code},
              {"lat", lat},   {"lon", lon},   {"opened_on", "2020-04-01"}};
}

TEST_F(ApiTest, HoldingsAreCreatedReadByIdAndListedNearestFirst) {
  CreateOwner("+77012345671", "Aigerim Bekova");
  json farm = HoldingBody("HL-FARM", 47.001, 80.001);
  farm["owner_phone"] = "8 701 234 5671";
  auto created = client_->Post("/api/v1/holdings", farm, Token("vet"));
  ASSERT_EQ(created.status, 201) << created.body;
  const json f = created.json();
  EXPECT_EQ(created.header("Location"),
            "/api/v1/holdings/" + std::to_string(f.at("id").get<int64_t>()));
  EXPECT_EQ(f.at("kind"), "farm");
  EXPECT_EQ(f.at("owner_masked_name"), "A****** B*****");
  EXPECT_EQ(created.body.find("7012345671"), std::string::npos) << "no phone in the answer";
  EXPECT_EQ(created.body.find("Aigerim"), std::string::npos) << "no full name in the answer";
  auto market =
      client_->Post("/api/v1/holdings", HoldingBody("HL-MKT", 47.0, 80.03, "market"), Token("vet"));
  ASSERT_EQ(market.status, 201) << market.body;
  EXPECT_TRUE(market.json().at("owner_id").is_null());
  auto post = client_->Post("/api/v1/holdings", HoldingBody("HL-POST", 47.2, 80.0, "checkpoint"),
                            Token("vet"));
  ASSERT_EQ(post.status, 201) << post.body;

  // By id, for an inspector of the same authority.
  auto got =
      client_->Get("/api/v1/holdings/" + std::to_string(f.at("id").get<int64_t>()), Token("insp"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), f);
  ExpectProblem(client_->Get("/api/v1/holdings/99999999", Token("insp")), 404);

  // Nearest first from a point beside the farm, 20 km round: farm, market; the post is 22 km off.
  auto page = client_->Get("/api/v1/holdings?near=47.0,80.0&radius_km=20&limit=1", Token("aud"));
  ASSERT_EQ(page.status, 200) << page.body;
  json p = page.json();
  ASSERT_EQ(p.at("items").size(), 1u) << p;
  EXPECT_EQ(p["items"][0].at("code"), "HL-FARM");
  EXPECT_EQ(p["items"][0].at("distance_m"), 135) << p;  // 0.001 deg N and E at 47 N: 134.6 m
  ASSERT_TRUE(p.at("next_cursor").is_string()) << p;
  auto next = client_->Get("/api/v1/holdings?near=47.0,80.0&radius_km=20&limit=1&cursor=" +
                               p["next_cursor"].get<std::string>(),
                           Token("aud"));
  ASSERT_EQ(next.status, 200) << next.body;
  json n = next.json();
  ASSERT_EQ(n.at("items").size(), 1u) << n;
  EXPECT_EQ(n["items"][0].at("code"), "HL-MKT");
  auto rest = client_->Get("/api/v1/holdings?near=47.0,80.0&radius_km=20&limit=1&cursor=" +
                               n["next_cursor"].get<std::string>(),
                           Token("aud"));
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_TRUE(rest.json().at("items").empty()) << rest.body;
  EXPECT_TRUE(rest.json().at("next_cursor").is_null()) << rest.body;
  // By kind.
  auto checkpoints = client_->Get("/api/v1/holdings?kind=checkpoint&near=47.0,80.0", Token("vacc"));
  ASSERT_EQ(checkpoints.status, 200) << checkpoints.body;
  ASSERT_EQ(checkpoints.json().at("items").size(), 1u) << checkpoints.body;
  EXPECT_EQ(checkpoints.json()["items"][0].at("code"), "HL-POST");
  // A vaccinator of another authority sees none of them.
  auto elsewhere = client_->Get("/api/v1/holdings?near=47.0,80.0", Token("vacc-alm"));
  ASSERT_EQ(elsewhere.status, 200) << elsewhere.body;
  EXPECT_TRUE(elsewhere.json().at("items").empty()) << elsewhere.body;
  ExpectProblem(client_->Get("/api/v1/holdings/" + std::to_string(f.at("id").get<int64_t>()),
                             Token("vacc-alm")),
                404);
}

TEST_F(ApiTest, BadHoldingsAreProblemsNamingTheFieldAndStoreNothing) {
  const int64_t owner_id = CreateOwner("+77012345672").at("id").get<int64_t>();
  struct Case {
    const char* what;
    json body;
    int status;
    const char* field;
  };
  auto with = [](json b, const char* key, json value) {
    b[key] = std::move(value);
    return b;
  };
  const json base = HoldingBody("HL-BAD", 47.5, 81.5);
  const std::vector<Case> cases = {
      {"unknown kind", with(base, "kind", "barn"), 400, "kind"},
      {"lat", with(base, "lat", 91), 400, "lat"},
      {"lon", with(base, "lon", -180.5), 400, "lon"},
      {"closed before opened", with(base, "closed_on", "2020-03-31"), 400, "closed_on"},
      {"owner of a market", with(with(base, "kind", "market"), "owner_id", owner_id), 400,
       "owner_id"},
      {"authority elsewhere", with(base, "authority", "KZ-ALM"), 403, "authority"},
      {"unknown field", with(base, "gps", "47.5,81.5"), 400, "gps"},
      {"lat as text", with(base, "lat", "47.5"), 400, "lat"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectProblem(client_->Post("/api/v1/holdings", c.body, Token("vet")), c.status, c.field);
  }
  auto none = client_->Get("/api/v1/holdings?near=47.5,81.5&radius_km=1", Token("vet"));
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(none.json().at("items").empty()) << none.body;
  // A vaccinator may register a farm, not a market.
  ExpectProblem(client_->Post("/api/v1/holdings", with(base, "kind", "market"), Token("vacc")), 403,
                "kind");
  // The code once per authority.
  ASSERT_EQ(client_->Post("/api/v1/holdings", base, Token("vacc")).status, 201);
  ExpectProblem(client_->Post("/api/v1/holdings", with(base, "lat", 47.6), Token("vet")), 409,
                "code");
  auto one = client_->Get("/api/v1/holdings?near=47.5,81.5&radius_km=50", Token("vet"));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().at("items").size(), 1u) << one.body;
  // Bad list parameters.
  ExpectProblem(client_->Get("/api/v1/holdings?near=47.5", Token("vet")), 400, "near");
  ExpectProblem(client_->Get("/api/v1/holdings?kind=barn", Token("vet")), 400, "kind");
  ExpectProblem(client_->Get("/api/v1/holdings?authority=KZ-ALM", Token("vet")), 403, "authority");
}

json WithHolding(json body, int64_t holding) {
  body["holding"] = holding;
  return body;
}

TEST_F(ApiTest, AnimalsAndRecordsNameTheirHoldingInTheAnimalViewAndW2) {
  const std::string phone = "+77012345673";
  const int64_t owner_id = CreateOwner(phone).at("id").get<int64_t>();
  auto farm = client_->Post("/api/v1/holdings", HoldingBody("HL-W2", 48.0, 82.0), Token("vacc"));
  ASSERT_EQ(farm.status, 201) << farm.body;
  const int64_t farm_id = farm.json().at("id").get<int64_t>();
  auto theirs =
      client_->Post("/api/v1/holdings", HoldingBody("HL-ALM", 43.2, 76.9), Token("vacc-alm"));
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  const int64_t their_id = theirs.json().at("id").get<int64_t>();

  const std::string tag = KzTag(7301);
  json animal{{"tag", tag}, {"species", "cattle"}, {"owner_id", owner_id}};
  ExpectProblem(client_->Post("/api/v1/animals", WithHolding(animal, their_id), Token("vacc")), 400,
                "holding");
  ExpectProblem(client_->Post("/api/v1/animals", WithHolding(animal, 99999999), Token("vacc")), 400,
                "holding");
  ExpectProblem(client_->Get("/api/v1/animals/" + tag, Token("vacc")), 404);
  auto a = client_->Post("/api/v1/animals", WithHolding(animal, farm_id), Token("vacc"));
  ASSERT_EQ(a.status, 201) << a.body;
  const json want_ref{
      {"id", farm_id}, {"code", "HL-W2"}, {"name", "Holding HL-W2"}, {"kind", "farm"}};
  EXPECT_EQ(a.json().at("holding"), want_ref) << a.body;

  // W1: one record at the farm, one at another authority's holding (rejected naming it), one at
  // none.
  json at_farm = FlockRecord(phone, DaysFromToday(-3));
  at_farm.erase("head_count");
  at_farm["species"] = "cattle";
  at_farm["animal_tags"] = {tag};
  at_farm["holding"] = farm_id;
  json at_theirs = at_farm;
  at_theirs["id"] = NewUuid();
  at_theirs["holding"] = their_id;
  json nowhere = at_farm;
  nowhere["id"] = NewUuid();
  nowhere.erase("holding");
  nowhere["administered_on"] = DaysFromToday(-2);
  auto b = Batch(json::array({at_farm, at_theirs, nowhere}));
  ASSERT_EQ(b.status, 200) << b.body;
  json results = b.json().at("results");
  EXPECT_EQ(results[0].at("status"), "created") << b.body;
  EXPECT_EQ(results[1].at("status"), "rejected") << b.body;
  EXPECT_EQ(results[1].at("reason").at("field"), "records[1].holding") << b.body;
  EXPECT_EQ(results[2].at("status"), "created") << b.body;

  auto view = client_->Get("/api/v1/animals/" + tag, Token("vet"));
  ASSERT_EQ(view.status, 200) << view.body;
  json v = view.json();
  EXPECT_EQ(v.at("holding"), want_ref) << v;
  ASSERT_EQ(v.at("vaccinations").size(), 2u) << v;
  // Newest first: the dose at no holding, then the one at the farm.
  EXPECT_FALSE(v["vaccinations"][0].contains("holding")) << v;
  EXPECT_EQ(v["vaccinations"][1].at("holding"), want_ref) << v;

  json w2 = LookupOrNull(phone);
  ASSERT_TRUE(w2.is_object());
  ASSERT_EQ(w2.at("animals").size(), 1u) << w2;
  EXPECT_EQ(w2["animals"][0].at("holding"), want_ref) << w2;
  ASSERT_EQ(w2.at("vaccinations").size(), 2u) << w2;
  EXPECT_EQ(w2["vaccinations"][1].at("holding"), want_ref) << w2;
}

}  // namespace
}  // namespace herdpass::testing
