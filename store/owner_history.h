// Reading an owner's history (store.h OwnerHistory), written once for both backends. A backend
// calls it on one connection inside one read snapshot; its row codecs (ReadAnimalsOfOwner,
// ReadVaccinationsSince in store/<backend>/records.h, which both backends declare alike) are found
// by argument-dependent lookup on its Connection type. Thread-compatible (as the connection).
#pragma once

#include <utility>

#include "domain/model.h"
#include "domain/status.h"
#include "store/store.h"

namespace herdpass::store {

// `owner` as just read on `conn` (by id or by phone), with its animals and its records
// administered on or after `since`. The owner's failure (kNotFound) when it was not read.
template <class Connection>
Result<OwnerHistory> ReadOwnerHistory(Connection& conn, Result<Owner> owner, Date since) {
  if (!owner.ok()) return owner.status();
  OwnerHistory h;
  h.owner = std::move(owner).value();
  auto animals = ReadAnimalsOfOwner(conn, h.owner.id);
  if (!animals.ok()) return animals.status();
  h.animals = std::move(animals).value();
  auto vaccinations = ReadVaccinationsSince(conn, h.owner.id, since);
  if (!vaccinations.ok()) return vaccinations.status();
  h.vaccinations = std::move(vaccinations).value();
  return h;
}

}  // namespace herdpass::store
