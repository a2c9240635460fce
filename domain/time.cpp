// Dates and RFC 3339 timestamps on std::chrono's calendar types.
//
// Parsing and formatting are hand-written: g++ 12's libstdc++ has year_month_day but not
// std::chrono::parse or std::format, and strptime/timegm would go through the C locale and time
// zone machinery for what is a fixed, narrow format.
#include "domain/time.h"

#include <cstdio>

namespace herdpass {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`; false if any is not a digit or the text is too short.
bool ReadDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Parses "YYYY-MM-DD" at the start of `s` (exactly 10 chars used). Returns a valid date or nullopt.
std::optional<year_month_day> ParseYmd(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || !ReadDigits(s, 0, 4, &y) || s[4] != '-' || !ReadDigits(s, 5, 2, &m) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

// Writes `width` decimal digits of `v` (0 <= v < 10^width) at `out`. By hand rather than snprintf:
// dates and times are formatted for every record of every answer, and this is on the W2 hot path.
void PutDigits(char* out, int v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

std::string FormatYmd(year_month_day ymd) {
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {
    // Years outside 0000-9999 are not expected; still print something unambiguous.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+d-%02u-%02u", y, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
  }
  std::string out(10, '-');
  PutDigits(out.data(), y, 4);
  PutDigits(out.data() + 5, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  PutDigits(out.data() + 8, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  return out;
}

}  // namespace

Result<Date> Date::Parse(std::string_view text, std::string_view field) {
  // Echo at most 32 characters of what was sent: enough to spot the mistake, never a whole body.
  std::string shown = "\"" + std::string(text.substr(0, 32)) + (text.size() > 32 ? "...\"" : "\"");
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || !ReadDigits(text, 0, 4, &y) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &m) || text[7] != '-' || !ReadDigits(text, 8, 2, &d)) {
    return InvalidArgument(std::string(field),
                           "must be a date written as YYYY-MM-DD, got " + shown);
  }
  auto ymd = ParseYmd(text);
  if (!ymd) return InvalidArgument(std::string(field), "is not a real calendar day: " + shown);
  return Date(std::chrono::sys_days(*ymd));
}

Date Date::Of(Timestamp t) { return Date(std::chrono::floor<std::chrono::days>(t)); }

std::string Date::ToString() const { return FormatYmd(year_month_day(sys_days())); }

Date Date::AddMonths(int32_t n) const {
  year_month_day ymd(sys_days());
  std::chrono::year_month ym =
      std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(n);
  std::chrono::year_month_day_last last(ym.year(), std::chrono::month_day_last(ym.month()));
  day d = ymd.day() > last.day() ? last.day() : ymd.day();
  return Date(std::chrono::sys_days(year_month_day(ym.year(), ym.month(), d)));
}

std::string FormatRfc3339(Timestamp t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  const auto ms = static_cast<int>((t - days).count());  // 0 .. 86'399'999
  char buf[] = "T00:00:00.000Z";
  PutDigits(buf + 1, ms / 3'600'000, 2);
  PutDigits(buf + 4, ms / 60'000 % 60, 2);
  PutDigits(buf + 7, ms / 1000 % 60, 2);
  PutDigits(buf + 10, ms % 1000, 3);
  return FormatYmd(year_month_day(days)) + buf;
}

Result<Timestamp> ParseRfc3339(std::string_view text, std::string_view field) {
  auto bad = [&](const std::string& why) -> Status {
    return InvalidArgument(std::string(field), why + ", got \"" + std::string(text.substr(0, 64)) +
                                                   (text.size() > 64 ? "...\"" : "\""));
  };
  constexpr const char* kShape = "must be an RFC 3339 time such as 2026-11-29T03:29:11Z";
  // date "T" hh ":" mm ":" ss [ "." fraction ] ( "Z" | ("+" / "-") hh ":" mm )
  if (text.size() < 19) return bad(kShape);
  int y = 0, mo = 0, d = 0;
  if (!ReadDigits(text, 0, 4, &y) || text[4] != '-' || !ReadDigits(text, 5, 2, &mo) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, &d)) {
    return bad(kShape);
  }
  auto ymd = ParseYmd(text);
  int hh = 0, mi = 0, ss = 0;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad(kShape);
  if (!ReadDigits(text, 11, 2, &hh) || text[13] != ':' || !ReadDigits(text, 14, 2, &mi) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, &ss)) {
    return bad(kShape);
  }
  if (!ymd) return bad("is not a real calendar day");
  // RFC 3339 allows second 60 (a leap second); sys_time has none, so it is read as :59.999.
  if (hh > 23 || mi > 59 || ss > 60) return bad("is not a real time of day");
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (pos - start < 3) frac_ms = frac_ms * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) return bad(kShape);
    for (size_t k = pos - start; k < 3; ++k) frac_ms *= 10;  // ".5" is 500 ms
  }
  if (pos >= text.size()) return bad("must end with Z or an offset such as +06:00");
  int offset_min = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!ReadDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad("must end with Z or an offset such as +06:00");
    }
    offset_min = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("must end with Z or an offset such as +06:00");
  }
  if (pos != text.size()) return bad(kShape);

  if (ss == 60) {
    ss = 59;
    frac_ms = 999;
  }
  Timestamp t = std::chrono::sys_days(*ymd) + std::chrono::hours(hh) + std::chrono::minutes(mi) +
                std::chrono::seconds(ss) + std::chrono::milliseconds(frac_ms);
  // Local time = UTC + offset, so UTC = local - offset.
  const Timestamp utc = t - std::chrono::minutes(offset_min);
  // Only what FormatRfc3339 writes back the same way: UTC years 0000-9999 (found by
  // fuzz/date_fuzz).
  const auto utc_year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(utc)).year());
  if (utc_year < 0 || utc_year > 9999) return bad("is outside the years 0000 to 9999 in UTC");
  return utc;
}

}  // namespace herdpass
