// What W15's reminder job selects (ReminderQuery in store.h), worked out once for both backends:
// each backend reads, with one set-based statement (SelectReminderRows in its queries.h), the
// units of the owners that may be reminded (not STOPped, not reminded lately) with each owner's
// stored language and region, and the non-voided doses that can still protect today of those
// owners and of the earlier owners of their tagged animals, and feeds them here. Each unit's
// coverage is the W2 rule itself (CoverageOf, through a UnitDoseBook as the due list does), and
// a reminder's is LapsesWithin (domain/sms_reminder.h): the rule exists in C++ only, since SQLite
// keeps a record's animal ids as a blob SQL cannot open (store/due_list.h says the same).
//
// Not thread-safe: one builder per call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "store/unit_doses.h"

namespace herdpass {

class ReminderBuilder {
 public:
  // REQUIRES: query.catalogue not null; `query` outlives the builder.
  explicit ReminderBuilder(const ReminderQuery& query);

  // The first day a dose can still protect on query.today (the longest immunity period back):
  // the statement reads no dose before it.
  Date DosesFrom() const;

  // Units and doses in any order. `language` is the owner's stored one, `authority` the owner's.
  void AddUnit(Animal unit, std::string_view language, std::string_view authority);
  void AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
               const std::string& disease, const std::string& vaccine, int64_t head_count);

  // The owners to remind, by id.
  std::vector<OwnerReminder> Finish();

 private:
  const ReminderQuery& q_;
  std::unordered_map<int64_t, std::string> language_;  // owner id -> the messages' language
  UnitDoseBook book_;
};

}  // namespace herdpass
