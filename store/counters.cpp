#include "store/counters.h"

namespace herdpass::store {

const char* CounterName(Counter c) {
  switch (c) {
    case Counter::kOwners:
      return "owners";
    case Counter::kAnimals:
      return "animals";
    case Counter::kVaccinations:
      return "vaccinations";
    case Counter::kUsers:
      return "users";
    case Counter::kAudit:
      return "audit";
    case Counter::kCertificates:
      return "certificates";
  }
  return "";
}

void SetCount(StoreCounts& counts, std::string_view name, int64_t value) {
  int64_t StoreCounts::*const fields[kCounterCount] = {
      &StoreCounts::owners, &StoreCounts::animals,    &StoreCounts::vaccinations,
      &StoreCounts::users,  &StoreCounts::audit_rows, &StoreCounts::certificates};
  for (int c = 0; c < kCounterCount; ++c) {
    if (name == CounterName(static_cast<Counter>(c))) {
      counts.*fields[c] = value;
      return;
    }
  }
}

}  // namespace herdpass::store
