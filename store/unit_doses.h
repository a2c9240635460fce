// The doses of a set of animals and flocks, kept per unit in a compact form (day, heads, which
// disease and vaccine), so that a district of millions of records fits in memory; each unit's
// coverage is then the W2 rule itself (CoverageOf in domain/coverage.h) over its records. Shared by
// W15's due list (store/due_list.h) and W14's ring list (store/ring_list.h), so that both judge
// coverage alike: each backend feeds the units and the doses it read with its own set-based SQL.
//
// Not thread-safe: one book per call.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/catalogue.h"
#include "domain/coverage.h"
#include "domain/model.h"
#include "domain/time.h"

namespace herdpass {

class UnitDoseBook {
 public:
  // Keeps only the doses administered on or before `today` that protect against `disease` (the
  // one recorded, or one its vaccine product covers); every dose when `disease` is empty.
  // REQUIRES: catalogue not null; it outlives the book.
  UnitDoseBook(const Catalogue* catalogue, std::string disease, Date today);

  void AddUnit(Animal unit);  // each unit once
  bool HasUnit(int64_t animal_id) const { return index_.count(animal_id) != 0; }
  // A record naming `animal_ids` (ids of units not added are ignored), in any order.
  void AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
               const std::string& disease, const std::string& vaccine, int64_t head_count);

  size_t size() const { return units_.size(); }
  const Animal& unit(size_t i) const { return units_[i]; }
  // The coverage of unit `i` against `disease` today (CoverageOf over the doses kept).
  // REQUIRES: i < size().
  DiseaseCoverage Coverage(size_t i, const Disease& disease) const;
  // The same for several diseases, reading the unit's doses once.
  std::vector<DiseaseCoverage> Coverages(size_t i,
                                         const std::vector<const Disease*>& diseases) const;

 private:
  struct Dose {
    Date on;
    int32_t heads = 0;
    uint32_t kind = 0;  // index into kinds_
  };
  struct Kind {
    std::string disease;
    std::string vaccine;
    bool counts = true;  // protects against disease_ (always, when it is empty)
  };

  uint32_t KindOf(const std::string& disease, const std::string& vaccine);
  std::vector<Vaccination> RecordsOf(size_t i) const;

  const Catalogue* catalogue_;
  std::string disease_;
  Date today_;
  std::vector<Animal> units_;
  std::unordered_map<int64_t, size_t> index_;  // animal id -> index into units_ and doses_
  std::vector<std::vector<Dose>> doses_;
  std::vector<Kind> kinds_;
  std::map<std::pair<std::string, std::string>, uint32_t> kind_index_;
};

}  // namespace herdpass
