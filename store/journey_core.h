// Where animals are kept over time (issue 12 item 6), written once for both backends over their
// row codecs (record_codecs.h): every change of an animal's or flock's holding goes through here,
// so that the animal row and its history (holding_stays) agree. Called inside a write job that is
// already open.
#pragma once

#include <cstdint>
#include <string>

#include "domain/model.h"
#include "domain/status.h"
#include "store/record_codecs.h"
#include "store/store.h"

namespace herdpass::store {

// Stores a new animal or flock (Codecs::InsertAnimal) and, when it is kept at a holding, its first
// stay there since its registration. Returns the new id.
template <class Codecs, class Connection>
Result<int64_t> InsertAnimalKept(Connection& conn, const NewAnimal& animal) {
  HP_ASSIGN_OR_RETURN(const int64_t id, Codecs::InsertAnimal(conn, animal));
  if (animal.holding_id) {
    HP_RETURN_IF_ERROR(Codecs::InsertHoldingStay(
        conn, HoldingStay{id, *animal.holding_id, animal.created_at, std::string()}));
  }
  return id;
}

// The animal's holding becomes `holding_id` at `since`, brought by the arrival of
// `certificate_id`.
template <class Codecs, class Connection>
Status MoveAnimal(Connection& conn, int64_t animal_id, int64_t holding_id, Timestamp since,
                  const std::string& certificate_id) {
  HP_RETURN_IF_ERROR(Codecs::SetAnimalHolding(conn, animal_id, holding_id));
  return Codecs::InsertHoldingStay(conn, HoldingStay{animal_id, holding_id, since, certificate_id});
}

}  // namespace herdpass::store
