// Black-box tests of an animal's timeline (W12, issue 12 item 6) on the real `herdpass` binary:
// every source in time order, a replaced tag's timeline the same as its successor's, the owner
// masked for an inspector of another province, unknown and malformed tags, a flock by its id.
//
// Each test uses its own phone numbers and ear tags (7000 + 10 * test index and up).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "domain/time.h"
#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

class TimelineApiTest : public SharedServerTest<TimelineApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},          {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},           {"aud", "auditor", "", ""},
                  {"insp-alm", "inspector", "KZ-ALM", ""}, {"aud-alm", "auditor", "KZ-ALM", ""},
                  {"vacc-alm", "vaccinator", "KZ-ALM", ""}};
    // Local time is UTC, so that the days of timed entries (registration, certificates) are the
    // UTC days the test dates its doses and events on, whatever the hour.
    spec.serve_args = {"--utc-offset", "+00:00"};
    return spec;
  }

 protected:
  static json Dose(const std::string& phone, const std::string& tag, const std::string& date) {
    return {{"id", NewUuid()},
            {"owner_phone", phone},
            {"owner_name", "Bolat Seitkali"},
            {"animal_tags", {tag}},
            {"species", "cattle"},
            {"disease", "FMD-O"},
            {"vaccine", "FMD-OA-INACT"},
            {"batch_no", "LOT-" + tag.substr(11)},
            {"dose_ml", 2.0},
            {"lat", 47.9},
            {"lon", 80.6},
            {"administered_on", date}};
  }

  // A cow vaccinated twice, its tag replaced, certified for slaughter, the certificate used at the
  // plant, and slaughtered there. Returns {old tag, new tag}.
  std::pair<std::string, std::string> Life(int n) {
    const std::string phone = KzPhone(7000 + n);
    const std::string old_tag = KzTag(700000 + 10LL * n), new_tag = KzTag(700000 + 10LL * n + 1);
    auto batch = client_->Post("/api/v1/vaccinations/batch",
                               {{"records", json::array({Dose(phone, old_tag, DaysFromToday(-2)),
                                                         Dose(phone, old_tag, DaysFromToday(0))})}},
                               Token("vacc"));
    EXPECT_EQ(batch.status, 200) << batch.body;
    EXPECT_EQ(batch.json().value("created", 0), 2) << batch.body;
    auto replaced = client_->Post("/api/v1/animals/" + old_tag + "/events",
                                  {{"id", NewUuid()},
                                   {"kind", "tag_replaced"},
                                   {"new_tag", new_tag},
                                   {"date", DaysFromToday(0)}},
                                  Token("vacc"));
    EXPECT_EQ(replaced.status, 201) << replaced.body;
    auto issued = client_->Post("/api/v1/certificates",
                                {{"owner_phone", phone},
                                 {"animal_tags", {new_tag}},
                                 {"species", "cattle"},
                                 {"purpose", "slaughter"},
                                 {"origin_place", "Kopa village"},
                                 {"destination", "KZ-ABY"},
                                 {"destination_place", "Ayagoz meat plant"},
                                 {"transport", "truck 123 ABC 05"}},
                                Token("vet"));
    EXPECT_EQ(issued.status, 201) << issued.body;
    const std::string id = issued.json().value("id", "");
    auto used = client_->Post("/api/v1/certificates/" + id + "/consume",
                              {{"place", "Ayagoz meat plant"}}, Token("insp"));
    EXPECT_EQ(used.status, 200) << used.body;
    auto slaughtered = client_->Post(
        "/api/v1/animals/" + new_tag + "/events",
        {{"id", NewUuid()}, {"kind", "slaughtered"}, {"date", DaysFromToday(0)}}, Token("insp"));
    EXPECT_EQ(slaughtered.status, 201) << slaughtered.body;
    return {old_tag, new_tag};
  }

  json Timeline(const std::string& tag, const std::string& user) {
    auto r = client_->Get("/api/v1/animals/" + tag + "/timeline", Token(user));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
    return r.status == 200 ? r.json() : json::object();
  }

  static std::vector<std::string> Kinds(const json& t) {
    std::vector<std::string> out;
    for (const json& e : t.at("entries")) {
      std::string k = e.at("kind").get<std::string>();
      if (e.contains("event")) k += ":" + e.at("event").at("kind").get<std::string>();
      out.push_back(k);
    }
    return out;
  }
};

