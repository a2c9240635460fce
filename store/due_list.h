// What a W15 due list (DueQuery in store.h) lists, worked out once for both backends: each backend
// reads the owners, the units and the doses of the scope with three set-based statements of its
// own and feeds them here; the coverage of each unit is the W2 rule itself (CoverageOf in
// domain/coverage.h), and "due" is DueBy. Done in C++ rather than SQL for the reasons the W11
// tally gives (store/coverage_tally.h): SQLite keeps a record's animal ids as a blob SQL cannot
// open, and the flock and bivalent-vaccine rules live in domain/ once.
//
// Doses are kept per unit in a compact form (day, heads, which disease and vaccine), so that a
// district of millions of records fits in memory.
//
// Not thread-safe: one builder per call.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.h"

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
  struct Dose {
    Date on;
    int32_t heads = 0;
    uint32_t kind = 0;  // index into kinds_
  };
  struct Kind {
    std::string disease;
    std::string vaccine;
    bool counts = true;  // protects against query.disease (always, when no disease is asked)
  };

  uint32_t KindOf(const std::string& disease, const std::string& vaccine);

  const DueQuery& q_;
  std::unordered_map<int64_t, Owner> owners_;
  std::vector<Animal> units_;
  std::unordered_map<int64_t, size_t> unit_index_;  // animal id -> index into units_ and doses_
  std::vector<std::vector<Dose>> doses_;
  std::vector<Kind> kinds_;
  std::map<std::pair<std::string, std::string>, uint32_t> kind_index_;
};

}  // namespace herdpass
