// Black-box tests of owners in /me (issue 15 item 4) on the real `herdpass` binary: a one-time code
// sent by SMS (read back from the outbox as an admin sees it: no gateway is configured here; the
// Kannel round trip is web/e2e/me.test.mjs's), the owner's session and what it opens, the same
// answer for unknown phones, five tries per code, the rate limits, bad input, the audit rows, and
// who read the owner's number without naming them. Also on PostgreSQL (postgres.MeApiTest.*).
//
// The server trusts 127.0.0.1 as a proxy: each test speaks from an address of its own
// (X-Forwarded-For), so that the per-address limit of one test is not spent by another. Phones and
// tags: 7000 + 100 * test index and up.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

class MeApiTest : public SharedServerTest<MeApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"aud", "auditor", "", ""}};
    // The codes are read from the log (--sms-print-codes): the admin's list masks them.
    spec.serve_args = {"--trusted-proxy", "127.0.0.1/32", "--sms-print-codes"};
    return spec;
  }

 protected:
  HttpResponse PostFrom(const std::string& address, const std::string& target, const json& body,
                        const std::string& token = "") {
    return client_->Send("POST", target, body.dump(), "application/json", token,
                         {{"X-Forwarded-For", address}});
  }
  HttpResponse AskCode(const std::string& phone, const std::string& address) {
    return PostFrom(address, "/api/v1/me/code", {{"phone", phone}});
  }
  HttpResponse SignIn(const std::string& phone, const std::string& code,
                      const std::string& address) {
    return PostFrom(address, "/api/v1/me/session", {{"phone", phone}, {"code", code}});
  }

  // The one-time-code messages queued for `phone` (E.164), newest first, as the admin lists them.
  std::vector<json> CodeMessages(const std::string& phone) {
    auto r = client_->Get("/api/v1/sms/messages?limit=1000", Token("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json> out;
    if (r.status != 200) return out;
    const json page = r.json();
    for (const json& m : page.at("items")) {
      if (m.at("phone") == phone && m.at("kind") == "otp") out.push_back(m);
    }
    return out;
  }
  // The newest code sent to `phone` (E.164), as serve --sms-print-codes writes it to the log.
  std::string NewestCode(const std::string& phone) {
    const std::string code = PrintedOwnerCode(env_->ServerLog(), phone);
    EXPECT_EQ(code.size(), 6u) << phone << " in " << env_->ServerLog();
    return code;
  }

  // The audit rows of `action` as the admin reads them.
  std::vector<json> AuditRows(const std::string& action) {
    auto r = client_->Get("/api/v1/audit?limit=1000&action=" + action, Token("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json> out;
    if (r.status != 200) return out;
    const json page = r.json();
    for (const json& row : page.at("items")) out.push_back(row);
    return out;
  }

  HttpResponse PutLanguage(const json& body, const std::string& token) {
    return client_->Send("PUT", "/api/v1/me/language", body.dump(), "application/json", token, {});
  }

  void Dose(const json& record) {
    auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", json::array({record})}},
                           Token("vet"));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().value("created", 0), 1) << r.body;
  }
};

// The whole way: records of the owner, a certificate, an inspector's lookup; the owner asks for a
// code, signs in with it, sees animals, coverage and the certificate, and the lookup as "an
// inspector of KZ-ABY" with no name.
TEST_F(MeApiTest, AnOwnerSignsInWithTheCodeAndSeesTheirRecordsAndWhoLookedThemUp) {
  const std::string phone = KzPhone(7000), tag = KzTag(7000), from = "10.70.0.1";
  const Date before = UtcToday();
  Dose({{"id", NewUuid()},
        {"owner_phone", phone},
        {"owner_name", "Aigerim Bekova"},
        {"animal_tags", {tag}},
        {"species", "cattle"},
        {"disease", "FMD-O"},
        {"vaccine", "FMD-OA-INACT"},
        {"batch_no", "LOT-ME"},
        {"dose_ml", 2.0},
        {"administered_on", DaysFromToday(0)}});
  Dose(FlockRecord(phone, DaysFromToday(-1)));
  auto cert = client_->Post("/api/v1/certificates",
                            {{"owner_phone", phone},
                             {"animal_tags", {tag}},
                             {"species", "cattle"},
                             {"purpose", "slaughter"},
                             {"destination", "KZ-ALM"}},
                            Token("vet"));
  ASSERT_EQ(cert.status, 201) << cert.body;
  ASSERT_EQ(client_->Get("/api/v1/lookup?phone=" + phone, Token("insp")).status, 200);

  // In a local form, as the owner types it.
  auto asked = AskCode("8 705 000 70 00", from);
  ASSERT_EQ(asked.status, 202) << asked.body;
  EXPECT_EQ(asked.json().value("expires_in_seconds", 0), 600);
  const auto messages = CodeMessages(phone);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].at("requested").get<bool>());  // quiet hours do not hold it
  const std::string code = NewestCode(phone);
  ASSERT_EQ(code.size(), 6u);
  // Staff see its text with the code masked: whoever reads the outbox cannot sign in with it.
  const std::string listed = messages[0].at("text");
  EXPECT_EQ(listed.find(code), std::string::npos) << listed;
  EXPECT_NE(listed.find("******"), std::string::npos) << listed;

  auto signed_in = SignIn(phone, code, from);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string token = signed_in.json().at("token");
  EXPECT_EQ(token.size(), 64u);

  auto me = client_->Get("/api/v1/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  const json records = me.json();
  EXPECT_EQ(records.at("owner").at("phone"), phone);
  EXPECT_EQ(records.at("owner").at("name"), "Aigerim Bekova");
  ASSERT_EQ(records.at("animals").size(), 2u) << me.body;  // the cow and the flock
  bool cow = false;
  for (const json& a : records.at("animals")) {
    if (a.value("tag", json()) == tag) {
      cow = true;
      ASSERT_FALSE(a.at("coverage").empty()) << a;
      EXPECT_EQ(a.at("coverage")[0].at("disease"), "FMD-O");
      EXPECT_EQ(a.at("coverage")[0].at("status"), "covered");
    }
  }
  EXPECT_TRUE(cow) << me.body;
  ASSERT_EQ(records.at("certificates").at("items").size(), 1u) << me.body;
  const json c = records.at("certificates").at("items")[0];
  EXPECT_EQ(c.at("number"), cert.json().at("number"));
  EXPECT_EQ(c.at("status"), "issued");  // valid, not yet used
  EXPECT_EQ(c.at("destination"), "KZ-ALM");
  EXPECT_EQ(me.header("Cache-Control"), "no-store");

  auto readers = client_->Get("/api/v1/me/readers", token);
  ASSERT_EQ(readers.status, 200) << readers.body;
  const json items = readers.json().at("items");
  bool lookup = false;
  for (const json& r : items) {
    if (r.at("action") == "lookup.phone") {
      lookup = true;
      EXPECT_EQ(r.at("role"), "inspector");
      EXPECT_EQ(r.at("authority"), "KZ-ABY");
      ServerToday(json(r.at("at").get<std::string>().substr(0, 10)), before);
    }
  }
  EXPECT_TRUE(lookup) << readers.body;
  // No official is named: neither the inspector's nor the vet's username, nor a user id.
  EXPECT_EQ(readers.body.find("insp\""), std::string::npos) << readers.body;
  EXPECT_EQ(readers.body.find("\"vet\""), std::string::npos) << readers.body;
  EXPECT_EQ(readers.body.find("user"), std::string::npos) << readers.body;

  // Audited: the code asked for, the sign-in, the reads.
  bool code_row = false;
  for (const json& row : AuditRows("me.code")) {
    if (row.at("target") == "phone:" + phone) {
      code_row = true;
      EXPECT_EQ(row.at("address"), from);
      EXPECT_EQ(row.at("detail").at("known"), true);
    }
  }
  EXPECT_TRUE(code_row);
  bool sign_in_row = false;
  for (const json& row : AuditRows("me.sign_in")) {
    if (row.at("target") ==
        "owner:" + std::to_string(records.at("owner").at("id").get<int64_t>())) {
      sign_in_row = true;
      EXPECT_EQ(row.at("detail").at("outcome"), "signed_in");
    }
  }
  EXPECT_TRUE(sign_in_row);
  EXPECT_FALSE(AuditRows("me.read").empty());
  EXPECT_FALSE(AuditRows("me.readers").empty());

  // The code signs in once; the session ends at logout.
  ExpectProblem(SignIn(phone, code, from), 401);
  auto out = PostFrom(from, "/api/v1/me/logout", json::object(), token);
  EXPECT_EQ(out.status, 204) << out.body;
  ExpectProblem(client_->Get("/api/v1/me", token), 401);
}