TEST_F(TimelineApiTest, AReplacedTagsTimelineIsItsSuccessorsWithEverySourceInOrder) {
  const auto [old_tag, new_tag] = Life(1);
  const json by_old = Timeline(old_tag, "vet");
  const json by_new = Timeline(new_tag, "vet");
  EXPECT_EQ(by_old, by_new);
  EXPECT_EQ(by_new.at("animal").at("tag"), new_tag);
  EXPECT_EQ(by_new.at("animal").at("former_tags"), json::array({old_tag}));
  EXPECT_EQ(by_new.at("animal").at("status"), "slaughtered");
  // Registered by the first batch on the day it was sent, with the dose dated two days back first.
  EXPECT_EQ(Kinds(by_new),
            (std::vector<std::string>{"vaccination", "registered", "vaccination",
                                      "life_event:tag_replaced", "certificate", "certificate_used",
                                      "life_event:slaughtered"}));
  const json& entries = by_new.at("entries");
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].at("date"), DaysFromToday(-2));
  EXPECT_EQ(entries[0].at("at"), nullptr);
  EXPECT_EQ(entries[0].at("by"), "vacc");
  EXPECT_EQ(entries[0].at("vaccination").at("disease"), "FMD-O");
  EXPECT_EQ(entries[0].at("vaccination").at("vaccine"), "FMD-OA-INACT");
  EXPECT_EQ(entries[0].at("vaccination").at("voided"), false);
  EXPECT_EQ(entries[1].at("owner").at("name"), "Bolat Seitkali");
  EXPECT_EQ(entries[3].at("event").at("old_tag"), old_tag);
  EXPECT_EQ(entries[3].at("event").at("new_tag"), new_tag);
  const json& cert = entries[4].at("certificate");
  EXPECT_EQ(cert.at("status"), "consumed");
  EXPECT_EQ(cert.at("purpose"), "slaughter");
  EXPECT_EQ(cert.at("destination_place"), "Ayagoz meat plant");
  EXPECT_EQ(cert.at("consumed").at("place"), "Ayagoz meat plant");
  EXPECT_EQ(cert.at("consumed").at("by"), "insp");
  EXPECT_EQ(entries[4].at("by"), "vet");
  EXPECT_EQ(entries[5].at("by"), "insp");
  EXPECT_EQ(entries[5].at("certificate").at("number"), cert.at("number"));
  EXPECT_EQ(entries[6].at("by"), "insp");
}

TEST_F(TimelineApiTest, AnInspectorOfAnotherProvinceSeesTheOwnerMasked) {
  const auto [old_tag, new_tag] = Life(2);
  const json inside = Timeline(new_tag, "insp");
  EXPECT_EQ(inside.at("owner").at("masked"), false);
  EXPECT_EQ(inside.at("owner").at("name"), "Bolat Seitkali");
  EXPECT_EQ(inside.at("owner").at("phone"), KzPhone(7002));
  EXPECT_EQ(inside.at("entries")[0].at("vaccination").at("lat"), 47.9);

  const json outside = Timeline(new_tag, "insp-alm");
  EXPECT_EQ(outside.at("owner").at("masked"), true);
  EXPECT_EQ(outside.at("owner").at("name"), "B**** S*******");
  EXPECT_EQ(outside.at("owner").at("phone"), nullptr);
  EXPECT_EQ(outside.at("owner").at("id"), nullptr);
  EXPECT_EQ(outside.at("owner").at("authority"), "KZ-ABY");
  EXPECT_EQ(outside.at("entries")[1].at("owner").at("name"), "B**** S*******");
  EXPECT_EQ(outside.at("entries")[0].at("vaccination").at("lat"), nullptr);
  // Neither the name nor any form of the phone number is anywhere in the answer.
  const std::string body = outside.dump();
  EXPECT_EQ(body.find("Bolat"), std::string::npos) << body;
  EXPECT_EQ(body.find(KzPhone(7002).substr(2)), std::string::npos) << body;
  EXPECT_EQ(Kinds(outside), Kinds(inside));
}

