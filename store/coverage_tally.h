// The arithmetic of the W11 coverage report (CoverageQuery in store.h), shared by both backends so
// that they count alike: each backend reads the animals and the doses of the owners in scope with
// its own SQL and feeds them here. Done in C++ rather than SQL because SQLite keeps a record's
// animal ids as a varint blob that SQL cannot open, and because "a flock counts its doses' heads
// up to its size" and "a bivalent vaccine counts for both diseases" read more plainly here than in
// two dialects of SQL.
//
// Not thread-safe: one tally per call.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace herdpass {

class CoverageTally {
 public:
  // REQUIRES: query.catalogue not null, query.from <= query.to; `query` outlives the tally.
  explicit CoverageTally(const CoverageQuery& query);

  // Every animal and flock of the owners in scope (of query.species when set), with its owner's
  // authority. Call before any AddDose.
  void AddUnit(int64_t animal_id, const std::string& authority, const std::string& species,
               int64_t head_count, bool flock, Timestamp created_at);
  // Every non-voided vaccination of the owners in scope administered on or before query.to, in
  // any order. Ids of animals not added as units are ignored.
  void AddDose(const std::vector<int64_t>& animal_ids, Date administered_on,
               const std::string& disease, const std::string& vaccine, int64_t head_count);

  CoverageReport Finish();

 private:
  struct Unit {
    size_t group = 0;  // index into groups_
    int64_t heads = 1;
    bool flock = false;
    Date registered;
  };
  struct Group {
    std::string authority;
    std::string species;
    std::vector<size_t> diseases;  // indices into the catalogue's diseases that apply, filtered
  };

  int MonthIndex(Date d) const;  // months since query.from's month
  const std::vector<size_t>& DiseasesOfDose(const std::string& disease, const std::string& vaccine);

  const CoverageQuery& q_;
  int months_ = 0;
  std::vector<Group> groups_;
  std::map<std::pair<std::string, std::string>, size_t> group_index_;
  std::unordered_map<int64_t, Unit> units_;
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> dose_diseases_;
  // (animal id, disease index, month index) -> heads vaccinated (1 for a tagged animal).
  std::map<std::tuple<int64_t, size_t, int>, int64_t> vaccinated_;
  // (animal id, disease index) -> heads vaccinated within the period, all months together.
  std::map<std::pair<int64_t, size_t>, int64_t> vaccinated_period_;
};

}  // namespace herdpass
