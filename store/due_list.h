// What a W15 due list (DueQuery in store.h) lists, worked out once for both backends: each backend
// reads the owners, the units and the doses of the scope with three set-based statements of its
// own and feeds them here; the coverage of each unit is the W2 rule itself (CoverageOf in
// domain/coverage.h), and "due" is DueBy. Done in C++ rather than SQL for the reasons the W11
// tally gives (store/coverage_tally.h): SQLite keeps a record's animal ids as a blob SQL cannot
// open, and the flock and bivalent-vaccine rules live in domain/ once.
//
// The doses are kept by a UnitDoseBook (store/unit_doses.h), shared with W14's ring list.
//
// Not thread-safe: one builder per call.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "store/unit_doses.h"

namespace herdpass {

class DueListBuilder {
 public:
  // REQUIRES: query.catalogue not null; `query` outlives the builder.
  explicit DueListBuilder(const DueQuery& query);

  // Every owner of the scope, then every animal and flock of them (units of owners not added
  // are ignored), then every non-voided record of them administered on or before query.today, in
  // any order (ids of units not added are ignored).
  void AddOwner(Owner owner);
  void AddUnit(Animal unit);
  void AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
               const std::string& disease, const std::string& vaccine, int64_t head_count);

  DueList Finish();

 private:
  const DueQuery& q_;
  std::unordered_map<int64_t, Owner> owners_;
  UnitDoseBook book_;
};

}  // namespace herdpass
