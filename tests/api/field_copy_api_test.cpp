// Black-box tests of the field copy (W10, issue 14 item 4) on the real `herdpass` binary: a copy
// holds only the caller's jurisdiction, gzip-encoded when accepted; a refresh with the cursor
// brings exactly the new, voided and sold rows; a copy past --field-copy-max-rows is 413; each copy
// given leaves one audit row with its counts.
//
// Each test uses its own phone numbers and ear tags (8000 + 100 * test index and up).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"
#include "tests/support/gzip.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

constexpr int kMaxRows = 25;

// A phone for a query string: its '+' percent-encoded.
std::string Enc(const std::string& phone) {
  std::string out;
  for (char c : phone) out += c == '+' ? std::string("%2B") : std::string(1, c);
  return out;
}

class FieldCopyApiTest : public SharedServerTest<FieldCopyApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},
                  {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},
                  {"aud", "auditor", "", ""},
                  {"vacc-alm", "vaccinator", "KZ-ALM", ""},
                  {"insp-alm", "inspector", "KZ-ALM", ""}};
    spec.serve_args = {"--field-copy-max-rows", std::to_string(kMaxRows)};
    return spec;
  }

 protected:
  static json Dose(const std::string& phone, std::vector<std::string> tags) {
    return {{"id", NewUuid()},
            {"owner_phone", phone},
            {"owner_name", "Saule Nurlanova"},
            {"animal_tags", tags},
            {"species", "cattle"},
            {"disease", "FMD-O"},
            {"vaccine", "FMD-OA-INACT"},
            {"batch_no", "LOT-7"},
            {"dose_ml", 2.0},
            {"administered_on", DaysFromToday(-1)}};
  }

  void Record(const json& records, const std::string& user) {
    auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, Token(user));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().value("created", 0), static_cast<int>(records.size())) << r.body;
  }

  // The copy's lines as JSON, the end line last. Fails the test unless it is 200 NDJSON.
  static std::vector<json> Lines(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/x-ndjson");
    std::string text = r.header("Content-Encoding") == "gzip" ? Gunzip(r.body) : r.body;
    std::vector<json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    if (out.empty()) {
      ADD_FAILURE() << "the copy has no line";
    } else {
      EXPECT_EQ(out.back().at("type"), "end") << out.back();
    }
    return out;
  }

  HttpResponse Copy(const std::string& query, const std::string& user, bool gzip = false) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (gzip) headers.emplace_back("Accept-Encoding", "gzip");
    return client_->Send("GET", "/api/v1/field-copy?" + query, {}, {}, Token(user), headers);
  }

  // "type:key" of each line but the end line, sorted: key is the phone of an owner, the tag of an
  // animal, the batch number and voided flag of a record.
  static std::vector<std::string> Rows(const std::vector<json>& lines) {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      const json& l = lines[i];
      const std::string type = l.at("type");
      if (type == "owner") out.push_back("owner:" + l.at("phone").get<std::string>());
      if (type == "animal") out.push_back("animal:" + l.at("tag").get<std::string>());
      if (type == "vaccination") {
        out.push_back("vaccination:" + l.at("id").get<std::string>() + ":" +
                      (l.at("voided").get<bool>() ? "voided" : "valid"));
      }
      if (type == "animal_removed") {
        out.push_back("animal_removed:" + std::to_string(l.at("id").get<int64_t>()) + ":" +
                      l.at("reason").get<std::string>());
      }
      if (type == "certificate") out.push_back("certificate:" + l.at("id").get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_F(FieldCopyApiTest, ACopyHoldsOnlyTheCallersJurisdictionAndIsGzippedWhenAccepted) {
  const std::string here = KzPhone(8001), there = KzPhone(8002);
  const json d1 = Dose(here, {KzTag(800101)});
  const json d2 = Dose(there, {KzTag(800201), KzTag(800202)});
  Record(json::array({d1}), "vacc");
  Record(json::array({d2}), "vacc-alm");

  auto plain = Copy("authority=KZ-ALM", "insp-alm");
  const auto lines = Lines(plain);
  EXPECT_EQ(Rows(lines),
            Sorted({"owner:" + there, "animal:" + KzTag(800201), "animal:" + KzTag(800202),
                    "vaccination:" + d2.at("id").get<std::string>() + ":valid"}));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().at("type"), "owner");
  const json& end = lines.back();
  EXPECT_EQ(end.at("counts").at("owners"), 1) << end;
  EXPECT_EQ(end.at("counts").at("animals"), 2) << end;
  EXPECT_EQ(end.at("counts").at("vaccinations"), 1) << end;
  EXPECT_EQ(end.at("incremental"), false) << end;
  EXPECT_FALSE(end.at("cursor").get<std::string>().empty()) << end;

  // The same copy gzip-encoded.
  auto gz = Copy("authority=KZ-ALM", "insp-alm", /*gzip=*/true);
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(Rows(Lines(gz)), Rows(lines));

  // Outside the jurisdiction: 403 naming the authority; a phone of another district is not found;
  // other roles may not copy.
  ExpectProblem(Copy("authority=KZ-ALM", "insp"), 403, "authority");
  ExpectProblem(Copy("owners=" + Enc(here), "insp-alm"), 404, "owners[0]");
  ExpectProblem(Copy("authority=KZ-ALM", "vet"), 403);
  ExpectProblem(Copy("authority=KZ-ALM", "aud"), 403);
  // Neither or both of authority and owners, a cursor not of this server.
  ExpectProblem(Copy("", "insp"), 400, "authority");
  ExpectProblem(Copy("authority=KZ-ABY&owners=" + Enc(here), "insp"), 400, "authority");
  ExpectProblem(Copy("authority=KZ-ABY&since=42", "insp"), 400, "since");
}

TEST_F(FieldCopyApiTest, ARefreshBringsExactlyTheNewVoidedAndSoldRows) {
  const std::string owner = KzPhone(8101), other = KzPhone(8102);
  const std::string t1 = KzTag(810101), t2 = KzTag(810102);
  const json first = Dose(owner, {t1, t2});
  const json untouched = Dose(other, {KzTag(810201)});
  Record(json::array({first, untouched}), "vacc");
  const std::string owners = "owners=" + Enc(owner) + "," + Enc(other);
  const auto full = Lines(Copy(owners, "vacc"));
  ASSERT_FALSE(full.empty());
  const std::string cursor = full.back().at("cursor");
  int64_t t2_id = 0;
  for (const json& l : full) {
    if (l.at("type") == "animal" && l.at("tag") == t2) t2_id = l.at("id");
  }
  ASSERT_NE(t2_id, 0);

  // Nothing changed: nothing comes.
  EXPECT_TRUE(Rows(Lines(Copy(owners + "&since=" + cursor, "vacc"))).empty());

  // New: a second dose. Voided: the first. Sold: t2 to a new owner, outside the copy.
  const json second = Dose(owner, {t1});
  Record(json::array({second}), "vacc");
  auto voided = client_->Post("/api/v1/vaccinations/" + first.at("id").get<std::string>() + "/void",
                              {{"reason", "wrong lot"}}, Token("vet"));
  ASSERT_EQ(voided.status, 200) << voided.body;
  auto sold = client_->Post("/api/v1/transfers",
                            {{"id", NewUuid()},
                             {"seller_phone", owner},
                             {"buyer_phone", KzPhone(8103)},
                             {"buyer_name", "Buyer"},
                             {"tags", {t2}},
                             {"date", DaysFromToday(0)}},
                            Token("vet"));
  ASSERT_EQ(sold.status, 201) << sold.body;

  const auto refresh = Lines(Copy(owners + "&since=" + cursor, "vacc", true));
  EXPECT_EQ(Rows(refresh), Sorted({"vaccination:" + second.at("id").get<std::string>() + ":valid",
                                   "vaccination:" + first.at("id").get<std::string>() + ":voided",
                                   "animal_removed:" + std::to_string(t2_id) + ":sold"}));
  ASSERT_FALSE(refresh.empty());
  const json& end = refresh.back();
  EXPECT_EQ(end.at("incremental"), true) << end;
  EXPECT_EQ(end.at("counts").at("vaccinations"), 2) << end;
  EXPECT_EQ(end.at("counts").at("removed"), 1) << end;
  EXPECT_NE(end.at("cursor"), cursor);
  // And from the new cursor, nothing again.
  EXPECT_TRUE(
      Rows(Lines(Copy(owners + "&since=" + end.at("cursor").get<std::string>(), "vacc"))).empty());
}

TEST_F(FieldCopyApiTest, ACopyPastTheLimitIs413AskingToNarrowIt) {
  const std::string owner = KzPhone(8201);
  std::vector<std::string> tags;
  for (int i = 0; i < kMaxRows; ++i) tags.push_back(KzTag(820100 + i));
  Record(json::array({Dose(owner, tags)}), "vacc");
  auto r = Copy("owners=" + Enc(owner), "insp");
  ExpectProblem(r, 413, "owners");
  EXPECT_EQ(r.json().at("type"), "https://herdpass.org/problems/field-copy-too-large") << r.body;
  EXPECT_EQ(r.json().at("max_rows"), kMaxRows) << r.body;
}

TEST_F(FieldCopyApiTest, EachCopyGivenLeavesOneAuditRowWithItsCounts) {
  const std::string owner = KzPhone(8301);
  Record(json::array({Dose(owner, {KzTag(830101)})}), "vacc");
  auto before = client_->Get("/api/v1/audit?action=field_copy.take&limit=1000", Token("aud"));
  ASSERT_EQ(before.status, 200) << before.body;
  const size_t rows_before = before.json().at("items").size();
  Lines(Copy("owners=" + Enc(owner), "insp"));
  auto after = client_->Get("/api/v1/audit?action=field_copy.take&limit=1000", Token("aud"));
  ASSERT_EQ(after.status, 200) << after.body;
  const json items = after.json().at("items");
  ASSERT_EQ(items.size(), rows_before + 1) << after.body;
  const json* row = nullptr;
  for (const json& item : items) {
    if (item.at("username") == "insp" && item.at("target") == "owners:1") row = &item;
  }
  ASSERT_NE(row, nullptr) << after.body;
  EXPECT_EQ(row->at("detail").at("owners"), 1) << *row;
  EXPECT_EQ(row->at("detail").at("animals"), 1) << *row;
  EXPECT_EQ(row->at("detail").at("vaccinations"), 1) << *row;
  EXPECT_EQ(row->at("detail").at("since"), "") << *row;
}

}  // namespace
}  // namespace herdpass::testing