TEST_F(TimelineApiTest, EachReadIsAuditedAsAReadOfPersonalData) {
  const auto [old_tag, new_tag] = Life(3);
  (void)Timeline(old_tag, "insp");
  (void)Timeline(new_tag, "insp-alm");
  // Each read is its reader's authority's row: the auditors of each see their own.
  const auto rows_of = [&](const std::string& auditor, const std::string& target) {
    auto audit = client_->Get("/api/v1/audit?action=animal.timeline&limit=1000", Token(auditor));
    EXPECT_EQ(audit.status, 200) << audit.body;
    std::vector<json> rows;
    const json page = audit.json();  // kept: a loop over a member of a temporary would dangle
    for (const json& row : page.at("items")) {
      if (row.at("target") == target) rows.push_back(row);
    }
    return rows;
  };
  const auto inside = rows_of("aud", "tag:" + old_tag);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(inside[0].at("username"), "insp");
  EXPECT_EQ(inside[0].at("detail").at("found"), true);
  EXPECT_EQ(inside[0].at("detail").at("owner_masked"), false);
  const auto outside = rows_of("aud-alm", "tag:" + new_tag);
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_EQ(outside[0].at("username"), "insp-alm");
  EXPECT_EQ(outside[0].at("detail").at("owner_masked"), true);
}

