// The ownership change of a sale (W8), written once for both backends over their row codecs
// (record_codecs.h). Called inside a write job that is already open: by StoreCore::RecordTransfer
// for a sale at the farm, and (by the lead's arrival of a sale certificate) from the job that
// marks a certificate arrived, so that a sale and what made it commit together or not at all.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/ownership.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/field_changes.h"
#include "store/record_codecs.h"
#include "store/store.h"

namespace herdpass::store {

// THE in-transaction ownership change. `tx` is the job's write transaction (WriteTxn<Session>:
// tx.conn(), tx.Count()). For each of t.animal_ids, then for t.flock_id:
//  - reads the unit inside the transaction and checks it with PlanSale (domain/ownership.h):
//    kNotFound (field t.fields[i] or "flock_id") for no such unit; kInvalidArgument when a flock is
//    named among the tagged animals or a tagged animal as the flock; kFailedPrecondition naming
//    the field when the unit is no longer the seller's, its life ended, or the flock has fewer
//    than t.head head; kInvalidArgument ("buyer_phone") when buyer and seller are one owner;
//  - a tagged animal passes whole: its owner and authority become the buyer's; its doses stay
//    stored under the seller (W2 shows them to the buyer through the change);
//  - t.head heads of the seller's flock pass: the seller's head count goes down by t.head; the
//    buyer's flock of that species (the one W1 records use, ReadFlock) goes up by t.head, or is
//    created with t.head head, the buyer's authority and the seller's flock's holding;
//  - one OwnershipChange row per unit (t.on, t.certificate_id or t.transfer_id, t.recorded_by,
//    t.at).
// Returns the changes in that order. On any refusal the caller's job fails and nothing of it is
// stored. kNotFound when t.buyer_id names no owner. REQUIRES: t.on, t.seller_id, t.buyer_id set.
template <class Codecs, class Txn>
Result<std::vector<OwnershipChange>> TransferOwnership(Txn& tx, const OwnershipTransfer& t) {
  auto& conn = tx.conn();
  HP_ASSIGN_OR_RETURN(const Owner buyer, Codecs::ReadOwnerById(conn, t.buyer_id));
  std::vector<OwnershipChange> out;
  auto change_of = [&](const Animal& unit) {
    OwnershipChange c;
    c.animal_id = unit.id;
    c.to_animal_id = unit.id;
    c.tag = unit.tag;
    c.species = unit.species;
    c.from_owner_id = t.seller_id;
    c.to_owner_id = buyer.id;
    c.on = t.on;
    c.certificate_id = t.certificate_id;
    c.transfer_id = t.transfer_id;
    c.recorded_by = t.recorded_by;
    c.recorded_at = t.at;
    return c;
  };
  auto read_unit = [&](int64_t id, const std::string& field) -> Result<Animal> {
    auto unit = Codecs::ReadAnimalById(conn, id);
    if (unit.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kNotFound, unit.status().message(), field);
    }
    return unit;
  };
  for (size_t i = 0; i < t.animal_ids.size(); ++i) {
    const std::string field =
        i < t.fields.size() ? t.fields[i] : "animal_ids[" + std::to_string(i) + "]";
    HP_ASSIGN_OR_RETURN(const Animal unit, read_unit(t.animal_ids[i], field));
    if (unit.is_flock()) {
      return InvalidArgument(field, "a flock is sold by flock_id and head");
    }
    HP_RETURN_IF_ERROR(PlanSale(unit, t.seller_id, buyer.id, 1, field).status());
    HP_RETURN_IF_ERROR(Codecs::SetAnimalOwner(conn, unit.id, buyer.id, buyer.authority));
    OwnershipChange c = change_of(unit);
    HP_RETURN_IF_ERROR(Codecs::InsertOwnershipChange(conn, c));
    // W10: the seller's copy loses the unit (or heads of it), the buyer's gains them.
    HP_RETURN_IF_ERROR(NoteAnimalChange<Codecs>(conn, c.from_owner_id, c.animal_id));
    HP_RETURN_IF_ERROR(NoteAnimalChange<Codecs>(conn, c.to_owner_id, c.to_animal_id));
    out.push_back(std::move(c));
  }
  if (t.flock_id) {
    HP_ASSIGN_OR_RETURN(const Animal unit, read_unit(*t.flock_id, "flock_id"));
    if (!unit.is_flock()) return InvalidArgument("flock_id", "a tagged animal is sold by its tag");
    HP_ASSIGN_OR_RETURN(const SaleChange sale,
                        PlanSale(unit, t.seller_id, buyer.id, t.head, "flock_id"));
    HP_RETURN_IF_ERROR(Codecs::SetHeadCount(conn, unit.id, sale.head_left));
    OwnershipChange c = change_of(unit);
    c.head = sale.head;
    HP_ASSIGN_OR_RETURN(const auto existing, Codecs::ReadFlock(conn, buyer.id, unit.species));
    if (existing) {
      c.to_animal_id = existing->id;
      HP_RETURN_IF_ERROR(Codecs::SetHeadCount(
          conn, existing->id, static_cast<int32_t>(existing->head_count) + sale.head));
    } else {
      NewAnimal flock;
      flock.owner_id = buyer.id;
      flock.species = unit.species;
      flock.head_count = sale.head;
      flock.authority = buyer.authority;
      flock.created_at = t.at;
      flock.holding_id = unit.holding_id;
      HP_ASSIGN_OR_RETURN(c.to_animal_id, Codecs::InsertAnimal(conn, flock));
      tx.Count(Counter::kAnimals);
    }
    HP_RETURN_IF_ERROR(Codecs::InsertOwnershipChange(conn, c));
    // W10: the seller's copy loses the unit (or heads of it), the buyer's gains them.
    HP_RETURN_IF_ERROR(NoteAnimalChange<Codecs>(conn, c.from_owner_id, c.animal_id));
    HP_RETURN_IF_ERROR(NoteAnimalChange<Codecs>(conn, c.to_owner_id, c.to_animal_id));
    out.push_back(std::move(c));
  }
  return out;
}

