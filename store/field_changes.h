// W10: the field copy's change log, written once for both backends.
//
// Every write job of the store core (store_core.h, ownership_core.h) that changes what a field
// copy holds notes each changed row here, in its own transaction, through OwnerRowChanged
// (owner_change.h), which raises the owner's revision with it: an owner, an animal or flock
// (also under the owner it left, when sold), a vaccination record (created or voided), a
// certificate (issued, consumed, revoked). The backend numbers the notes with a change number
// that only grows (SQLite: INTEGER PRIMARY KEY on one writer; PostgreSQL: an identity column
// under the writer lock, so that numbers commit in order); a refresh reads the notes after its
// cursor and sends the current state of each noted row (field_copy_core.h).
// Thread-compatible: runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "store/store.h"

namespace herdpass::store {

struct FieldChange {
  int64_t seq = 0;  // the change number (set by the database)
  FieldChangeKind kind = FieldChangeKind::kOwner;
  int64_t owner_id = 0;  // the owner whose copy the row belongs (or belonged) to
  std::string ref;       // the row: an owner or animal id in decimal, a record or certificate id
};

// "owner", "animal", "vaccination", "certificate": the stored form.
inline const char* FieldChangeKindName(FieldChangeKind k) {
  switch (k) {
    case FieldChangeKind::kOwner:
      return "owner";
    case FieldChangeKind::kAnimal:
      return "animal";
    case FieldChangeKind::kVaccination:
      return "vaccination";
    case FieldChangeKind::kCertificate:
      return "certificate";
  }
  return "owner";
}

inline std::optional<FieldChangeKind> ParseFieldChangeKind(std::string_view s) {
  for (FieldChangeKind k : {FieldChangeKind::kOwner, FieldChangeKind::kAnimal,
                            FieldChangeKind::kVaccination, FieldChangeKind::kCertificate}) {
    if (s == FieldChangeKindName(k)) return k;
  }
  return std::nullopt;
}

}  // namespace herdpass::store