TEST_F(TimelineApiTest, UnknownTagIs404AndAMalformedOne400NamingIt) {
  ExpectProblem(client_->Get("/api/v1/animals/" + KzTag(799999) + "/timeline", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/animals/12ab/timeline", Token("vet")), 400, "tag");
  ExpectProblem(client_->Get("/api/v1/animals/" + KzTag(799999) + "/timeline"), 401);
  ExpectProblem(client_->Get("/api/v1/flocks/999999/timeline", Token("vet")), 404);
  ExpectProblem(client_->Get("/api/v1/flocks/abc/timeline", Token("vet")), 404);
}

TEST_F(TimelineApiTest, AFlockIsReadByItsId) {
  const std::string phone = KzPhone(7040);
  auto batch = client_->Post("/api/v1/vaccinations/batch",
                             {{"records", json::array({FlockRecord(phone, DaysFromToday(0), 25)})}},
                             Token("vacc"));
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json().value("created", 0), 1) << batch.body;
  auto lookup = client_->Get("/api/v1/lookup?phone=%2B" + phone.substr(1), Token("vet"));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  ASSERT_EQ(lookup.json().at("animals").size(), 1u) << lookup.body;
  const int64_t flock_id = lookup.json().at("animals")[0].at("id").get<int64_t>();
  auto r = client_->Get("/api/v1/flocks/" + std::to_string(flock_id) + "/timeline", Token("aud"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json t = r.json();
  EXPECT_EQ(t.at("animal").at("kind"), "flock");
  EXPECT_EQ(t.at("owner").at("masked"), true);  // an auditor's role reads no personal data
  EXPECT_EQ(Kinds(t), (std::vector<std::string>{"registered", "vaccination"}));
}

// A flock's heads sold twice at the farm, A to B and B to C: C's phone check shows the doses given
// under A and under B, each under its owner's masked name; A's flock's timeline shows the heads
// sold as a head event and the change of owner, the buyer in full within the caller's
// jurisdiction and masked outside it.
TEST_F(TimelineApiTest, AFlocksHeadsSoldTwiceKeepTheirDosesAndTheSellersTimelineShowsTheSale) {
  const std::string a = KzPhone(7050), b = KzPhone(7051), c = KzPhone(7052);
  json under_a = FlockRecord(a, DaysFromToday(-10), 25);
  under_a["owner_name"] = "Askar Omarov";
  auto batch = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({under_a})}},
                             Token("vacc"));
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json().value("created", 0), 1) << batch.body;
  auto a_lookup = client_->Get("/api/v1/lookup?phone=%2B" + a.substr(1), Token("vet"));
  ASSERT_EQ(a_lookup.status, 200) << a_lookup.body;
  ASSERT_EQ(a_lookup.json().at("animals").size(), 1u) << a_lookup.body;
  const int64_t a_flock = a_lookup.json().at("animals")[0].at("id").get<int64_t>();
  const json to_b = {{"id", NewUuid()},          {"seller_phone", a},
                     {"buyer_phone", b},         {"buyer_name", "Berik Sadykov"},
                     {"flock_id", a_flock},      {"head", 10},
                     {"date", DaysFromToday(-8)}};
  auto sold_b = client_->Post("/api/v1/transfers", to_b, Token("vet"));
  ASSERT_EQ(sold_b.status, 201) << sold_b.body;
  const int64_t b_flock = sold_b.json().at("changes")[0].at("to_animal_id").get<int64_t>();
  json under_b = FlockRecord(b, DaysFromToday(-6), 10);
  batch = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({under_b})}},
                        Token("vacc"));
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json().value("created", 0), 1) << batch.body;
  const json to_c = {{"id", NewUuid()},          {"seller_phone", b},
                     {"buyer_phone", c},         {"buyer_name", "Chingiz Ahmetov"},
                     {"flock_id", b_flock},      {"head", 6},
                     {"date", DaysFromToday(-4)}};
  auto sold_c = client_->Post("/api/v1/transfers", to_c, Token("vet"));
  ASSERT_EQ(sold_c.status, 201) << sold_c.body;

  auto lookup = client_->Get("/api/v1/lookup?phone=%2B" + c.substr(1), Token("insp"));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  const json cj = lookup.json();
  std::map<std::string, json> doses;
  for (const json& d : cj.at("vaccinations")) doses[d.at("id").get<std::string>()] = d;
  ASSERT_EQ(doses.size(), 2u) << cj.dump(1);
  ASSERT_EQ(doses.count(under_a.at("id")), 1u) << cj.dump(1);
  ASSERT_EQ(doses.count(under_b.at("id")), 1u) << cj.dump(1);
  const json& from_a = doses.at(under_a.at("id"));
  EXPECT_EQ(from_a.at("previous_owner").at("masked_name"), "A**** O*****");
  EXPECT_EQ(from_a.at("previous_owner").at("sold_on"), DaysFromToday(-8));
  EXPECT_EQ(from_a.at("head_count"), 6);
  const json& from_b = doses.at(under_b.at("id"));
  EXPECT_EQ(from_b.at("previous_owner").at("masked_name"), "B**** S******");
  EXPECT_EQ(from_b.at("previous_owner").at("sold_on"), DaysFromToday(-4));
  EXPECT_EQ(lookup.body.find("Askar"), std::string::npos);
  EXPECT_EQ(lookup.body.find("Berik"), std::string::npos);

  auto seller =
      client_->Get("/api/v1/flocks/" + std::to_string(a_flock) + "/timeline", Token("insp"));
  ASSERT_EQ(seller.status, 200) << seller.body;
  const json st = seller.json();
  // Registered when the first batch was sent, today: after the dose and the sale it dates.
  EXPECT_EQ(Kinds(st), (std::vector<std::string>{"vaccination", "life_event:sold",
                                                 "ownership_change", "registered"}));
  const json& sold = st.at("entries")[1];
  EXPECT_EQ(sold.at("date"), DaysFromToday(-8));
  EXPECT_EQ(sold.at("event").at("head"), 10);
  EXPECT_EQ(sold.at("event").at("head_after"), 15);
  EXPECT_EQ(sold.at("event").at("reason"), "sold to B**** S******");
  const json& change = st.at("entries")[2];
  EXPECT_EQ(change.at("date"), DaysFromToday(-8));
  EXPECT_EQ(change.at("ownership").at("via"), "transfer");
  EXPECT_EQ(change.at("ownership").at("head"), 10);
  EXPECT_EQ(change.at("ownership").at("from").at("name"), "Askar Omarov");
  EXPECT_EQ(change.at("ownership").at("to").at("name"), "Berik Sadykov");
  EXPECT_EQ(change.at("ownership").at("to").at("masked"), false);
  auto outside =
      client_->Get("/api/v1/flocks/" + std::to_string(a_flock) + "/timeline", Token("insp-alm"));
  ASSERT_EQ(outside.status, 200) << outside.body;
  const json ot = outside.json();  // kept: a reference into a temporary would dangle
  const json& masked = ot.at("entries")[2].at("ownership");
  EXPECT_EQ(masked.at("to").at("masked"), true);
  EXPECT_EQ(masked.at("to").at("name"), "B**** S******");
  EXPECT_EQ(masked.at("to").at("phone"), nullptr);
  EXPECT_EQ(outside.body.find("Berik"), std::string::npos);
}