// W2 of a buyer: the doses its units had under earlier owners, from the changes into the owner
// (Codecs::ReadChangesIntoOwner, oldest first) and each earlier owner's records since `since`
// (one W2 read per earlier owner, not per animal). Each record appears once, its animal_ids the
// present owner's units it concerns and its head_count the heads of them (for a flock at most the
// heads that passed); a dose counts for a unit when given on or before the day it left that
// owner. Newest first.
template <class Codecs, class Connection>
Result<std::vector<EarlierDose>> EarlierDosesOf(Connection& conn, int64_t owner_id,
                                                const std::vector<OwnershipChange>& into,
                                                Date since) {
  std::map<int64_t, std::vector<Vaccination>> records;  // by earlier owner
  std::map<int64_t, std::string> masked;
  std::map<std::string, EarlierDose> doses;  // by record id
  for (const OwnershipChange& c : into) {
    if (c.from_owner_id == owner_id) continue;  // its own records are in its own history
    auto it = records.find(c.from_owner_id);
    if (it == records.end()) {
      HP_ASSIGN_OR_RETURN(auto list, Codecs::ReadVaccinationsSince(conn, c.from_owner_id, since));
      HP_ASSIGN_OR_RETURN(const Owner earlier, Codecs::ReadOwnerById(conn, c.from_owner_id));
      masked[c.from_owner_id] = MaskName(earlier.name);
      it = records.emplace(c.from_owner_id, std::move(list)).first;
    }
    for (const Vaccination& v : it->second) {
      if (v.administered_on > c.on) continue;
      if (std::find(v.animal_ids.begin(), v.animal_ids.end(), c.animal_id) == v.animal_ids.end()) {
        continue;
      }
      auto [dose, fresh] = doses.try_emplace(v.id);
      if (fresh) {
        dose->second.vaccination = v;
        dose->second.vaccination.animal_ids.clear();
        dose->second.vaccination.head_count = 0;
        dose->second.previous_owner_masked = masked[c.from_owner_id];
        dose->second.sold_on = c.on;
      }
      Vaccination& out = dose->second.vaccination;
      if (std::find(out.animal_ids.begin(), out.animal_ids.end(), c.to_animal_id) !=
          out.animal_ids.end()) {
        continue;
      }
      out.animal_ids.push_back(c.to_animal_id);
      out.head_count += c.tag ? 1 : std::min(v.head_count, c.head);
    }
  }
  std::vector<EarlierDose> list;
  for (auto& [id, dose] : doses) list.push_back(std::move(dose));
  std::sort(list.begin(), list.end(), [](const EarlierDose& a, const EarlierDose& b) {
    return std::pair(a.vaccination.administered_on, a.vaccination.id) >
           std::pair(b.vaccination.administered_on, b.vaccination.id);
  });
  return list;
}

}  // namespace herdpass::store
