#include "store/record_rules.h"

#include <utility>

#include "domain/animal_events.h"
#include "store/not_found.h"

namespace herdpass::store {
namespace {

// The body of RecordOne, inside the record's savepoint. Sets `rejection` to reject the record.
// Every row it creates (animals, flock, the record) is stamped with the OWNER's authority, not
// the recorder's: jurisdiction checks on reads and voids compare against these stamps. Only an
// owner created here takes ctx.authority.
Status StoreRecord(RecordPort& port, const VaccinationInput& in, const std::string& key,
                   const std::optional<std::string>& corrects, const BatchContext& ctx,
                   RecordResult& r, Status& rejection) {
  // The owner.
  int64_t owner_id = 0;
  std::string authority;
  Result<Owner> owner =
      in.owner_id ? port.OwnerById(*in.owner_id) : port.OwnerByPhone(in.owner_phone);
  if (owner.ok()) {
    if (!ctx.unrestricted && !InJurisdiction(ctx.scope, owner->authority)) {
      rejection = Status(StatusCode::kPermissionDenied, "the owner is outside your jurisdiction",
                         in.owner_id ? "owner_id" : "owner_phone");
      return Status::Ok();
    }
    owner_id = owner->id;
    authority = owner->authority;
  } else if (owner.status().code() != StatusCode::kNotFound) {
    return owner.status();
  } else if (in.owner_id) {
    rejection = Status(StatusCode::kNotFound, kNoSuchOwner, "owner_id");
    return Status::Ok();
  } else if (in.owner_phone.empty()) {
    rejection = InvalidArgument("owner_phone", "the record names no owner");
    return Status::Ok();
  } else {
    HP_ASSIGN_OR_RETURN(owner_id, port.AddOwner(NewOwner{in.owner_phone, in.owner_name, "",
                                                         ctx.authority, ctx.at}));
    port.Count(Counter::kOwners);
    authority = ctx.authority;
  }

  // The record it corrects: checked here, in the transaction that stores the correction, so
  // that the voided record cannot change in between. The owner is compared before the voided
  // flag, so that nothing is told about another owner's record beyond that it is not theirs.
  if (corrects) {
    auto target = port.ReadStoredRecord(*corrects);
    if (!target.ok() && target.status().code() != StatusCode::kNotFound) return target.status();
    const char* why = nullptr;
    if (!target.ok()) {
      why = "the corrected record does not exist";
    } else if (target->owner_id != owner_id) {
      why = "the corrected record belongs to another owner";
    } else if (!target->voided) {
      why = "the corrected record is not voided; void it before recording its correction";
    }
    if (why != nullptr) {
      rejection = Status(StatusCode::kFailedPrecondition, why, "corrects");
      return Status::Ok();
    }
  }

  // The animals.
  std::vector<int64_t> animal_ids;
  int32_t head_count = 0;
  if (!in.animal_tags.empty()) {
    for (const std::string& tag : in.animal_tags) {
      auto animal = port.AnimalByTag(tag);
      if (animal.ok()) {
        if (animal->owner_id != owner_id) {
          rejection = Status(StatusCode::kFailedPrecondition,
                             "ear tag " + tag + " belongs to another owner", "animal_tags");
          return Status::Ok();
        }
        if (animal->species != in.species) {
          rejection = InvalidArgument("species", "the animal with tag " + tag + " is a " +
                                                     animal->species + ", not a " + in.species);
          return Status::Ok();
        }
        // An offline phone may send a dose given before the animal died: kept. One dated after
        // its end is refused.
        if (Status alive = CheckAliveOn(*animal, in.administered_on, "animal_tags"); !alive.ok()) {
          rejection = std::move(alive);
          return Status::Ok();
        }
        animal_ids.push_back(animal->id);
        continue;
      }
      if (animal.status().code() != StatusCode::kNotFound) return animal.status();
      HP_ASSIGN_OR_RETURN(const int64_t id,
                          port.AddAnimal(NewAnimal{owner_id, tag, in.species, 1, "", std::nullopt,
                                                   authority, ctx.at, in.holding_id}));
      port.Count(Counter::kAnimals);
      animal_ids.push_back(id);
    }
    head_count = static_cast<int32_t>(animal_ids.size());
  } else {
    if (in.species.empty() || in.head_count <= 0) {
      rejection = InvalidArgument("head_count",
                                  "a record without ear tags needs a species and a head count");
      return Status::Ok();
    }
    HP_ASSIGN_OR_RETURN(const std::optional<Flock> flock, port.ReadFlock(owner_id, in.species));
    if (flock) {
      animal_ids.push_back(flock->id);
      // A record dated before the flock's latest head event (deaths, births: W12) does not undo
      // it: an offline phone's count from before the deaths is not the flock's size now.
      const bool after_events = !flock->last_event_on || in.administered_on > *flock->last_event_on;
      if (after_events && flock->head_count < in.head_count) {
        HP_RETURN_IF_ERROR(port.RaiseFlockHeadCount(owner_id, flock->id, in.head_count));
      }
    } else {
      HP_ASSIGN_OR_RETURN(
          const int64_t id,
          port.AddAnimal(NewAnimal{owner_id, std::nullopt, in.species, in.head_count, "",
                                   std::nullopt, authority, ctx.at, in.holding_id}));
      port.Count(Counter::kAnimals);
      animal_ids.push_back(id);
    }
    head_count = in.head_count;
  }

  // The record, and its id for idempotency.
  HP_RETURN_IF_ERROR(port.InsertVaccination(
      RecordRow{in, key, corrects, ctx, owner_id, authority, animal_ids, head_count}));
  port.Count(Counter::kVaccinations);
  r.outcome = RecordOutcome::kCreated;
  r.owner_id = owner_id;
  return Status::Ok();
}

// Stores one record of a batch inside its own savepoint. Fills `r`.
Status RecordOne(RecordPort& port, const VaccinationInput& in, const BatchContext& ctx,
                 RecordResult& r) {
  auto reject = [&r](Status why) {
    r.outcome = RecordOutcome::kRejected;
    r.reason = std::move(why);
    r.owner_id = 0;
    return Status::Ok();
  };

  auto key = port.RecordKey(in.id);
  if (!key) return reject(InvalidArgument("id", "the record id is not a UUID"));
  auto stored = port.ReadStoredRecord(*key);
  if (stored.ok()) {
    // A duplicate answers with the stored record's owner: only to a caller who may see it.
    if (!ctx.unrestricted && !InJurisdiction(ctx.scope, stored->authority)) {
      return reject(Status(StatusCode::kPermissionDenied,
                           "a record with this id exists in another jurisdiction", "id"));
    }
    r.outcome = RecordOutcome::kDuplicate;
    r.owner_id = stored->owner_id;
    return Status::Ok();
  }
  if (stored.status().code() != StatusCode::kNotFound) return stored.status();
  std::optional<std::string> corrects;
  if (!in.corrects.empty()) {
    corrects = port.RecordKey(in.corrects);
    if (!corrects) {
      return reject(InvalidArgument("corrects", "the corrected record id is not a UUID"));
    }
  }

  HP_RETURN_IF_ERROR(port.BeginNested());
  Status rejection;
  Status s = StoreRecord(port, in, *key, corrects, ctx, r, rejection);
  if (s.ok() && rejection.ok()) return port.ReleaseNested();
  // Undo whatever the record created before it failed.
  if (!port.InTransaction()) return s.ok() ? Unavailable("storage failed") : s;
  HP_RETURN_IF_ERROR(port.RollbackNested());
  if (!s.ok()) return s;
  return reject(std::move(rejection));
}

}  // namespace

Status RecordBatch(RecordPort& port, std::span<const VaccinationInput> records,
                   const BatchContext& ctx, std::vector<RecordResult>& results) {
  results.clear();
  results.reserve(records.size());
  for (const VaccinationInput& in : records) {
    RecordResult r;
    r.id = in.id;
    HP_RETURN_IF_ERROR(RecordOne(port, in, ctx, r));
    results.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace herdpass::store