// POST /holdings as the vet (KZ-ABY); the new holding's id.
int64_t AddHolding(HttpClient& client, const std::string& token, const std::string& code,
                   const std::string& kind) {
  auto r = client.Post("/api/v1/holdings",
                       {{"code", code},
                        {"kind", kind},
                        {"name", "Holding " + code},
                        {"lat", 47.9},
                        {"lon", 80.6},
                        {"opened_on", "2020-01-01"}},
                       token);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
}

// A whole life in one day: entries of one date come in the one order of domain/timeline.h
// (SortTimeline), by kind, then as recorded, not in the order the store read them (it reads doses
// newest first). Run on both backends.
TEST_F(TimelineApiTest, OneDaysEntriesComeByKindThenInTheOrderTheyWereRecorded) {
  const std::string seller = KzPhone(7060), buyer = KzPhone(7061);
  const std::string tag = KzTag(700600);
  // Two doses the same day, sent one after the other, the first with the smaller id.
  std::string first_id = NewUuid(), second_id = NewUuid();
  if (second_id < first_id) std::swap(first_id, second_id);
  json first = Dose(seller, tag, DaysFromToday(0)), second = first;
  first["id"] = first_id;
  first["batch_no"] = "LOT-FIRST";
  second["id"] = second_id;
  second["batch_no"] = "LOT-SECOND";
  for (const json& dose : {first, second}) {
    auto batch = client_->Post("/api/v1/vaccinations/batch", {{"records", {dose}}}, Token("vacc"));
    ASSERT_EQ(batch.status, 200) << batch.body;
    ASSERT_EQ(batch.json().value("created", 0), 1) << batch.body;
  }
  const std::string unique = NewUuid().substr(0, 8);
  const int64_t station = AddHolding(*client_, Token("vet"), "TQ-" + unique, "quarantine_station");
  const int64_t post = AddHolding(*client_, Token("vet"), "TC-" + unique, "checkpoint");
  const int64_t market = AddHolding(*client_, Token("vet"), "TM-" + unique, "market");
  auto issued = client_->Post("/api/v1/certificates",
                              {{"owner_phone", seller},
                               {"animal_tags", {tag}},
                               {"species", "cattle"},
                               {"purpose", "sale"},
                               {"origin_holding", station},
                               {"destination", "KZ-ABY"},
                               {"destination_holding", market},
                               {"destination_place", "Ayagoz market"},
                               {"transport", "truck 123 ABC 05"},
                               {"buyer_phone", buyer},
                               {"buyer_name", "Dana Ermekova"}},
                              Token("vet"));
  ASSERT_EQ(issued.status, 201) << issued.body;
  const json cert = issued.json();
  const std::string id = cert.at("id");
  auto issued_at = ParseRfc3339(cert.at("issued_at").get<std::string>());
  ASSERT_TRUE(issued_at.ok());
  auto passage = client_->Post("/api/v1/certificates/" + id + "/passages",
                               {{"id", NewUuid()},
                                {"holding", post},
                                {"at", FormatRfc3339(*issued_at + std::chrono::seconds(1))},
                                {"head_seen", 1}},
                               Token("insp"));
  ASSERT_EQ(passage.status, 201) << passage.body;
  auto arrived =
      client_->Post("/api/v1/certificates/" + id + "/consume",
                    {{"holding", market}, {"head_count", 1}, {"tags", {tag}}}, Token("insp"));
  ASSERT_EQ(arrived.status, 200) << arrived.body;
  auto died = client_->Post("/api/v1/animals/" + tag + "/events",
                            {{"id", NewUuid()}, {"kind", "died"}, {"date", DaysFromToday(0)}},
                            Token("vacc"));
  ASSERT_EQ(died.status, 201) << died.body;

  const json t = Timeline(tag, "vet");
  EXPECT_EQ(Kinds(t),
            (std::vector<std::string>{"registered", "vaccination", "vaccination", "certificate",
                                      "passage", "certificate_used", "arrival", "holding",
                                      "ownership_change", "life_event:died"}))
      << t.dump(1);
  const json& entries = t.at("entries");
  ASSERT_EQ(entries.size(), 10u);
  for (const json& e : entries) EXPECT_EQ(e.at("date"), DaysFromToday(0)) << e.dump();
  EXPECT_EQ(entries[1].at("vaccination").at("id"), first_id);
  EXPECT_EQ(entries[1].at("vaccination").at("batch_no"), "LOT-FIRST");
  EXPECT_EQ(entries[2].at("vaccination").at("id"), second_id);
  EXPECT_EQ(entries[2].at("vaccination").at("batch_no"), "LOT-SECOND");
  EXPECT_EQ(entries[7].at("holding").at("id"), market);
  EXPECT_EQ(entries[8].at("ownership").at("to").at("name"), "Dana Ermekova");
}

