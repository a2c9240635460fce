#include "store/reminders.h"

#include <algorithm>
#include <map>

#include "domain/sms_text.h"

namespace herdpass {

ReminderBuilder::ReminderBuilder(const ReminderQuery& query)
    : q_(query), book_(query.catalogue, "", query.today) {}

Date ReminderBuilder::DosesFrom() const {
  int longest = 0;
  for (const Disease& d : q_.catalogue->diseases()) longest = std::max(longest, d.immunity_days);
  return q_.today.AddDays(-longest);
}

void ReminderBuilder::AddUnit(Animal unit, std::string_view language, std::string_view authority) {
  // A reminder is for the living: an ended animal or an empty flock needs no dose.
  if (!unit.alive() || book_.HasUnit(unit.id)) return;
  if (language_.count(unit.owner_id) == 0) {
    language_.emplace(unit.owner_id, SmsLanguageFor(language, authority));
  }
  book_.AddUnit(std::move(unit));
}

void ReminderBuilder::AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
                              const std::string& disease, const std::string& vaccine,
                              int64_t head_count) {
  book_.AddDose(animal_ids, administered_on, disease, vaccine, head_count);
}

std::vector<OwnerReminder> ReminderBuilder::Finish() {
  // Per owner, per disease in catalogue order: the lines are made disease by disease.
  std::map<int64_t, std::map<size_t, ReminderLine>> by_owner;
  const auto& diseases = q_.catalogue->diseases();
  for (size_t i = 0; i < book_.size(); ++i) {
    const Animal& unit = book_.unit(i);
    const std::vector<const Disease*> relevant = q_.catalogue->DiseasesFor(unit.species);
    const std::vector<DiseaseCoverage> coverage = book_.Coverages(i, relevant);
    for (size_t k = 0; k < relevant.size() && k < coverage.size(); ++k) {
      const DiseaseCoverage& c = coverage[k];
      if (!LapsesWithin(c, q_.today, q_.days)) continue;
      const size_t order = static_cast<size_t>(relevant[k] - diseases.data());
      const int64_t head = unit.is_flock() ? unit.head_count : 1;
      const Date lapses = *LapsesOn(c);
      auto [at, added] =
          by_owner[unit.owner_id].try_emplace(order, ReminderLine{c.disease, head, lapses});
      if (added) continue;
      at->second.head += head;  // heads add up; the day is the earliest
      at->second.lapses_on = std::min(at->second.lapses_on, lapses);
    }
  }
  std::vector<OwnerReminder> out;
  out.reserve(by_owner.size());
  for (auto& [owner_id, lines] : by_owner) {
    OwnerReminder r;
    r.owner_id = owner_id;
    r.language = language_.at(owner_id);
    for (auto& [order, line] : lines) r.lines.push_back(std::move(line));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace herdpass
