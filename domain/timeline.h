// An animal's timeline (W12, issue 12 item 6): what happened to one animal or flock, from every
// source HerdPass keeps, as one list in time order. Each source (registration, life events,
// vaccinations, certificates; passages, arrivals and ownership changes as they come) turns its rows
// into entries on its own (service/timeline.cpp); the order and the owner's masking are decided
// here, once. Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/certificate.h"
#include "domain/holding.h"
#include "domain/model.h"
#include "domain/passage.h"
#include "domain/time.h"

namespace herdpass {

// What an entry tells.
enum class TimelineKind {
  kRegistered,       // the animal or flock was registered (created_at), kept at `holding` if any
  kVaccination,      // a dose (voided ones too, marked)
  kCertificate,      // a veterinary certificate naming it was issued
  kCertificateUsed,  // that certificate was consumed (used at its destination)
  kLifeEvent,        // tag replaced, died, slaughtered, lost, stolen, culled, born, sold
  // Journeys (issue 12 item 6):
  kHolding,          // kept at `holding` from `at` on (brought there by `certificate_number`)
  kPassage,          // its certificate scanned at a checkpoint (`holding`, `passage`)
  kArrival,          // its certificate's movement arrived (`holding`, `arrival`, `certificate`)
  kOwnershipChange,  // sold: `ownership`
};
// "registered", "vaccination", "certificate", "certificate_used", "life_event", "holding",
// "passage", "arrival", "ownership_change".
const char* TimelineKindName(TimelineKind kind);

// An owner as a caller may see it: in full, or only the masked name and authority.
struct ShownOwner {
  bool masked = true;
  int64_t id = 0;     // 0 when masked
  std::string name;   // MaskName(name) when masked
  std::string phone;  // "" when masked
  std::string village;
  std::string authority;
};
// `owner` in full when `full`, otherwise its masked name and authority only.
ShownOwner ShowOwner(const Owner& owner, bool full);

// A change of owner as the timeline shows it.
struct TimelineOwnership {
  ShownOwner from;
  ShownOwner to;
  int32_t head = 1;                // heads that passed (1 for a tagged animal)
  std::string certificate_id;      // the sale certificate whose arrival made it, or
  std::string certificate_number;  //   (its number)
  std::string transfer_id;         // the sale at the farm (POST /transfers)
  Timestamp recorded_at{};         // when the server stored it (SortTimeline's tie-break)
};

struct TimelineEntry {
  TimelineKind kind = TimelineKind::kRegistered;
  Date on;                      // the day (local time for entries that have a time)
  std::optional<Timestamp> at;  // when the source knows the time
  // The details; which are set depends on `kind`:
  std::optional<ShownOwner> owner;         // kRegistered: the owner
  std::optional<Holding> holding;          // kRegistered, kVaccination: where, when known
  std::optional<AnimalEvent> event;        // kLifeEvent
  std::optional<Vaccination> vaccination;  // kVaccination (GPS cleared for a masked owner)
  // kCertificate, kCertificateUsed, kArrival (no hp1): shared by a certificate's entries, since a
  // certificate (its tags, its doses) is large and has up to three entries.
  std::shared_ptr<const Certificate> certificate;
  std::string by;                              // who recorded it (username), when known
  std::optional<Passage> passage;              // kPassage
  std::optional<Arrival> arrival;              // kArrival
  std::optional<TimelineOwnership> ownership;  // kOwnershipChange
  std::string certificate_number;              // kHolding, kPassage: the certificate concerned
  // kVaccination: given under an earlier owner (W8), whose masked name this is; "" for the
  // present owner's doses.
  std::string previous_owner_masked;
};

// Sorts entries into time order, the one rule of it: by day; within a day, by what an entry is
// (most sources know the day only): the registration, vaccinations, life events that do not end a
// life (a tag replaced, births, heads sold), certificates, passages, their use, the arrival, the
// holding it came to, a change of owner, and last the end of a life; then by time (one without a
// time before one with); then, among entries of one kind, in the order they were recorded: a dose
// given under an earlier owner before the present owner's, then by when the server stored each
// (recorded_at, received_at), then by its id (the certificate's for certificates, uses and
// arrivals; the holding's for holdings). The store's read order plays no part.
void SortTimeline(std::vector<TimelineEntry>& entries);

}  // namespace herdpass
