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
#include <tuple>
#include <vector>

#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/ownership.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/journey_core.h"
#include "store/owner_change.h"
#include "store/record_codecs.h"
#include "store/store.h"

namespace herdpass::store {

// The heads of the seller's flock sold by `t` to `buyer`, as a head event of that flock (kind
// sold, dated t.on, by t.recorded_by), so that its head history tells where they went: "sold to
// <buyer's masked name>", with the certificate's number when a certificate made the sale. Its id
// is the certificate's or the transfer's (one sale, one event).
template <class Codecs, class Connection>
Status RecordHeadsSold(Connection& conn, const OwnershipTransfer& t, const Animal& flock,
                       const Owner& buyer, const SaleChange& sale) {
  AnimalEvent e;
  e.id = t.certificate_id.empty() ? t.transfer_id : t.certificate_id;
  auto key = Codecs::RecordKey(e.id);
  if (!key) return Internal("a sale's id is not a UUID");
  e.animal_id = flock.id;
  e.kind = AnimalEventKind::kSold;
  e.on = t.on;
  e.reason = "sold to " + MaskName(buyer.name);
  if (!t.certificate_id.empty()) e.reason += " with certificate " + t.certificate_number;
  e.head = sale.head;
  e.head_after = sale.head_left;
  e.recorded_by = t.recorded_by;
  e.recorded_at = t.at;
  e.authority = flock.authority;
  return Codecs::InsertAnimalEvent(conn, *key, e);
}

// THE in-transaction ownership change. `tx` is the job's write transaction (WriteTxn<Session>:
// tx.conn(), tx.Count()). For each of t.animal_ids, then for t.flock_id:
//  - reads the unit inside the transaction and checks it with PlanSale (domain/ownership.h):
//    kNotFound (field t.fields[i] or "flock_id") for no such unit; kInvalidArgument when a flock is
//    named among the tagged animals or a tagged animal as the flock; kFailedPrecondition naming
//    the field when the unit is no longer the seller's, its life ended, or the flock has fewer
//    than t.head head; kInvalidArgument ("buyer_phone") when buyer and seller are one owner;
//  - a tagged animal passes whole: its owner and authority become the buyer's; its doses stay
//    stored under the seller (W2 shows them to the buyer through the change);
//  - t.head heads of the seller's flock pass: the seller's head count goes down by t.head (a
//    head event of kind sold, RecordHeadsSold); the
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
    // The seller's answer and copy lose the unit (or heads of it), the buyer's gain them.
    HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, c.from_owner_id, c.animal_id));
    HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, c.to_owner_id, c.to_animal_id));
    out.push_back(std::move(c));
  }
  if (t.flock_id) {
    HP_ASSIGN_OR_RETURN(const Animal unit, read_unit(*t.flock_id, "flock_id"));
    if (!unit.is_flock()) return InvalidArgument("flock_id", "a tagged animal is sold by its tag");
    HP_ASSIGN_OR_RETURN(const SaleChange sale,
                        PlanSale(unit, t.seller_id, buyer.id, t.head, "flock_id"));
    HP_RETURN_IF_ERROR(Codecs::SetHeadCount(conn, unit.id, sale.head_left));
    HP_RETURN_IF_ERROR((RecordHeadsSold<Codecs>(conn, t, unit, buyer, sale)));
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
      HP_ASSIGN_OR_RETURN(c.to_animal_id, InsertAnimalKept<Codecs>(conn, flock));
      tx.Count(Counter::kAnimals);
    }
    HP_RETURN_IF_ERROR(Codecs::InsertOwnershipChange(conn, c));
    // The seller's answer and copy lose the unit (or heads of it), the buyer's gain them.
    HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, c.from_owner_id, c.animal_id));
    HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, c.to_owner_id, c.to_animal_id));
    out.push_back(std::move(c));
  }
  return out;
}

// The changes `into` (into some units, oldest first), and the changes that brought heads into the
// earlier flocks those came from, followed back through every earlier flock: a flock sold A to B,
// then B to C, reached C's flock through B's. Each earlier change is given as if it went straight
// to the later unit: to_animal_id that unit, head at most the heads that passed on, and only when
// made on or before the later change. A tagged animal needs none (all its changes name it). One
// read of ownership_changes per earlier flock; at most 16 sales back.
template <class Codecs, class Connection>
Result<std::vector<OwnershipChange>> WithEarlierFlockChanges(Connection& conn,
                                                             std::vector<OwnershipChange> into) {
  std::vector<OwnershipChange> frontier;
  for (const OwnershipChange& c : into) {
    if (!c.tag && c.animal_id != c.to_animal_id) frontier.push_back(c);
  }
  for (int hop = 0; hop < 16 && !frontier.empty(); ++hop) {
    std::vector<OwnershipChange> next;
    for (const OwnershipChange& later : frontier) {
      HP_ASSIGN_OR_RETURN(auto earlier, Codecs::ReadChangesOfAnimal(conn, later.animal_id));
      for (OwnershipChange& e : earlier) {
        if (e.to_animal_id != later.animal_id || e.animal_id == later.animal_id) continue;
        if (e.on > later.on) continue;
        e.to_animal_id = later.to_animal_id;
        e.head = std::min(e.head, later.head);
        into.push_back(e);
        next.push_back(std::move(e));
      }
    }
    frontier = std::move(next);
  }
  return into;
}