// W12: the vaccinator, who records flock doses and flock events, finds an owner's flocks by the
// owner's phone (a flock has no tag): every flock, not the tagged animals; within its jurisdiction
// only; a bad phone is 400 naming it; each read audited.
TEST_F(TimelineApiTest, AVaccinatorListsTheFlocksOfAnOwnerOfItsJurisdiction) {
  const std::string phone = KzPhone(7070);
  json goats = FlockRecord(phone, DaysFromToday(0), 7);
  goats["species"] = "goat";
  goats["vaccine"] = "FMD-O-INACT";
  auto batch =
      client_->Post("/api/v1/vaccinations/batch",
                    {{"records", json::array({FlockRecord(phone, DaysFromToday(0), 25), goats,
                                              Dose(phone, KzTag(700700), DaysFromToday(0))})}},
                    Token("vacc"));
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json().value("created", 0), 3) << batch.body;

  // In any usual local form of the number.
  auto r = client_->Get("/api/v1/flocks?phone=8" + phone.substr(2), Token("vacc"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json got = r.json();
  EXPECT_EQ(got.at("owner").at("phone"), phone);
  EXPECT_EQ(got.at("owner").at("name"), "Test Owner");
  ASSERT_EQ(got.at("flocks").size(), 2u) << r.body;
  std::map<std::string, int64_t> head;
  for (const json& f : got.at("flocks")) {
    EXPECT_EQ(f.at("tag"), nullptr) << f.dump();
    head[f.at("species").get<std::string>()] = f.at("head_count").get<int64_t>();
  }
  EXPECT_EQ(head, (std::map<std::string, int64_t>{{"goat", 7}, {"sheep", 25}}));
  // The id is the flock's: its events and its timeline take it.
  const int64_t sheep = got.at("flocks")[0].at("species") == "sheep"
                            ? got.at("flocks")[0].at("id").get<int64_t>()
                            : got.at("flocks")[1].at("id").get<int64_t>();
  auto born =
      client_->Post("/api/v1/flocks/" + std::to_string(sheep) + "/events",
                    {{"id", NewUuid()}, {"kind", "born"}, {"date", DaysFromToday(0)}, {"head", 3}},
                    Token("vacc"));
  ASSERT_EQ(born.status, 201) << born.body;
  auto again = client_->Get("/api/v1/flocks?phone=%2B" + phone.substr(1), Token("vet"));
  ASSERT_EQ(again.status, 200) << again.body;
  int64_t sheep_now = -1;
  const json listed = again.json();  // kept: a loop over a member of a temporary would dangle
  for (const json& f : listed.at("flocks")) {
    if (f.at("id") == sheep) sheep_now = f.at("head_count").get<int64_t>();
  }
  EXPECT_EQ(sheep_now, 28);

  // Another province's vaccinator: no such owner there.
  ExpectProblem(client_->Get("/api/v1/flocks?phone=%2B" + phone.substr(1), Token("vacc-alm")), 404);
  ExpectProblem(client_->Get("/api/v1/flocks?phone=12ab", Token("vacc")), 400, "phone");
  ExpectProblem(client_->Get("/api/v1/flocks", Token("vacc")), 400, "phone");
  ExpectProblem(client_->Get("/api/v1/flocks?phone=%2B" + phone.substr(1), Token("aud")), 403);

  auto audit = client_->Get("/api/v1/audit?action=owner.flocks&limit=1000", Token("aud"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> readers;
  const json page = audit.json();
  for (const json& row : page.at("items")) {
    if (row.at("target") == "phone:" + phone) {
      readers.push_back(row.at("username").get<std::string>() + ":" +
                        row.at("detail").at("found").dump());
    }
  }
  EXPECT_EQ(readers, (std::vector<std::string>{"vacc:true", "vet:true"}));
}

}  // namespace
}  // namespace herdpass::testing
