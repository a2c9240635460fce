// The rules of a sale (W8), written once: whether an animal, or heads of a flock, may pass from a
// seller to a buyer, and what the sale does to each unit. Pure functions: no clock, no I/O. The
// store applies them inside the write transaction that records the ownership change
// (store/ownership_core.h), for a transfer at the farm and for the arrival of a sale certificate
// alike.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/model.h"
#include "domain/status.h"

namespace herdpass {

// What a sale does to the seller's unit.
struct SaleChange {
  bool whole = true;      // the unit itself passes (a tagged animal); false: heads of a flock
  int32_t head = 1;       // heads passing to the buyer
  int32_t head_left = 0;  // the seller's flock's head count after the sale (0 for a tagged animal)
};

// Whether `unit` may be sold by `seller_id` to `buyer_id` (with `head` heads for a flock; ignored
// for a tagged animal), naming `field` in a refusal:
//  - seller and buyer are one owner: kInvalidArgument, field "buyer_phone";
//  - the unit is no longer the seller's (sold before, or never was): kFailedPrecondition (409);
//  - a tagged animal whose life ended: kFailedPrecondition;
//  - a flock sale needs head >= 1 (kInvalidArgument, field "head") and at most the flock's head
//    count (kFailedPrecondition, field "head").
Result<SaleChange> PlanSale(const Animal& unit, int64_t seller_id, int64_t buyer_id, int32_t head,
                            std::string_view field);

}  // namespace herdpass
