#include "domain/timeline.h"

#include <algorithm>
#include <compare>
#include <numeric>
#include <string_view>

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

// Entries of one kind, day and time: the order they were recorded in, whatever order the store
// read them in (it reads doses newest first, and each backend breaks its own ties). A dose given
// under an earlier owner comes before the present owner's (the animal was the earlier owner's
// first); then by when the server stored the row, then by the row's id.
struct TieKey {
  int present_owner = 0;  // 0: under an earlier owner
  Timestamp recorded{};
  std::string_view id;
  int64_t number = 0;

  auto operator<=>(const TieKey&) const = default;
};

TieKey TieKeyOf(const TimelineEntry& e) {
  TieKey k;
  switch (e.kind) {
    case TimelineKind::kRegistered:
      break;
    case TimelineKind::kVaccination:
      if (e.vaccination) {
        k.present_owner = e.previous_owner_masked.empty() ? 1 : 0;
        k.recorded = e.vaccination->recorded_at;
        k.id = e.vaccination->id;
      }
      break;
    case TimelineKind::kLifeEvent:
      if (e.event) {
        k.recorded = e.event->recorded_at;
        k.id = e.event->id;
      }
      break;
    case TimelineKind::kCertificate:
    case TimelineKind::kCertificateUsed:
    case TimelineKind::kArrival:
      if (e.certificate) k.id = e.certificate->id;
      break;
    case TimelineKind::kPassage:
      if (e.passage) {
        k.recorded = e.passage->received_at;
        k.id = e.passage->id;
      }
      break;
    case TimelineKind::kHolding:
      if (e.holding) k.number = e.holding->id;
      break;
    case TimelineKind::kOwnershipChange:
      if (e.ownership) {
        k.recorded = e.ownership->recorded_at;
        k.id = e.ownership->certificate_id.empty() ? std::string_view(e.ownership->transfer_id)
                                                   : std::string_view(e.ownership->certificate_id);
      }
      break;
  }
  return k;
}

// The one order of SortTimeline.
bool Before(const TimelineEntry& a, const TimelineEntry& b) {
  if (a.on != b.on) return a.on < b.on;
  const int ra = RankInDay(a), rb = RankInDay(b);
  if (ra != rb) return ra < rb;
  // Without a time, an entry counts as at the start of its day.
  const Timestamp ta = a.at.value_or(Timestamp::min()), tb = b.at.value_or(Timestamp::min());
  if (ta != tb) return ta < tb;
  return TieKeyOf(a) < TieKeyOf(b);
}

}  // namespace

void SortTimeline(std::vector<TimelineEntry>& entries) {
  // An entry is large (a certificate, a dose, a holding, each with its strings: about 2.8 KB), and
  // a merge sort moves each one about log2(n) times: sort the places, then move each entry once.
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&entries](size_t a, size_t b) { return Before(entries[a], entries[b]); });
  std::vector<TimelineEntry> sorted;
  sorted.reserve(entries.size());
  for (size_t i : order) sorted.push_back(std::move(entries[i]));
  entries = std::move(sorted);
}

}  // namespace herdpass