// No owner enumeration: an unknown phone is answered exactly as a known one, gets no message, and
// is audited as unknown; signing in with it is the same 401 as a wrong code.
TEST_F(MeApiTest, TheAnswerIsTheSameWhetherOrNotThePhoneIsAnOwners) {
  const std::string known = KzPhone(7100), unknown = KzPhone(7101), from = "10.71.0.1";
  Dose(FlockRecord(known, DaysFromToday(0)));
  auto a = AskCode(known, from);
  auto b = AskCode(unknown, from);
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(b.status, 202);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(CodeMessages(known).size(), 1u);
  EXPECT_TRUE(CodeMessages(unknown).empty());
  bool audited = false;
  for (const json& row : AuditRows("me.code")) {
    if (row.at("target") == "phone:" + unknown) {
      audited = true;
      EXPECT_EQ(row.at("detail").at("known"), false);
    }
  }
  EXPECT_TRUE(audited);
  auto wrong_known = SignIn(known, "000000", from);
  auto wrong_unknown = SignIn(unknown, "000000", from);
  ExpectProblem(wrong_known, 401);
  ExpectProblem(wrong_unknown, 401);
  EXPECT_EQ(wrong_known.json().value("detail", ""), wrong_unknown.json().value("detail", ""));
}

// Five wrong tries spend the code: the right one then opens nothing, and a new code is needed.
TEST_F(MeApiTest, FiveWrongTriesSpendTheCode) {
  const std::string phone = KzPhone(7200), from = "10.72.0.1";
  Dose(FlockRecord(phone, DaysFromToday(0)));
  ASSERT_EQ(AskCode(phone, from).status, 202);
  const std::string code = NewestCode(phone);
  ASSERT_EQ(code.size(), 6u);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) ExpectProblem(SignIn(phone, wrong, from), 401);
  ExpectProblem(SignIn(phone, code, from), 401);
  int outcomes_spent = 0, outcomes_wrong = 0;
  for (const json& row : AuditRows("me.sign_in")) {
    if (row.at("address") != from) continue;
    const std::string outcome = row.at("detail").at("outcome");
    outcomes_spent += outcome == "spent";
    outcomes_wrong += outcome == "wrong";
  }
  EXPECT_EQ(outcomes_wrong, 4);
  EXPECT_EQ(outcomes_spent, 2);  // the fifth wrong try, and the right code after it

  ASSERT_EQ(AskCode(phone, from).status, 202);
  const std::string fresh = NewestCode(phone);
  EXPECT_EQ(SignIn(phone, fresh, from).status, 200);
}

