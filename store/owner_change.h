// What a write notes of each owner whose W2 answer or field copy it changes, written once for both
// backends: the only callers of Codecs::BumpOwnerRevision (the owner's revision, store.h
// OwnerRevision, which keys the W2 answer cache) and Codecs::InsertFieldChange (the field copy's
// change log, field_changes.h), so that no write does one without the other
// (tests/layering: layering_store_owner_change).
// Thread-compatible: runs inside the caller's write transaction, so that it commits, or rolls
// back, with the change.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "domain/status.h"
#include "store/field_changes.h"
#include "store/store.h"

namespace herdpass::store {

// THE call of a write for each row of an owner's it changes (`kind`, `ref` as in FieldChange):
// raises the owner's revision and notes the row for field copies. Every write job of the store
// core calls it: owners created, animals registered, moved, sold and their events (tags, deaths,
// heads), vaccinations recorded and voided, certificates issued, consumed and revoked.
template <class Codecs, class Txn>
Status OwnerRowChanged(Txn& tx, FieldChangeKind kind, int64_t owner_id, std::string ref) {
  HP_RETURN_IF_ERROR(Codecs::BumpOwnerRevision(tx.conn(), owner_id));
  FieldChange c;
  c.kind = kind;
  c.owner_id = owner_id;
  c.ref = std::move(ref);
  return Codecs::InsertFieldChange(tx.conn(), c);
}

// OwnerRowChanged for the owner row itself, and for an animal or flock of `owner_id`'s (also
// under the owner it left, when sold).
template <class Codecs, class Txn>
Status OwnerChanged(Txn& tx, int64_t owner_id) {
  return OwnerRowChanged<Codecs>(tx, FieldChangeKind::kOwner, owner_id, std::to_string(owner_id));
}
template <class Codecs, class Txn>
Status AnimalChanged(Txn& tx, int64_t owner_id, int64_t animal_id) {
  return OwnerRowChanged<Codecs>(tx, FieldChangeKind::kAnimal, owner_id, std::to_string(animal_id));
}

// For an owner whose W2 answer shows a row of ANOTHER owner's that changed (noted under its own
// owner by OwnerRowChanged): a dose given under an earlier owner of its animals (W8), a sale
// certificate naming it as the buyer. Its field copy holds no such row: only its revision rises.
template <class Codecs, class Txn>
Status OwnerShowingRowChanged(Txn& tx, int64_t owner_id) {
  return Codecs::BumpOwnerRevision(tx.conn(), owner_id);
}

}  // namespace herdpass::store
