// The rules of an animal's life (W12), written once: which event kinds end an animal, what an
// event does to a tagged animal or to a flock's head count, and why it may not. Pure functions:
// no clock, no I/O. The store applies them inside the write transaction that stores the event.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/model.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

// "tag_replaced", "died", "slaughtered", "lost", "stolen", "culled", "born".
const char* AnimalEventKindName(AnimalEventKind kind);
// kInvalidArgument naming `field` for any other text.
Result<AnimalEventKind> ParseAnimalEventKind(std::string_view text,
                                             std::string_view field = "kind");
// The kinds that end a tagged animal's life (and take heads from a flock).
bool EndsLife(AnimalEventKind kind);

// What an event does to its unit.
struct AnimalChange {
  bool ends = false;       // a tagged animal's life ends
  int32_t head_after = 0;  // the unit's head count after the event
};

// What `kind` does to `unit` (with `head` heads for a flock; ignored for a tagged animal), or why
// it may not be recorded:
//  - an animal whose life ended takes no further event: kFailedPrecondition, field "kind";
//  - born is for flocks, tag_replaced for tagged animals: kInvalidArgument, field "kind";
//  - a flock event needs head >= 1 (kInvalidArgument, field "head"), and a flock never goes below
//    0 head (kFailedPrecondition, field "head").
Result<AnimalChange> ApplyAnimalEvent(const Animal& unit, AnimalEventKind kind, int32_t head);

// Whether a dose given on `day` may be recorded for `unit`: not after the day its life ended.
// kFailedPrecondition naming `field` otherwise.
Status CheckAliveOn(const Animal& unit, Date day, std::string_view field);

}  // namespace herdpass
