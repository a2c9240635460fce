// The owner's reminder before a disease's coverage lapses (W15, issue 15 item 3): a nightly job
// (service/reminders.cpp) finds the owners whose living animals are covered today but only until
// a day within the next `days` (LapsesWithin), and queues one message each: per disease, how many
// head lapse and the first day they are no longer protected. At most one reminder per owner in any
// kReminderEveryDays (the outbox's reminder of the last 7 days is the mark, queued in the same
// transaction as the message itself), none to an owner who sent STOP, and quiet hours hold it (the
// owner did not ask for it).
// Thread-safe: value types and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/coverage.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

inline constexpr int kReminderEveryDays = 7;
inline constexpr int kReminderDaysDefault = 14;
inline constexpr int kReminderDaysMax = 90;
inline constexpr const char* kReminderKind = "reminder";

// One disease of an owner's reminder: the head whose coverage lapses within the window, and the
// first day the earliest of them is no longer protected (LapsesOn).
struct ReminderLine {
  std::string disease;
  int64_t head = 0;
  Date lapses_on;
};

// Whether `c` (a unit's coverage today) is a reminder's: covered today, and no longer on some day
// in (today, today + days] (DueBy of domain/coverage.h on today + days, less what is already due).
bool LapsesWithin(const DiseaseCoverage& c, Date today, int days);

// The outbox's dedupe key: one reminder per owner per day, whatever runs the job.
std::string ReminderKey(int64_t owner_id, Date day);

// The message text in `language` (one of domain/sms_text.h's nine, English when unknown).
std::string RenderReminder(const std::vector<ReminderLine>& lines, const std::string& language);

// "HH:MM" (00:00 to 23:59) as minutes after midnight; kInvalidArgument naming `field` otherwise.
Result<std::chrono::minutes> ParseTimeOfDay(std::string_view text, const std::string& field);

// The next time at or after `now` the nightly job runs: `at` (minutes after midnight) local time,
// UTC + `utc_offset`.
Timestamp NextReminderRun(Timestamp now, std::chrono::minutes at, std::chrono::minutes utc_offset);

}  // namespace herdpass
