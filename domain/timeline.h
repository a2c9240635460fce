// An animal's timeline (W12, issue 12 item 6): what happened to one animal or flock, from every
// source HerdPass keeps, as one list in time order. Each source (registration, life events,
// vaccinations, certificates; passages, arrivals and ownership changes as they come) turns its rows
// into entries on its own (service/timeline.cpp); the order and the owner's masking are decided
// here, once. Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/certificate.h"
#include "domain/holding.h"
#include "domain/model.h"
#include "domain/time.h"

namespace herdpass {

// What an entry tells.
enum class TimelineKind {
  kRegistered,       // the animal or flock was registered (created_at), kept at `holding` if any
  kVaccination,      // a dose (voided ones too, marked)
  kCertificate,      // a veterinary certificate naming it was issued
  kCertificateUsed,  // that certificate was consumed (used at its destination)
  kLifeEvent,        // tag replaced, died, slaughtered, lost, stolen, culled, born
};
// "registered", "vaccination", "certificate", "certificate_used", "life_event".
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

struct TimelineEntry {
  TimelineKind kind = TimelineKind::kRegistered;
  Date on;                      // the day (local time for entries that have a time)
  std::optional<Timestamp> at;  // when the source knows the time
  // The details; which are set depends on `kind`:
  std::optional<ShownOwner> owner;         // kRegistered: the owner
  std::optional<Holding> holding;          // kRegistered, kVaccination: where, when known
  std::optional<AnimalEvent> event;        // kLifeEvent
  std::optional<Vaccination> vaccination;  // kVaccination (GPS cleared for a masked owner)
  std::optional<Certificate> certificate;  // kCertificate, kCertificateUsed (without hp1)
  std::string by;                          // who recorded it (username), when known
};

// Sorts entries into time order: by day; within a day, the registration, vaccinations, life events
// that do not end a life (a tag replaced, births), certificates, their use, and last the end of a
// life (most sources know the day only); then by time (one without a time before one with).
// Entries equal in all three keep the order they were added in.
void SortTimeline(std::vector<TimelineEntry>& entries);

}  // namespace herdpass
