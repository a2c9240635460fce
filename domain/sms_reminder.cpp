#include "domain/sms_reminder.h"

#include "domain/sms_text.h"

namespace herdpass {

bool LapsesWithin(const DiseaseCoverage& c, Date today, int days) {
  return c.state == CoverageState::kCovered && DueBy(c, today.AddDays(days));
}

std::string ReminderKey(int64_t owner_id, Date day) {
  return std::string(kReminderKind) + "/" + std::to_string(owner_id) + "/" + day.ToString();
}

std::string RenderReminder(const std::vector<ReminderLine>& lines, const std::string& language) {
  const SmsReminderWords& w = ReminderWordsFor(language);
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) text += w.line_separator;
    text += FillSmsPattern(w.line, {{"disease", lines[i].disease},
                                    {"head", std::to_string(lines[i].head)},
                                    {"date", lines[i].lapses_on.ToString()}});
  }
  return FillSmsPattern(w.pattern, {{"lines", text}});
}

Result<std::chrono::minutes> ParseTimeOfDay(std::string_view text, const std::string& field) {
  const auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return InvalidArgument(field, "a time of day is HH:MM, e.g. 02:00");
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return InvalidArgument(field, "a time of day is 00:00 to 23:59");
  return std::chrono::minutes(h * 60 + m);
}

Timestamp NextReminderRun(Timestamp now, std::chrono::minutes at, std::chrono::minutes utc_offset) {
  using namespace std::chrono;
  const Timestamp local = now + utc_offset;
  const auto day = floor<days>(local);
  auto next = day + at;
  if (next < local) next += days(1);
  return time_point_cast<milliseconds>(next - utc_offset);
}

}  // namespace herdpass
