// Calendar dates, timestamps and the clock.
//
// Timestamps are UTC with millisecond precision; the API shows them as RFC 3339. Vaccination dates
// are calendar dates (the place's local date, as the vaccinator entered it). The Clock is injected
// into service/ so that tests can set "today" (a FakeClock) instead of reading real time.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace herdpass {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// A calendar date, stored as days since 1970-01-01.
class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(std::chrono::sys_days d)
      : days_(static_cast<int32_t>(d.time_since_epoch().count())) {}
  static constexpr Date FromDays(int32_t days) {
    Date d;
    d.days_ = days;
    return d;
  }
  // Parses exactly "YYYY-MM-DD" with a real calendar day; anything else is kInvalidArgument.
  static Result<Date> Parse(std::string_view text, std::string_view field = "date");
  // The UTC calendar date of a timestamp.
  static Date Of(Timestamp t);

  int32_t days() const { return days_; }
  std::chrono::sys_days sys_days() const { return std::chrono::sys_days(std::chrono::days(days_)); }
  std::string ToString() const;  // "YYYY-MM-DD"
  Date AddDays(int32_t n) const { return FromDays(days_ + n); }
  // Calendar arithmetic; the day is clamped to the end of a shorter month (2024-08-31 - 6 months
  // = 2024-02-29).
  Date AddMonths(int32_t n) const;
  Date AddYears(int32_t n) const { return AddMonths(12 * n); }

  // clang-tidy 14 reports the literal 0 that a defaulted <=> compares its result with.
  friend constexpr auto operator<=>(Date, Date) = default;  // NOLINT(modernize-use-nullptr)

 private:
  int32_t days_ = 0;
};

// The last instant of 9999-12-31 UTC: a time later than any that matters and that both stores hold
// (Timestamp::max() is some 292 million years away, past PostgreSQL's last timestamp, 294276 AD,
// so a query bound to it fails there). "Due by kLastStoredInstant" is "everything queued".
inline constexpr Timestamp kLastStoredInstant =
    std::chrono::sys_days(std::chrono::year(9999) / 12 / 31) + std::chrono::days(1) -
    std::chrono::milliseconds(1);

// "2026-11-29T03:29:11.123Z"
std::string FormatRfc3339(Timestamp t);
// Accepts RFC 3339 with 'Z' or a numeric offset, optional fraction.
Result<Timestamp> ParseRfc3339(std::string_view text, std::string_view field = "time");

// Source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  Date Today() const { return Date::Of(Now()); }
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that only moves when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Set(Timestamp t) {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  Timestamp now_;
};

}  // namespace herdpass