// At most 3 codes per phone and 10 per address in an hour: the next is 429 with Retry-After and
// sends nothing.
TEST_F(MeApiTest, CodesAreRateLimitedPerPhoneAndPerAddress) {
  const std::string phone = KzPhone(7300);
  Dose(FlockRecord(phone, DaysFromToday(0)));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(AskCode(phone, "10.73.0." + std::to_string(i + 1)).status, 202) << i;
  }
  auto fourth = AskCode(phone, "10.73.0.9");
  ExpectProblem(fourth, 429);
  EXPECT_GE(std::stoi(fourth.header("Retry-After")), 3000);
  EXPECT_EQ(CodeMessages(phone).size(), 3u);

  const std::string from = "10.73.1.1";
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(AskCode(KzPhone(7310 + i), from).status, 202) << i;
  }
  ExpectProblem(AskCode(KzPhone(7330), from), 429);
  EXPECT_EQ(AskCode(KzPhone(7330), "10.73.1.2").status, 202);
}

// Bad input is 400 naming the field, and nothing is sent or stored.
TEST_F(MeApiTest, BadInputIsNamedAndChangesNothing) {
  const std::string phone = KzPhone(7400), from = "10.74.0.1";
  Dose(FlockRecord(phone, DaysFromToday(0)));
  const size_t code_rows = AuditRows("me.code").size();
  ExpectProblem(AskCode("not a phone", from), 400, "phone");
  ExpectProblem(AskCode("", from), 400, "phone");
  ExpectProblem(AskCode(std::string(10 * 1024, '7'), from), 400, "phone");
  ExpectProblem(PostFrom(from, "/api/v1/me/code", {{"phone", phone}, {"x", "y"}}), 400, "x");
  ExpectProblem(PostFrom(from, "/api/v1/me/code", {{"phone", 7705}}), 400, "phone");
  EXPECT_TRUE(CodeMessages(phone).empty());
  EXPECT_EQ(AuditRows("me.code").size(), code_rows);

  ASSERT_EQ(AskCode(phone, from).status, 202);
  const std::string code = NewestCode(phone);
  ExpectProblem(SignIn(phone, "12345", from), 400, "code");
  ExpectProblem(SignIn(phone, "1234567", from), 400, "code");
  ExpectProblem(SignIn(phone, std::string(10 * 1024, '1'), from), 400, "code");
  ExpectProblem(SignIn("+1", code, from), 400, "phone");
  // None of them spent a try: the code still signs in.
  EXPECT_EQ(SignIn(phone, code, from).status, 200);
}

