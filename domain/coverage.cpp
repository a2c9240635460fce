// Work in progress: implementation follows shortly.
#include "domain/coverage.h"

namespace herdpass {

const char* CoverageStateName(CoverageState) { return "never"; }
DiseaseCoverage CoverageOf(const Disease& disease, const Animal&, const std::vector<Vaccination>&,
                           Date) {
  return DiseaseCoverage{disease.code, CoverageState::kNever, {}, {}, {}};
}
OwnerCoverage ComputeOwnerCoverage(const Catalogue&, const std::vector<Animal>&,
                                   const std::vector<Vaccination>&, Date) {
  return {};
}

}  // namespace herdpass
