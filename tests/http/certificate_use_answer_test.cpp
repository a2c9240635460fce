// CertificateUseAnswerJson (http/routes/json_mapping.h): an arrival's answer, the certificate with
// "use" among its members. Written without a round trip through nlohmann::json, it must stay the
// bytes that round trip made: every object's keys sorted, nlohmann's escapes, the same members.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "domain/time.h"
#include "http/routes/json_mapping.h"

namespace herdpass::http {
namespace {

using nlohmann::json;

// nlohmann::json's text of `text`: keys sorted at every level, its number and escape forms.
std::string Canonical(const std::string& text) {
  return json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

CertificateUseAnswer Answer() {
  const Timestamp at = ParseRfc3339("2026-12-01T09:30:00Z", "at").value();
  CertificateUseAnswer a;
  Certificate& c = a.certificate;
  c.id = "01a25527-edb4-726d-9ab7-9f49e4c436a9";
  c.number = "KZ-ABY-20261201-AAABAATN";
  c.authority = "KZ-ABY";
  c.kid = "0123456789abcdef";
  c.owner_id = 203599;
  c.species = "sheep";
  c.head_count = 502;
  c.animal_ids = {2032399, 17, 18};
  c.tags = {"398000000000017", "398000000000018"};
  c.purpose = Purpose::kSale;
  c.origin = "KZ-ABY";
  c.origin_place = "Қарауыл \"Ақ\" фермасы";  // not ASCII, and a quote
  c.destination = "KZ-ABY";
  c.destination_place = "market\tMK-0\x01";  // control characters: nlohmann's escapes
  c.transport = "KZ 123 ABC 05";
  c.issued_at = at - std::chrono::hours(3);
  c.valid_until = at + std::chrono::hours(48);
  c.vaccinations = {{"01a25518-aa76-779c-bf85-431f851e530f", "PPR",
                     Date::Parse("2026-11-26").value(), "KZ090831"}};
  c.vet_id = 7;
  c.vet_name = "Айгүл vet";
  c.owner_masked_name = "B**** O****";
  c.owner_phone_last4 = "4994";
  c.hp1 = "HP1:ABC";
  c.buyer_id = 327727;
  c.status = CertificateStatus::kConsumed;
  c.consumed_at = at;
  c.consumed_by = 2;
  c.consumed_by_name = "insp";
  c.consumed_place = "bench";
  c.origin_holding_id = 132723;
  c.destination_holding_id = 399;
  Arrival arrival;
  arrival.holding_id = 399;
  arrival.head_counted = 500;
  arrival.tags_seen = {"398000000000017"};
  arrival.missing_tags = {"398000000000018"};
  arrival.mismatch = true;
  arrival.at = at;
  c.arrival = arrival;
  a.use.id = "01a251d4-ddcc-759a-aed9-e12c18d1f214";
  a.use.certificate_id = c.id;
  a.use.scanned_at = at;
  a.use.received_at = at + std::chrono::seconds(5);
  a.use.user_id = 2;
  a.use.user_name = "insp";
  a.use.place = "bench";
  a.use.holding_id = 399;
  a.use.head_counted = 500;
  a.use.authority = "KZ-ABY";
  a.duplicate = true;
  return a;
}

TEST(CertificateUseAnswerTest, IsTheCertificateWithTheUseInNlohmannJsonsSortedForm) {
  const CertificateUseAnswer a = Answer();
  const Timestamp now = ParseRfc3339("2026-12-01T10:00:00Z", "now").value();
  const std::string text = CertificateUseAnswerJson(a, now);
  // The bytes: keys sorted at every level and nlohmann's escapes ("\u0001", the quote).
  EXPECT_EQ(text, Canonical(text));
  EXPECT_NE(text.find(R"("destination_place":"market\tMK-0\u0001")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(\"Ақ\")"), std::string::npos) << text;
  // The members: the certificate as GET shows it, and the use with "duplicate".
  json answer = json::parse(text);
  json use = answer.at("use");
  answer.erase("use");
  EXPECT_EQ(answer, json::parse(CertificateJson(a.certificate, now)));
  EXPECT_EQ(use.at("duplicate"), true);
  EXPECT_EQ(use.at("id"), a.use.id);
  EXPECT_EQ(use.at("holding"), 399);
  EXPECT_EQ(use.at("head_counted"), 500);
  EXPECT_EQ(use.at("by"), "insp");
  EXPECT_EQ(use.at("double_use"), false);
  EXPECT_EQ(use.at("scanned_at"), "2026-12-01T09:30:00.000Z");
  EXPECT_EQ(use.at("received_at"), "2026-12-01T09:30:05.000Z");
}

TEST(CertificateUseAnswerTest, AFirstUseSaysItIsNoDuplicate) {
  CertificateUseAnswer a = Answer();
  a.duplicate = false;
  a.use.holding_id.reset();
  a.use.head_counted.reset();
  const Timestamp now = ParseRfc3339("2026-12-01T10:00:00Z", "now").value();
  const std::string text = CertificateUseAnswerJson(a, now);
  EXPECT_EQ(text, Canonical(text));
  const json use = json::parse(text).at("use");
  EXPECT_EQ(use.at("duplicate"), false);
  EXPECT_TRUE(use.at("holding").is_null());
  EXPECT_TRUE(use.at("head_counted").is_null());
}

}  // namespace
}  // namespace herdpass::http
