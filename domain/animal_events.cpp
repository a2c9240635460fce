#include "domain/animal_events.h"

#include <string>

namespace herdpass {

const char* AnimalEventKindName(AnimalEventKind kind) {
  switch (kind) {
    case AnimalEventKind::kTagReplaced:
      return "tag_replaced";
    case AnimalEventKind::kDied:
      return "died";
    case AnimalEventKind::kSlaughtered:
      return "slaughtered";
    case AnimalEventKind::kLost:
      return "lost";
    case AnimalEventKind::kStolen:
      return "stolen";
    case AnimalEventKind::kCulled:
      return "culled";
    case AnimalEventKind::kBorn:
      return "born";
    case AnimalEventKind::kSold:
      return "sold";
  }
  return "died";
}

Result<AnimalEventKind> ParseAnimalEventKind(std::string_view text, std::string_view field) {
  for (AnimalEventKind k :
       {AnimalEventKind::kTagReplaced, AnimalEventKind::kDied, AnimalEventKind::kSlaughtered,
        AnimalEventKind::kLost, AnimalEventKind::kStolen, AnimalEventKind::kCulled,
        AnimalEventKind::kBorn, AnimalEventKind::kSold}) {
    if (text == AnimalEventKindName(k)) return k;
  }
  return InvalidArgument(std::string(field),
                         "kind must be one of tag_replaced, died, slaughtered, lost, stolen, "
                         "culled, born");
}

bool EndsLife(AnimalEventKind kind) {
  return kind != AnimalEventKind::kTagReplaced && kind != AnimalEventKind::kBorn &&
         kind != AnimalEventKind::kSold;
}

Result<AnimalChange> ApplyAnimalEvent(const Animal& unit, AnimalEventKind kind, int32_t head) {
  if (!unit.is_flock()) {
    if (unit.ended_kind) {
      return Status(StatusCode::kFailedPrecondition,
                    std::string("the animal's life already ended: ") +
                        AnimalEventKindName(*unit.ended_kind) +
                        (unit.ended_on ? " on " + unit.ended_on->ToString() : std::string()),
                    "kind");
    }
    if (kind == AnimalEventKind::kBorn) {
      return InvalidArgument("kind", "born is recorded for flocks; register a new tagged animal");
    }
    return AnimalChange{EndsLife(kind), EndsLife(kind) ? 0 : unit.head_count};
  }
  if (kind == AnimalEventKind::kTagReplaced) {
    return InvalidArgument("kind", "a flock has no ear tag to replace");
  }
  if (head < 1) return InvalidArgument("head", "head must be at least 1");
  if (kind == AnimalEventKind::kBorn) {
    const int64_t after = int64_t{unit.head_count} + head;
    if (after > 1000000) return InvalidArgument("head", "a flock holds at most 1000000 head");
    return AnimalChange{false, static_cast<int32_t>(after)};
  }
  if (head > unit.head_count) {
    return Status(StatusCode::kFailedPrecondition,
                  "the flock has " + std::to_string(unit.head_count) + " head, fewer than " +
                      std::to_string(head),
                  "head");
  }
  return AnimalChange{false, unit.head_count - head};
}

Status CheckAliveOn(const Animal& unit, Date day, std::string_view field) {
  if (unit.is_flock() || !unit.ended_kind || !unit.ended_on || day <= *unit.ended_on) {
    return Status::Ok();
  }
  return Status(StatusCode::kFailedPrecondition,
                "ear tag " + unit.tag.value_or("") + " " + AnimalEventKindName(*unit.ended_kind) +
                    " on " + unit.ended_on->ToString() + ", before this dose",
                std::string(field));
}

}  // namespace herdpass
