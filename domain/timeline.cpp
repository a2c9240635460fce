#include "domain/timeline.h"

#include <algorithm>

#include "domain/animal_events.h"

namespace herdpass {

const char* TimelineKindName(TimelineKind kind) {
  switch (kind) {
    case TimelineKind::kRegistered:
      return "registered";
    case TimelineKind::kVaccination:
      return "vaccination";
    case TimelineKind::kCertificate:
      return "certificate";
    case TimelineKind::kCertificateUsed:
      return "certificate_used";
    case TimelineKind::kLifeEvent:
      return "life_event";
    case TimelineKind::kHolding:
      return "holding";
    case TimelineKind::kPassage:
      return "passage";
    case TimelineKind::kArrival:
      return "arrival";
    case TimelineKind::kOwnershipChange:
      return "ownership_change";
  }
  return "unknown";
}

ShownOwner ShowOwner(const Owner& owner, bool full) {
  ShownOwner out;
  out.masked = !full;
  out.authority = owner.authority;
  if (!full) {
    out.name = MaskName(owner.name);
    return out;
  }
  out.id = owner.id;
  out.name = owner.name;
  out.phone = owner.phone;
  out.village = owner.village;
  return out;
}

namespace {

// The order of entries within one day (SortTimeline).
int RankInDay(const TimelineEntry& e) {
  switch (e.kind) {
    case TimelineKind::kRegistered:
      return 0;
    case TimelineKind::kVaccination:
      return 1;
    case TimelineKind::kLifeEvent:
      return e.event && EndsLife(e.event->kind) ? 9 : 2;
    case TimelineKind::kCertificate:
      return 3;
    case TimelineKind::kPassage:
      return 4;
    case TimelineKind::kCertificateUsed:
      return 5;
    case TimelineKind::kArrival:
      return 6;
    case TimelineKind::kHolding:
      return 7;
    case TimelineKind::kOwnershipChange:
      return 8;
  }
  return 10;
}

}  // namespace

void SortTimeline(std::vector<TimelineEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) {
                     if (a.on != b.on) return a.on < b.on;
                     const int ra = RankInDay(a), rb = RankInDay(b);
                     if (ra != rb) return ra < rb;
                     // Without a time, an entry counts as at the start of its day.
                     return a.at.value_or(Timestamp::min()) < b.at.value_or(Timestamp::min());
                   });
}

}  // namespace herdpass