// The owners besides its own whose W2 answer may show dose `v` as given under an earlier owner
// (EarlierDosesOf), the read side's rules followed forward from the units it names: a tagged
// animal, each owner it passed to (a later owner reads all its changes); a flock, each owner its
// heads passed to on or after the day the dose was given, and on from that buyer's flock, each
// owner it passed heads to on or after the day they came, through every later flock (a flock sold
// A to B, then B to C: B's and C's answers show A's dose). Sorted, each once; may name an owner
// whose answer does not show it (a cache dropped for nothing), never leaves one out that does.
// One read of ownership_changes per sale followed on, at most 16.
template <class Codecs, class Connection>
Result<std::vector<int64_t>> OwnersShownDose(Connection& conn, const Vaccination& v) {
  std::map<int64_t, Date> carried_from;  // a unit: the first day its changes carry the dose on
  for (int64_t id : v.animal_ids) carried_from.emplace(id, v.administered_on);
  std::vector<int64_t> units = v.animal_ids, owners;
  for (int hop = 0; hop < 16 && !units.empty(); ++hop) {
    HP_ASSIGN_OR_RETURN(const auto changes, Codecs::ReadChangesOutOfAnimals(conn, units));
    units.clear();
    for (const OwnershipChange& c : changes) {
      if (c.tag) {
        owners.push_back(c.to_owner_id);
        continue;
      }
      if (c.on < carried_from.at(c.animal_id)) continue;
      owners.push_back(c.to_owner_id);
      auto [it, added] = carried_from.emplace(c.to_animal_id, c.on);
      if (!added && it->second <= c.on) continue;
      it->second = c.on;
      units.push_back(c.to_animal_id);
    }
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
  }
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  std::erase(owners, v.owner_id);
  return owners;
}

// W2 of a buyer: the doses its units had under earlier owners, from the changes into the owner
// (Codecs::ReadChangesIntoOwner, oldest first) and each earlier owner's records since `since`
// (one W2 read per earlier owner, not per animal, up to the last day a unit left it, of the rows
// naming one of the units that left it: Codecs::ReadVaccinationsOfAnimals). Each record appears
// once, its animal_ids the present owner's units it concerns and its head_count the heads of them
// (for a flock at most the heads that passed); a dose counts for a unit when given on or before the
// day it left that owner. Newest first.
template <class Codecs, class Connection>
Result<std::vector<EarlierDose>> EarlierDosesOf(Connection& conn, int64_t owner_id,
                                                const std::vector<OwnershipChange>& into,
                                                Date since) {
  // The changes by earlier owner, each owner's in the order they came. Each record is stored under
  // one owner, so it is looked at once, with that owner's changes, and moved (never copied) into
  // its dose.
  std::map<int64_t, std::vector<const OwnershipChange*>> by_owner;
  for (const OwnershipChange& c : into) {
    if (c.from_owner_id == owner_id) continue;  // its own records are in its own history
    by_owner[c.from_owner_id].push_back(&c);
  }
  std::vector<EarlierDose> list;
  for (const auto& [from, changes] : by_owner) {
    // No dose given after the last day a unit left this owner, nor of a unit that did not leave
    // it, counts: neither is read.
    Date until = changes.front()->on;
    std::vector<int64_t> left;
    for (const OwnershipChange* c : changes) {
      if (until < c->on) until = c->on;
      left.push_back(c->animal_id);
    }
    std::sort(left.begin(), left.end());
    left.erase(std::unique(left.begin(), left.end()), left.end());
    HP_ASSIGN_OR_RETURN(auto records,
                        Codecs::ReadVaccinationsOfAnimals(conn, from, since, until, left));
    HP_ASSIGN_OR_RETURN(const Owner earlier, Codecs::ReadOwnerById(conn, from));
    const std::string masked = MaskName(earlier.name);
    for (Vaccination& v : records) {
      const OwnershipChange* first = nullptr;  // the first change the dose counts for
      std::vector<int64_t> units;
      int32_t head = 0;
      for (const OwnershipChange* c : changes) {
        if (v.administered_on > c->on) continue;
        if (std::find(v.animal_ids.begin(), v.animal_ids.end(), c->animal_id) ==
            v.animal_ids.end()) {
          continue;
        }
        if (first == nullptr) first = c;
        if (std::find(units.begin(), units.end(), c->to_animal_id) != units.end()) continue;
        units.push_back(c->to_animal_id);
        head += c->tag ? 1 : std::min(v.head_count, c->head);
      }
      if (first == nullptr) continue;
      EarlierDose& dose = list.emplace_back();
      dose.vaccination = std::move(v);
      dose.vaccination.animal_ids = std::move(units);
      dose.vaccination.head_count = head;
      dose.previous_owner_masked = masked;
      dose.sold_on = first->on;
    }
  }
  // Newest first, sorted by index: a dose is a large object to move around.
  std::vector<size_t> order(list.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Vaccination& x = list[a].vaccination;
    const Vaccination& y = list[b].vaccination;
    return std::tie(x.administered_on, x.id) > std::tie(y.administered_on, y.id);
  });
  std::vector<EarlierDose> sorted;
  sorted.reserve(list.size());
  for (size_t i : order) sorted.push_back(std::move(list[i]));
  return sorted;
}

}  // namespace herdpass::store
