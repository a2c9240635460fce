// Small helpers shared by the API tests: problem+json checks, record ids, dates, record bodies.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>

#include "domain/time.h"
#include "tests/support/http_client.h"

namespace herdpass::testing {

// An RFC 9457 problem: content type, and the members type, title and status (= the HTTP status);
// `field`, when given, must be the field the problem names.
inline void ExpectProblem(const HttpResponse& r, int status, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type").rfind("application/problem+json", 0), 0u)
      << "Content-Type: " << r.header("Content-Type") << "\n"
      << r.body;
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_TRUE(j.contains("type") && j["type"].is_string() && !j["type"].get<std::string>().empty())
      << r.body;
  EXPECT_TRUE(j.contains("title") && j["title"].is_string() &&
              !j["title"].get<std::string>().empty())
      << r.body;
  EXPECT_EQ(j.value("status", 0), status) << r.body;
  if (!field.empty()) {
    EXPECT_EQ(j.value("field", ""), field) << r.body;
  }
}

// A random UUID with version 7 and variant bits set, as a phone would make it.
inline std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const uint64_t hi = (rng() & 0xFFFFFFFFFFFF0FFFull) | 0x7000ull;
  const uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

// The server's "today": the UTC date (SystemClock), as YYYY-MM-DD, shifted by `days`.
inline Date UtcToday() { return Date::Of(SystemClock().Now()); }
inline std::string DaysFromToday(int days) { return UtcToday().AddDays(days).ToString(); }

// The "today" a response of the server states (YYYY-MM-DD in `value`), checked to lie between the
// test's own UTC dates taken before the request and after the response. The test and the server
// each read the clock: a run across UTC midnight sees the server a day ahead of the test's
// `before`, so expectations derived from the server's day must start from this value.
inline Date ServerToday(const nlohmann::json& value, Date before) {
  const Date after = UtcToday();
  auto day = Date::Parse(value.is_string() ? value.get<std::string>() : std::string());
  EXPECT_TRUE(day.ok()) << value;
  if (!day.ok()) return before;
  EXPECT_GE(*day, before) << value;
  EXPECT_LE(*day, after) << value;
  return *day;
}

// A Kazakh mobile number in E.164, distinct per `n` (n < 10,000,000).
// The newest one-time code `serve --sms-print-codes` wrote to `log` for `phone` (E.164): how the
// tests sign owners in to /me without a gateway, since staff see codes masked. "" when none.
inline std::string PrintedOwnerCode(const std::string& log, const std::string& phone) {
  const std::regex line("one-time code for " +
                        std::regex_replace(phone, std::regex(R"(\+)"), R"(\+)") +
                        R"( \(owner \d+\): (\d{6}) )");
  std::string code;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    code = (*it)[1].str();
  }
  return code;
}

inline std::string KzPhone(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+7705%07d", n);
  return buf;
}

// An ISO 11784 ear tag of Kazakhstan (country code 398), distinct per `n`.
inline std::string KzTag(long long n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "398%012lld", n);
  return buf;
}

// A valid FMD-O record for a flock of sheep of the owner with `phone`.
inline nlohmann::json FlockRecord(const std::string& phone, const std::string& date,
                                  int head_count = 12) {
  return {{"id", NewUuid()},          {"owner_phone", phone},      {"owner_name", "Test Owner"},
          {"species", "sheep"},       {"head_count", head_count},  {"disease", "FMD-O"},
          {"vaccine", "FMD-O-INACT"}, {"batch_no", "LOT-2025-01"}, {"dose_ml", 2.0},
          {"administered_on", date}};
}

// An FMD (serotype O) outbreak in cattle at `holding`, reported at (lat, lon) yesterday and
// confirmed, both by `token` (a vet of the holding's jurisdiction): its id.
inline std::string ConfirmedFmdOutbreak(HttpClient& client, const std::string& token,
                                        int64_t holding, double lat, double lon) {
  const std::string id = NewUuid();
  auto reported = client.Post("/api/v1/outbreaks",
                              {{"id", id},
                               {"holding", holding},
                               {"disease", "FMD-O"},
                               {"species", "cattle"},
                               {"head_sick", 2},
                               {"head_dead", 0},
                               {"first_signs_on", DaysFromToday(-1)},
                               {"lat", lat},
                               {"lon", lon}},
                              token);
  EXPECT_EQ(reported.status, 201) << reported.body;
  auto confirmed = client.Post("/api/v1/outbreaks/" + id + "/confirm",
                               {{"lab_reference", "NRL-" + id.substr(0, 8)}}, token);
  EXPECT_EQ(confirmed.status, 200) << confirmed.body;
  return id;
}

}  // namespace herdpass::testing
