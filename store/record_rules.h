// The W1 record rules, written once for both backends: what a batch of vaccination records does to
// owners, animals, flocks and records, and why a record is rejected (fields and messages included).
// The store core (store_core.h) implements RecordPort over a backend's row codecs inside a write
// job; RecordBatch runs the rules over it. Thread-compatible: one batch at a time on one port (the
// writer thread).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/model.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/store.h"

namespace herdpass::store {

// What the rules need to know of a stored record.
struct StoredRecord {
  int64_t owner_id = 0;
  std::string authority;
  bool voided = false;
};

// An owner's flock of one species.
struct Flock {
  int64_t id = 0;
  int64_t head_count = 0;
  std::optional<Date> last_event_on;  // the date of its latest head event (W12), if any
};

// A record to insert, with everything the rules decided. References live during the call only.
struct RecordRow {
  const VaccinationInput& in;
  const std::string& key;                      // the record id in the backend's form (RecordKey)
  const std::optional<std::string>& corrects;  // the corrected record's key
  const BatchContext& ctx;
  int64_t owner_id = 0;
  const std::string& authority;  // the owner's
  const std::vector<int64_t>& animal_ids;
  int32_t head_count = 0;
};

// The reads and writes of the record rules, inside the batch's write transaction. Lookups return
// kNotFound when there is no such row; any other failure fails the whole batch.
class RecordPort {
 public:
  virtual ~RecordPort() = default;

  // The backend's key for a record id (SQLite: 16 bytes; PostgreSQL: the canonical text), or
  // nullopt when `uuid` is not a UUID.
  virtual std::optional<std::string> RecordKey(const std::string& uuid) = 0;
  virtual Result<StoredRecord> ReadStoredRecord(const std::string& key) = 0;
  virtual Result<Owner> OwnerById(int64_t id) = 0;
  virtual Result<Owner> OwnerByPhone(const std::string& e164) = 0;
  virtual Result<int64_t> AddOwner(const NewOwner& owner) = 0;
  virtual Result<Animal> AnimalByTag(const std::string& tag) = 0;
  virtual Result<int64_t> AddAnimal(const NewAnimal& animal) = 0;
  virtual Result<std::optional<Flock>> ReadFlock(int64_t owner_id, const std::string& species) = 0;
  // `flock_id` is `owner_id`'s flock (as ReadFlock gave it).
  virtual Status RaiseFlockHeadCount(int64_t owner_id, int64_t flock_id, int32_t head_count) = 0;
  // Inserts the record and whatever makes its id unique.
  virtual Status InsertVaccination(const RecordRow& row) = 0;

  // The write transaction: a row counter, and one nested savepoint per record (WriteTxn's).
  virtual void Count(Counter c) = 0;
  virtual Status BeginNested() = 0;
  virtual Status ReleaseNested() = 0;
  virtual Status RollbackNested() = 0;
  // False when the transaction (or the connection) is gone.
  virtual bool InTransaction() = 0;
};

// Stores `records` (store.h RecordVaccinations) and fills `results`, one per record in order. Each
// record runs inside its own nested savepoint, so that a rejected record leaves nothing behind
// (e.g. an owner created for it). A non-ok return fails the whole batch (I/O); a rejection is a
// result with outcome kRejected. A rejection's field is the record's field by its plain name
// ("species"); service/ prefixes the record's place in the batch. No rejection carries an owner
// id, or any other id, of a jurisdiction outside ctx.scope. The caller appends the audit entry.
Status RecordBatch(RecordPort& port, std::span<const VaccinationInput> records,
                   const BatchContext& ctx, std::vector<RecordResult>& results);

}  // namespace herdpass::store
