#include "domain/ownership.h"

#include <string>

namespace herdpass {

Result<SaleChange> PlanSale(const Animal& unit, int64_t seller_id, int64_t buyer_id, int32_t head,
                            std::string_view field) {
  if (seller_id == buyer_id) {
    return InvalidArgument("buyer_phone", "the buyer is the seller");
  }
  const std::string f(field);
  if (unit.owner_id != seller_id) {
    return Status(StatusCode::kFailedPrecondition, "the animal is not the seller's", f);
  }
  SaleChange change;
  if (!unit.is_flock()) {
    if (unit.ended_kind) {
      return Status(StatusCode::kFailedPrecondition, "the animal's life ended", f);
    }
    return change;
  }
  if (head < 1) return InvalidArgument("head", "head must be at least 1 for a flock");
  if (head > unit.head_count) {
    return Status(StatusCode::kFailedPrecondition,
                  "the flock has only " + std::to_string(unit.head_count) + " head", "head");
  }
  change.whole = false;
  change.head = head;
  change.head_left = unit.head_count - head;
  return change;
}

}  // namespace herdpass