// Issue 15: the owner chooses the language of their messages in /me: kept, shown, audited, and the
// receipt still queued goes in it; a language not of the nine is named and changes nothing.
TEST_F(MeApiTest, AnOwnerChoosesTheLanguageOfTheirMessages) {
  const std::string phone = KzPhone(7600), from = "10.76.0.1";
  Dose(FlockRecord(phone, DaysFromToday(0)));
  ASSERT_EQ(AskCode(phone, from).status, 202);
  auto signed_in = SignIn(phone, NewestCode(phone), from);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string owner = signed_in.json().at("token");
  auto me = client_->Get("/api/v1/me", owner);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_TRUE(me.json().at("language").is_null());
  EXPECT_EQ(me.json().at("language_in_use"), "kk");  // the region's (KZ)
  const size_t rows = AuditRows("me.language").size();

  for (const json& bad :
       {json{{"language", "de"}}, json{{"language", "KK"}}, json{{"language", ""}},
        json{{"language", 7}}, json::object(), json{{"language", std::string(10 * 1024, 'k')}}}) {
    SCOPED_TRACE(bad.dump().substr(0, 40));
    ExpectProblem(PutLanguage(bad, owner), 400, "language");
  }
  ExpectProblem(PutLanguage({{"language", "ru"}, {"lang", "ru"}}, owner), 400, "lang");
  EXPECT_TRUE(client_->Get("/api/v1/me", owner).json().at("language").is_null());
  EXPECT_EQ(AuditRows("me.language").size(), rows);

  auto put = PutLanguage({{"language", "ru"}}, owner);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json().at("language"), "ru");
  me = client_->Get("/api/v1/me", owner);
  EXPECT_EQ(me.json().at("language"), "ru");
  EXPECT_EQ(me.json().at("language_in_use"), "ru");
  const auto audited = AuditRows("me.language");
  ASSERT_EQ(audited.size(), rows + 1);
  const std::string target =
      "owner:" + std::to_string(me.json().at("owner").at("id").get<int64_t>());
  EXPECT_EQ(std::count_if(audited.begin(), audited.end(),
                          [&](const json& r) { return r.at("target") == target; }),
            1);

  // A second dose today merges into the day's receipt, still queued: now in Russian.
  Dose(FlockRecord(phone, DaysFromToday(0)));
  auto list = client_->Get("/api/v1/sms/messages?limit=1000", Token("admin"));
  ASSERT_EQ(list.status, 200) << list.body;
  const json page = list.json();
  int receipts = 0;
  for (const json& m : page.at("items")) {
    if (m.at("phone") != phone || m.at("kind") != "receipt") continue;
    ++receipts;
    EXPECT_NE(m.at("text").get<std::string>().find(": привито "), std::string::npos) << m.dump();
  }
  EXPECT_EQ(receipts, 1) << list.body;
}

// An owner's session is no user's token, and a user's token is no owner's session.
TEST_F(MeApiTest, OwnerSessionsAndUserTokensOpenOnlyTheirOwnRoutes) {
  const std::string phone = KzPhone(7500), from = "10.75.0.1";
  Dose(FlockRecord(phone, DaysFromToday(0)));
  ASSERT_EQ(AskCode(phone, from).status, 202);
  auto signed_in = SignIn(phone, NewestCode(phone), from);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string owner = signed_in.json().at("token");
  ExpectProblem(client_->Get("/api/v1/auth/me", owner), 401);
  ExpectProblem(client_->Get("/api/v1/lookup?phone=" + phone, owner), 401);
  for (const char* user : {"vacc", "vet", "insp", "aud", "admin"}) {
    SCOPED_TRACE(user);
    ExpectProblem(client_->Get("/api/v1/me", Token(user)), 401);
    ExpectProblem(client_->Get("/api/v1/me/readers", Token(user)), 401);
    ExpectProblem(PutLanguage({{"language", "ru"}}, Token(user)), 401);
  }
  ExpectProblem(PutLanguage({{"language", "ru"}}, ""), 401);
  EXPECT_EQ(client_->Get("/api/v1/me", owner).status, 200);
}

}  // namespace
}  // namespace herdpass::testing
