// The Store (store.h), written once for both backends: write methods are jobs for the group-commit
// Writer (writer.h), reads lease a connection from the ReaderPool (reader_pool.h). What each method
// checks, in which transaction, and with which message is decided here; the backend's rows are
// read and written by its codecs (record_codecs.h). Thread-safe, as Store.
//
// A Backend gives the core, besides RecordCodecs<Backend::Connection>:
//   using Session = ...;                         the writer's session (writer.h)
//   using Connection = Session::Connection;      the readers' connections too
//   static Status Migrate(Connection&);          brings the schema to this program's (at open)
//   static void ReturnReader(Connection&);       readies a reader returned to the pool
//   static Status Ready(Connection&);            readies a leased reader (reconnects a dropped one)
//   static Status BeginSnapshot(Connection&);    opens one read snapshot
//   static void EndSnapshot(Connection&);        ends it, if it is still open
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/animal_events.h"
#include "domain/audit.h"
#include "domain/certificate.h"
#include "domain/holding.h"
#include "domain/model.h"
#include "domain/status.h"
#include "store/audit_chain.h"
#include "store/certificate_checks.h"
#include "store/counters.h"
#include "store/coverage_tally.h"
#include "store/field_changes.h"
#include "store/field_copy_core.h"
#include "store/journey_core.h"
#include "store/not_found.h"
#include "store/owner_access_core.h"
#include "store/owner_change.h"
#include "store/ownership_core.h"
#include "store/reader_pool.h"
#include "store/record_codecs.h"
#include "store/record_rules.h"
#include "store/sms_core.h"
#include "store/store.h"
#include "store/trace_core.h"
#include "store/writer.h"

namespace herdpass::store {

// `animal` as stored under `id`.
inline Animal StoredAnimal(int64_t id, const NewAnimal& animal) {
  Animal out;
  out.id = id;
  out.owner_id = animal.owner_id;
  out.tag = animal.tag;
  out.species = animal.species;
  out.head_count = animal.head_count;
  out.sex = animal.sex;
  out.birth_date = animal.birth_date;
  out.authority = animal.authority;
  out.created_at = animal.created_at;
  out.holding_id = animal.holding_id;
  return out;
}

// What a W1 record writes besides its checks, for every record port (CodecRecordPort below and a
// backend's own BatchPort), each row with its owner's change (OwnerRowChanged, owner_change.h): a
// new owner; a flock's raised head count; a new animal with its holding stay; a record row.
template <class Codecs, class Txn>
Result<int64_t> AddRecordOwner(Txn& tx, const NewOwner& owner) {
  HP_ASSIGN_OR_RETURN(const int64_t id, Codecs::InsertOwner(tx.conn(), owner));
  HP_RETURN_IF_ERROR(OwnerChanged<Codecs>(tx, id));
  return id;
}
template <class Codecs, class Txn>
Status RaiseRecordFlock(Txn& tx, int64_t owner_id, int64_t flock_id, int32_t head_count) {
  HP_RETURN_IF_ERROR(Codecs::RaiseFlockHeadCount(tx.conn(), flock_id, head_count));
  return AnimalChanged<Codecs>(tx, owner_id, flock_id);
}
template <class Codecs, class Txn>
Result<int64_t> AddRecordAnimal(Txn& tx, const NewAnimal& animal) {
  HP_ASSIGN_OR_RETURN(const int64_t id, InsertAnimalKept<Codecs>(tx.conn(), animal));
  HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, animal.owner_id, id));
  return id;
}
template <class Codecs, class Txn>
Status InsertRecordRow(Txn& tx, const RecordRow& row) {
  HP_RETURN_IF_ERROR(Codecs::InsertVaccination(tx.conn(), row));
  return OwnerRowChanged<Codecs>(tx, FieldChangeKind::kVaccination, row.owner_id, row.in.id);
}

// The record rules' port (record_rules.h) over a job's write transaction and the codecs.
template <class Txn, class Codecs>
class CodecRecordPort final : public RecordPort {
 public:
  explicit CodecRecordPort(Txn& tx) : tx_(tx) {}

  std::optional<std::string> RecordKey(const std::string& uuid) override {
    return Codecs::RecordKey(uuid);
  }
  Result<StoredRecord> ReadStoredRecord(const std::string& key) override {
    return Codecs::ReadStoredRecord(tx_.conn(), key);
  }
  Result<Owner> OwnerById(int64_t id) override { return Codecs::ReadOwnerById(tx_.conn(), id); }
  Result<Owner> OwnerByPhone(const std::string& e164) override {
    return Codecs::ReadOwnerByPhone(tx_.conn(), e164);
  }
  Result<int64_t> AddOwner(const NewOwner& owner) override {
    return AddRecordOwner<Codecs>(tx_, owner);
  }
  Result<Animal> AnimalByTag(const std::string& tag) override {
    return Codecs::ReadAnimalByTag(tx_.conn(), tag);
  }
  Result<int64_t> AddAnimal(const NewAnimal& animal) override {
    return AddRecordAnimal<Codecs>(tx_, animal);
  }
  Result<std::optional<Flock>> ReadFlock(int64_t owner_id, const std::string& species) override {
    return Codecs::ReadFlock(tx_.conn(), owner_id, species);
  }
  Status RaiseFlockHeadCount(int64_t owner_id, int64_t flock_id, int32_t head_count) override {
    return RaiseRecordFlock<Codecs>(tx_, owner_id, flock_id, head_count);
  }
  Status InsertVaccination(const RecordRow& row) override {
    return InsertRecordRow<Codecs>(tx_, row);
  }
  void Count(Counter c) override { tx_.Count(c); }
  Status BeginNested() override { return tx_.BeginNested(); }
  Status ReleaseNested() override { return tx_.ReleaseNested(); }
  Status RollbackNested() override { return tx_.RollbackNested(); }
  bool InTransaction() override { return tx_.InTransaction(); }
  // The SMS receipts' reads (sms_core.h QueueReceipts).
  Result<SmsReceiptInputs> ReadReceiptInputs(const std::vector<int64_t>& owner_ids,
                                             const std::vector<std::string>& keys,
                                             int64_t user_id) {
    return Codecs::ReadReceiptInputs(tx_.conn(), owner_ids, keys, user_id);
  }
  // Nothing to read ahead or wait for (BatchPortOf).
  Status Start(std::span<const VaccinationInput> /*records*/, const BatchContext& /*ctx*/) {
    return Status::Ok();
  }
  Status Finish() { return Status::Ok(); }

 private:
  Txn& tx_;
};

// The port a batch's rules run over: the backend's own when it has one (Backend::BatchPort<Txn>,
// e.g. one that reads the batch's rows ahead and sends its writes without waiting), else
// CodecRecordPort. Either has Start(records, ctx) before the rules, ReadReceiptInputs for the
// receipts (QueueReceipts) and Finish() after them.
template <class Backend, class Txn, class Codecs, class = void>
struct BatchPortOf {
  using type = CodecRecordPort<Txn, Codecs>;
};
template <class Backend, class Txn, class Codecs>
struct BatchPortOf<Backend, Txn, Codecs, std::void_t<typename Backend::template BatchPort<Txn>>> {
  using type = typename Backend::template BatchPort<Txn>;
};

template <class Backend>
class StoreCore final : public Store {
 public:
  using Session = typename Backend::Session;
  using Connection = typename Backend::Connection;
  using Codecs = RecordCodecs<Connection>;
  using Txn = WriteTxn<Session>;
  using Readers = ReaderPool<Connection>;

  // Opens a store on one database: `open(false)` gives the writer's connection, which is migrated
  // first; then `readers` (at least 1) calls of `open(true)` give the readers' connections. Each
  // returns Result<std::unique_ptr<Connection>>; the first failure is returned as it is.
  template <class OpenConnection>
  static Result<std::unique_ptr<Store>> Open(OpenConnection open, int readers, int max_group) {
    HP_ASSIGN_OR_RETURN(auto writer_conn, open(false));
    HP_RETURN_IF_ERROR(Backend::Migrate(*writer_conn));
    auto pool = std::make_unique<Readers>(Backend::ReturnReader);
    for (int i = 0; i < std::max(1, readers); ++i) {
      HP_ASSIGN_OR_RETURN(auto conn, open(true));
      pool->Add(std::move(conn));
    }
    auto writer =
        Writer<Session>::Start(std::make_unique<Session>(std::move(writer_conn)), max_group);
    return std::unique_ptr<Store>(new StoreCore(std::move(writer), std::move(pool)));
  }

  WriterStats GetWriterStats() const override { return writer_->stats(); }

  // --- owners and animals ---

  Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) override {
    return writer_->template RunAudited<Owner>(
        [&](Txn& tx) -> Result<Owner> {
          auto existing = Codecs::ReadOwnerByPhone(tx.conn(), owner.phone);
          if (existing.ok()) {
            return AlreadyExists("an owner with this phone number exists",
                                 std::to_string(existing->id));
          }
          if (existing.status().code() != StatusCode::kNotFound) return existing.status();
          HP_ASSIGN_OR_RETURN(const int64_t id, Codecs::InsertOwner(tx.conn(), owner));
          HP_RETURN_IF_ERROR(OwnerChanged<Codecs>(tx, id));
          tx.Count(Counter::kOwners);
          return Owner{
              id, owner.phone, owner.name, owner.village, owner.authority, owner.created_at};
        },
        audit);
  }

  Result<Owner> FindOwnerById(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadOwnerById(c, id); });
  }

  Result<Owner> FindOwnerByPhone(const std::string& e164) override {
    return Read([&](Connection& c) { return Codecs::ReadOwnerByPhone(c, e164); });
  }

  Result<OwnerRevision> FindOwnerRevisionByPhone(const std::string& e164) override {
    return Read([&](Connection& c) { return Codecs::ReadOwnerRevisionByPhone(c, e164); });
  }

  Result<Animal> CreateAnimal(const NewAnimal& animal, const AuditEntry& audit) override {
    return writer_->template RunAudited<Animal>(
        [&](Txn& tx) -> Result<Animal> {
          HP_RETURN_IF_ERROR(Codecs::ReadOwnerById(tx.conn(), animal.owner_id).status());
          if (animal.tag) {
            auto existing = Codecs::ReadAnimalByTag(tx.conn(), *animal.tag);
            if (existing.ok()) {
              return AlreadyExists("an animal with this tag exists", std::to_string(existing->id));
            }
            if (existing.status().code() != StatusCode::kNotFound) return existing.status();
          }
          if (animal.holding_id) {
            HP_RETURN_IF_ERROR(Codecs::ReadHoldingById(tx.conn(), *animal.holding_id).status());
          }
          HP_ASSIGN_OR_RETURN(const int64_t id, InsertAnimalKept<Codecs>(tx.conn(), animal));
          HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, animal.owner_id, id));
          tx.Count(Counter::kAnimals);
          return StoredAnimal(id, animal);
        },
        audit);
  }

  Result<Animal> FindAnimalByTag(const std::string& tag) override {
    return ReadSnapshot([&](Connection& c) -> Result<Animal> {
      HP_ASSIGN_OR_RETURN(Animal a, Codecs::ReadAnimalByTag(c, tag));
      HP_ASSIGN_OR_RETURN(a.former_tags, Codecs::ReadFormerTags(c, a.id));
      return a;
    });
  }

  Result<Animal> FindAnimalById(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadAnimalById(c, id); });
  }

  Result<AnimalEventResult> RecordAnimalEvent(const AnimalEventInput& in,
                                              const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(in.id);
    if (!key) return InvalidArgument("id", "the event id is not a UUID");
    // Once only: the writer runs one job at a time (under the writer lock, for PostgreSQL), and
    // the rule reads the animal inside the job, so a second end event sees the first one's end.
    return writer_->template RunAudited<AnimalEventResult>(
        [&](Txn& tx) -> Result<AnimalEventResult> {
          Connection& conn = tx.conn();
          AnimalEventResult out;
          HP_ASSIGN_OR_RETURN(std::optional<AnimalEvent> stored,
                              Codecs::ReadAnimalEvent(conn, *key));
          if (stored) {
            if (!in.unrestricted && !InJurisdiction(in.scope, stored->authority)) {
              return Status(StatusCode::kPermissionDenied,
                            "an event with this id exists in another jurisdiction", "id");
            }
            out.duplicate = true;
            out.event = std::move(*stored);
            HP_ASSIGN_OR_RETURN(out.animal, AnimalWithTags(conn, out.event.animal_id));
            return out;
          }
          HP_ASSIGN_OR_RETURN(const Animal unit, Codecs::ReadAnimalById(conn, in.animal_id));
          if (!in.unrestricted && !InJurisdiction(in.scope, unit.authority)) {
            return PermissionDenied("the animal is outside your jurisdiction");
          }
          HP_ASSIGN_OR_RETURN(const AnimalChange change, ApplyAnimalEvent(unit, in.kind, in.head));
          AnimalEvent& e = out.event;
          e.id = in.id;
          e.animal_id = unit.id;
          e.kind = in.kind;
          e.on = in.on;
          e.reason = in.reason;
          e.head = unit.is_flock() ? in.head : 1;
          e.head_after = change.head_after;
          e.recorded_by = in.user_id;
          e.recorded_at = in.at;
          e.authority = unit.authority;
          if (in.kind == AnimalEventKind::kTagReplaced) {
            auto taken = Codecs::ReadAnimalByTag(conn, in.new_tag);
            if (taken.ok()) {
              return Status(StatusCode::kAlreadyExists, "the new tag is already known", "new_tag");
            }
            if (taken.status().code() != StatusCode::kNotFound) return taken.status();
            e.old_tag = unit.tag.value_or("");
            e.new_tag = in.new_tag;
            HP_RETURN_IF_ERROR(Codecs::ReplaceTag(conn, unit.id, e.old_tag, e.new_tag, in.on));
          } else if (change.ends) {
            HP_ASSIGN_OR_RETURN(const bool ended, Codecs::EndAnimal(conn, unit.id, in.kind, in.on));
            if (!ended) return FailedPrecondition("the animal's life already ended");
          } else if (change.head_after != unit.head_count) {
            HP_RETURN_IF_ERROR(Codecs::SetHeadCount(conn, unit.id, change.head_after));
          }
          HP_RETURN_IF_ERROR(Codecs::InsertAnimalEvent(conn, *key, e));
          HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, unit.owner_id, unit.id));
          HP_ASSIGN_OR_RETURN(out.animal, AnimalWithTags(conn, unit.id));
          return out;
        },
        audit);
  }

  Result<TransferResult> RecordTransfer(const TransferInput& in, const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(in.id);
    if (!key) return InvalidArgument("id", "the transfer id is not a UUID");
    return writer_->template RunAudited<TransferResult>(
        [&](Txn& tx) -> Result<TransferResult> {
          Connection& conn = tx.conn();
          TransferResult out;
          HP_ASSIGN_OR_RETURN(std::optional<Transfer> stored, Codecs::ReadTransfer(conn, *key));
          if (stored) {
            if (!in.unrestricted && !InJurisdiction(in.scope, stored->authority)) {
              return Status(StatusCode::kPermissionDenied,
                            "a transfer with this id exists in another jurisdiction", "id");
            }
            out.duplicate = true;
            out.transfer = std::move(*stored);
            HP_ASSIGN_OR_RETURN(out.transfer.changes, Codecs::ReadTransferChanges(conn, in.id));
            return out;
          }
          const std::string seller_field = in.seller_id ? "seller_id" : "seller_phone";
          auto seller = in.seller_id ? Codecs::ReadOwnerById(conn, *in.seller_id)
                                     : Codecs::ReadOwnerByPhone(conn, in.seller_phone);
          if (seller.status().code() == StatusCode::kNotFound) {
            return Status(StatusCode::kNotFound, "no such seller", seller_field);
          }
          HP_RETURN_IF_ERROR(seller.status());
          if (!in.unrestricted && !InJurisdiction(in.scope, seller->authority)) {
            return Status(StatusCode::kPermissionDenied, "the seller is outside your jurisdiction",
                          seller_field);
          }
          HP_ASSIGN_OR_RETURN(const Owner buyer,
                              BuyerOf(tx, in.buyer_phone, in.buyer_name, seller->authority, in.at,
                                      out.buyer_created));
          OwnershipTransfer t;
          t.seller_id = seller->id;
          t.buyer_id = buyer.id;
          for (size_t i = 0; i < in.tags.size(); ++i) {
            const std::string field = "tags[" + std::to_string(i) + "]";
            auto animal = Codecs::ReadAnimalByTag(conn, in.tags[i]);
            if (animal.status().code() == StatusCode::kNotFound) {
              return Status(StatusCode::kNotFound, "no animal with this tag", field);
            }
            HP_RETURN_IF_ERROR(animal.status());
            t.animal_ids.push_back(animal->id);
            t.fields.push_back(field);
          }
          t.flock_id = in.flock_id;
          t.head = in.head;
          t.on = in.on;
          t.transfer_id = in.id;
          t.recorded_by = in.user_id;
          t.at = in.at;
          Transfer& row = out.transfer;
          row.id = in.id;
          row.seller_id = seller->id;
          row.buyer_id = buyer.id;
          row.on = in.on;
          row.recorded_by = in.user_id;
          row.recorded_at = in.at;
          row.authority = seller->authority;
          HP_RETURN_IF_ERROR(Codecs::InsertTransfer(conn, *key, row));
          // Seller's and buyer's changes: TransferOwnership's, for each unit.
          HP_ASSIGN_OR_RETURN(row.changes, (TransferOwnership<Codecs>(tx, t)));
          return out;
        },
        audit);
  }

  Result<std::vector<OwnershipChange>> ListOwnershipChanges(int64_t animal_id) override {
    return Read([&](Connection& c) { return Codecs::ReadChangesOfAnimal(c, animal_id); });
  }

  Result<std::vector<AnimalEvent>> ListAnimalEvents(int64_t animal_id) override {
    return Read([&](Connection& c) { return Codecs::ReadAnimalEvents(c, animal_id); });
  }

  Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) override {
    return ReadSnapshot([&](Connection& c) {
      return OwnerHistoryOf(c, Codecs::ReadOwnerById(c, owner_id), since);
    });
  }

  Result<OwnerHistory> LoadOwnerHistoryByPhone(const std::string& e164, Date since) override {
    return ReadSnapshot(
        [&](Connection& c) { return OwnerHistoryOf(c, Codecs::ReadOwnerByPhone(c, e164), since); });
  }

  Result<AnimalTimelineData> LoadAnimalTimeline(int64_t animal_id) override {
    return ReadSnapshot([&](Connection& c) -> Result<AnimalTimelineData> {
      AnimalTimelineData t;
      HP_ASSIGN_OR_RETURN(t.animal, AnimalWithTags(c, animal_id));
      HP_ASSIGN_OR_RETURN(t.owner, Codecs::ReadOwnerById(c, t.animal.owner_id));
      HP_ASSIGN_OR_RETURN(t.events, Codecs::ReadAnimalEvents(c, animal_id));
      // The owner's records (all of them: since 1900-01-01), one key range, narrowed to those
      // naming the animal.
      HP_ASSIGN_OR_RETURN(t.vaccinations,
                          Codecs::ReadVaccinationsSince(c, t.owner.id, Date::FromDays(-25567)));
      std::erase_if(t.vaccinations, [&](const Vaccination& v) {
        return std::find(v.animal_ids.begin(), v.animal_ids.end(), animal_id) == v.animal_ids.end();
      });
      HP_ASSIGN_OR_RETURN(t.certificates, Codecs::ReadCertificatesOfAnimal(c, animal_id));
      for (Certificate& cert : t.certificates) cert.hp1.clear();
      HP_RETURN_IF_ERROR(LoadJourney(c, t));
      // The holdings and the recorders they name: a handful, each one primary-key lookup.
      std::vector<int64_t> holdings, users;
      if (t.animal.holding_id) holdings.push_back(*t.animal.holding_id);
      for (const Vaccination& v : t.vaccinations) {
        if (v.holding_id) holdings.push_back(*v.holding_id);
        users.push_back(v.recorded_by);
      }
      for (const AnimalEvent& e : t.events) users.push_back(e.recorded_by);
      for (const EarlierDose& d : t.earlier_vaccinations) {
        if (d.vaccination.holding_id) holdings.push_back(*d.vaccination.holding_id);
        users.push_back(d.vaccination.recorded_by);
      }
      for (const HoldingStay& stay : t.stays) holdings.push_back(stay.holding_id);
      for (const Passage& p : t.passages) {
        holdings.push_back(p.holding_id);
        users.push_back(p.recorded_by);
      }
      for (const Certificate& cert : t.certificates) {
        if (cert.arrival && cert.arrival->holding_id) holdings.push_back(*cert.arrival->holding_id);
      }
      for (const OwnershipChange& change : t.changes) users.push_back(change.recorded_by);
      for (int64_t id : SortedUnique(holdings)) {
        HP_ASSIGN_OR_RETURN(Holding h, Codecs::ReadHoldingById(c, id));
        t.holdings.push_back(std::move(h));
      }
      for (int64_t id : SortedUnique(users)) {
        auto user = Codecs::ReadUserById(c, id);
        if (user.status().code() == StatusCode::kNotFound) continue;  // the console's records
        HP_RETURN_IF_ERROR(user.status());
        User u;
        u.id = user->id;
        u.username = user->username;
        t.recorders.push_back(std::move(u));
      }
      return t;
    });
  }

  // --- holdings ---

  Result<Holding> CreateHolding(const Holding& holding, const AuditEntry& audit) override {
    return writer_->template RunAudited<Holding>(
        [&](Txn& tx) -> Result<Holding> {
          if (holding.owner_id) {
            HP_RETURN_IF_ERROR(Codecs::ReadOwnerById(tx.conn(), *holding.owner_id).status());
          }
          auto id = Codecs::InsertHolding(tx.conn(), holding);
          if (id.status().code() == StatusCode::kAlreadyExists) {
            return Status(StatusCode::kAlreadyExists, "the authority has a holding with this code",
                          "code");
          }
          HP_RETURN_IF_ERROR(id.status());
          Holding out = holding;
          out.id = *id;
          return out;
        },
        audit);
  }

  Result<Holding> FindHolding(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadHoldingById(c, id); });
  }

  Result<std::vector<HoldingListItem>> ListHoldings(const HoldingListQuery& q) override {
    const int limit = q.limit <= 0 ? 50 : std::min(q.limit, 1000);
    return Read([&](Connection& c) -> Result<std::vector<HoldingListItem>> {
      std::vector<HoldingListItem> items;
      if (!q.near) {
        HP_ASSIGN_OR_RETURN(auto page, Codecs::ReadHoldingPage(c, q, limit));
        for (Holding& h : page) items.push_back({std::move(h), std::nullopt});
        return items;
      }
      // Nearest first. The database narrows the search to a box of latitudes and longitudes round
      // the circle (an index range on lat); the exact distance is computed here, once, for the
      // holdings in the box only, and orders them. Ordering by a distance computed in SQL would
      // read and compute every holding of the scope, which no index can serve. Distances are whole
      // metres, so that the cursor (distance, id) compares exactly.
      const GeoBox box = BoxAround(q.near->lat, q.near->lon, q.near->radius_m);
      HP_ASSIGN_OR_RETURN(auto in_box, Codecs::ReadHoldingsInBox(c, q, box));
      for (Holding& h : in_box) {
        const double d = DistanceMeters(q.near->lat, q.near->lon, h.lat, h.lon);
        if (d > q.near->radius_m) continue;
        const auto m = static_cast<int64_t>(std::llround(d));
        if (m < q.after_distance_m || (m == q.after_distance_m && h.id <= q.after_id)) continue;
        items.push_back({std::move(h), m});
      }
      std::sort(items.begin(), items.end(), [](const HoldingListItem& a, const HoldingListItem& b) {
        return std::pair(*a.distance_m, a.holding.id) < std::pair(*b.distance_m, b.holding.id);
      });
      if (items.size() > static_cast<size_t>(limit)) items.resize(limit);
      return items;
    });
  }

  // --- vaccinations ---

  Result<std::vector<RecordResult>> RecordVaccinations(std::span<const VaccinationInput> records,
                                                       const BatchContext& ctx,
                                                       const BatchAudit& audit) override {
    std::vector<RecordResult> results;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      typename BatchPortOf<Backend, Txn, Codecs>::type port(tx);
      HP_RETURN_IF_ERROR(port.Start(records, ctx));
      Status ran = RecordBatch(port, records, ctx, results);
      // The owners' receipts (W15), in the records' own transaction (no receipt without its
      // records, no records without their receipts), written before the port finishes: as the
      // records' own writes, they need not wait.
      if (ran.ok()) ran = QueueReceipts<Codecs>(tx.conn(), port, records, results, ctx);
      Status finished = port.Finish();
      HP_RETURN_IF_ERROR(ran);
      HP_RETURN_IF_ERROR(finished);
      auto entry = audit.For(results);
      return entry ? tx.AppendAudit(*entry) : Status::Ok();
    });
    if (!s.ok()) return s;
    return results;
  }

  Result<Vaccination> FindVaccination(const std::string& id) override {
    auto key = Codecs::RecordKey(id);
    if (!key) return NotFound(kNoSuchVaccination);
    return Read([&](Connection& c) { return Codecs::ReadVaccination(c, *key); });
  }

  Status VoidVaccination(const std::string& id, const std::string& reason, Timestamp at,
                         const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(id);
    if (!key) return NotFound(kNoSuchVaccination);
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const Vaccination v, Codecs::ReadVaccination(tx.conn(), *key));
      if (v.voided) return FailedPrecondition("the vaccination record is already voided");
      HP_RETURN_IF_ERROR(Codecs::VoidVaccination(tx.conn(), v, *key, reason, at));
      // The owner it was given under, and (W8) every later owner whose answer shows it.
      HP_RETURN_IF_ERROR(
          OwnerRowChanged<Codecs>(tx, FieldChangeKind::kVaccination, v.owner_id, v.id));
      HP_ASSIGN_OR_RETURN(const auto later, (OwnersShownDose<Codecs>(tx.conn(), v)));
      for (const int64_t owner : later) {
        HP_RETURN_IF_ERROR(OwnerShowingRowChanged<Codecs>(tx, owner));
      }
      return tx.AppendAudit(audit);
    });
  }

  // --- SMS outbox (W15) ---

  Result<int64_t> QueueSms(const NewSms& sms) override {
    std::optional<int64_t> id;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(id, QueueSmsIn<Codecs>(tx.conn(), sms));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return *id;
  }

  Result<SmsMessage> FindSms(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadSms(c, id); });
  }

  using Store::ListDueSms;
  Result<std::vector<SmsMessage>> ListDueSms(Timestamp now, int limit,
                                             std::span<const int64_t> except) override {
    return Read([&](Connection& c) { return Codecs::ReadDueSms(c, now, limit, except); });
  }

  Status ChangeSmsJob(int64_t id, const SmsChangeInput& in) {
    return writer_->Run([&](Txn& tx) -> Status { return ChangeSms<Codecs>(tx.conn(), id, in); });
  }
  Status MarkSmsSent(int64_t id, Timestamp at) override {
    return ChangeSmsJob(id, {SmsChange::kSent, at, "", 0});
  }
  Status DeferSms(int64_t id, Timestamp until) override {
    return ChangeSmsJob(id, {SmsChange::kDefer, until, "", 0});
  }
  Status FailSmsAttempt(int64_t id, Timestamp retry_at, const std::string& error) override {
    return ChangeSmsJob(id, {SmsChange::kFailedAttempt, retry_at, error, 0});
  }
  Result<std::vector<Status>> ApplySmsOutcomes(std::span<const SmsOutcome> outcomes) override {
    std::vector<Status> each;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      each.clear();  // a retried job starts over
      for (const SmsOutcome& o : outcomes) {
        Status one = ChangeSms<Codecs>(tx.conn(), o.id, SmsChangeOf(o));
        // The rule refuses before it writes anything: that message alone is left as it is.
        if (!one.ok() && one.code() != StatusCode::kNotFound &&
            one.code() != StatusCode::kFailedPrecondition) {
          return one;
        }
        each.push_back(std::move(one));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return each;
  }
  Status RecordSmsDelivery(int64_t id, int dlr, Timestamp at) override {
    return ChangeSmsJob(id, {SmsChange::kReport, at, "", dlr});
  }

  Result<int64_t> CountSmsSentSince(int64_t owner_id, Timestamp since) override {
    HP_ASSIGN_OR_RETURN(const auto counts,
                        CountSmsSentSinceEach(std::span<const int64_t>(&owner_id, 1), since));
    return counts.front();
  }

  Result<std::vector<int64_t>> CountSmsSentSinceEach(std::span<const int64_t> owner_ids,
                                                     Timestamp since) override {
    // One statement for the pass, whatever its owners (not a count each).
    HP_ASSIGN_OR_RETURN(const auto counted, Read([&](Connection& c) {
                          return Codecs::CountSmsSentSinceByOwner(c, owner_ids, since);
                        }));
    std::unordered_map<int64_t, int64_t> by_owner(counted.begin(), counted.end());
    std::vector<int64_t> out;
    out.reserve(owner_ids.size());
    for (const int64_t owner : owner_ids) {
      const auto it = by_owner.find(owner);
      out.push_back(it == by_owner.end() ? 0 : it->second);
    }
    return out;
  }

  Result<std::vector<SmsMessage>> ListSms(const SmsListQuery& query) override {
    return Read([&](Connection& c) { return Codecs::ReadSmsList(c, query); });
  }

  Result<int64_t> CountQueuedSms(const SmsListQuery& query) override {
    return Read([&](Connection& c) { return Codecs::CountQueuedSms(c, query); });
  }

  Result<SmsOwnerSettings> FindSmsOwner(int64_t owner_id) override {
    return Read([&](Connection& c) -> Result<SmsOwnerSettings> {
      HP_ASSIGN_OR_RETURN(auto s, Codecs::ReadSmsOwner(c, owner_id));
      if (!s) return NotFound(kNoSuchOwner);
      return std::move(*s);
    });
  }

  Status SetSmsOwnerLanguage(int64_t owner_id, const std::string& language, Timestamp at,
                             const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_RETURN_IF_ERROR(SetSmsLanguageIn<Codecs>(tx.conn(), owner_id, language, at));
      return tx.AppendAudit(audit);
    });
  }

  Status TakeInboundSms(const InboundSmsChange& change) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_RETURN_IF_ERROR(TakeInboundSmsIn<Codecs>(tx.conn(), change));
      return change.audit ? tx.AppendAudit(*change.audit) : Status::Ok();
    });
  }

  Result<std::vector<int64_t>> QueueSmsBatch(std::span<const NewSms> messages) override {
    std::vector<int64_t> ids;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      ids.clear();  // a job run again starts over
      for (const NewSms& sms : messages) {
        HP_ASSIGN_OR_RETURN(const int64_t id, QueueSmsIn<Codecs>(tx.conn(), sms));
        ids.push_back(id);
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return ids;
  }

  // --- owners' sign-in to /me (issue 15 item 4) ---

  Result<int64_t> SaveOwnerCode(const OwnerCode& code, const NewSms& sms,
                                const AuditEntry& audit) override {
    return writer_->template RunAudited<int64_t>(
        [&](Txn& tx) { return SaveOwnerCodeIn<Codecs>(tx.conn(), code, sms); }, audit);
  }

  Result<OwnerCodeOutcome> TryOwnerCode(
      int64_t owner_id, const std::function<bool(const OwnerCode&)>& matches, Timestamp now,
      const OwnerSession& session,
      const std::function<AuditEntry(OwnerCodeOutcome)>& audit) override {
    std::optional<OwnerCodeOutcome> outcome;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(outcome,
                          (TryOwnerCodeIn<Codecs>(tx.conn(), owner_id, matches, now, session)));
      return tx.AppendAudit(audit(*outcome));
    });
    if (!s.ok()) return s;
    return *outcome;
  }

  Result<OwnerSession> FindOwnerSession(const std::string& token_hash) override {
    return Read([&](Connection& c) -> Result<OwnerSession> {
      HP_ASSIGN_OR_RETURN(auto session, Codecs::ReadOwnerSession(c, token_hash));
      if (!session) return NotFound("no such session");
      return std::move(*session);
    });
  }

  Status DeleteOwnerSession(const std::string& token_hash, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const bool changed, Codecs::DeleteOwnerSession(tx.conn(), token_hash));
      if (!changed) return NotFound("no such session");
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<OwnerReader>> ListOwnerReaders(int64_t owner_id, const std::string& e164,
                                                    int limit) override {
    return Read([&](Connection& c) {
      return Codecs::ReadOwnerReaders(c, "owner:" + std::to_string(owner_id), "phone:" + e164,
                                      limit);
    });
  }

  // --- users and tokens ---

  Result<User> CreateUser(const NewUser& user, const AuditEntry& audit) override {
    return writer_->template RunAudited<User>(
        [&](Txn& tx) -> Result<User> {
          auto existing = Codecs::ReadUserByName(tx.conn(), user.username);
          if (existing.ok()) {
            return AlreadyExists("the username is taken", std::to_string(existing->id));
          }
          if (existing.status().code() != StatusCode::kNotFound) return existing.status();
          HP_ASSIGN_OR_RETURN(const int64_t id, Codecs::InsertUser(tx.conn(), user));
          tx.Count(Counter::kUsers);
          return User{id,    user.username,  user.password_hash, user.role, user.authority,
                      false, user.created_at};
        },
        audit);
  }

  Result<User> FindUserByName(const std::string& username) override {
    return Read([&](Connection& c) { return Codecs::ReadUserByName(c, username); });
  }

  Result<User> FindUserById(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadUserById(c, id); });
  }

  Result<std::vector<User>> ListUsers() override {
    return Read([&](Connection& c) { return Codecs::ReadUsers(c); });
  }

  Status SetUserDisabled(const std::string& username, bool disabled,
                         const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const bool changed,
                          Codecs::UpdateUserDisabled(tx.conn(), username, disabled));
      if (!changed) return NotFound(kNoSuchUser);
      HP_RETURN_IF_ERROR(Codecs::DeleteUserTokens(tx.conn(), username));
      return tx.AppendAudit(audit);
    });
  }

  Status SetUserPassword(const std::string& username, const std::string& password_hash,
                         const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const bool changed,
                          Codecs::UpdateUserPassword(tx.conn(), username, password_hash));
      if (!changed) return NotFound(kNoSuchUser);
      return tx.AppendAudit(audit);
    });
  }

  Status SaveToken(const TokenRecord& token, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      // Under the writer lock: a disable committed by any process is seen here.
      HP_ASSIGN_OR_RETURN(const User user, Codecs::ReadUserById(tx.conn(), token.user_id));
      if (user.disabled) return FailedPrecondition("the user is disabled");
      Status s = Codecs::InsertToken(tx.conn(), token);
      if (s.code() == StatusCode::kAlreadyExists) return AlreadyExists("the token exists");
      HP_RETURN_IF_ERROR(s);
      return tx.AppendAudit(audit);
    });
  }

  Result<TokenRecord> FindToken(const std::string& token_hash) override {
    return Read([&](Connection& c) -> Result<TokenRecord> {
      HP_ASSIGN_OR_RETURN(auto token, Codecs::ReadToken(c, token_hash));
      if (!token) return NotFound("no such token");
      return std::move(*token);
    });
  }

  Status DeleteToken(const std::string& token_hash, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const bool changed, Codecs::DeleteToken(tx.conn(), token_hash));
      if (!changed) return NotFound("no such token");
      return tx.AppendAudit(audit);
    });
  }

  // --- authorities ---

  Status SaveAuthority(const Authority& authority, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_RETURN_IF_ERROR(Codecs::UpsertAuthority(tx.conn(), authority));
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<Authority>> ListAuthorities() override {
    return Read([&](Connection& c) { return Codecs::ReadAuthorities(c); });
  }

  // --- signing keys and signed documents ---

  Status SaveSigningKey(const SigningKey& key, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      Status s = Codecs::InsertSigningKey(tx.conn(), key);
      if (s.code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("a signing key with this kid exists", key.kid);
      }
      HP_RETURN_IF_ERROR(s);
      return tx.AppendAudit(audit);
    });
  }

  Status RetireSigningKey(const std::string& kid, Timestamp at, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(const bool changed, Codecs::RetireSigningKey(tx.conn(), kid, at));
      if (!changed) {
        // Either no such key, or one retired before: tell which.
        HP_ASSIGN_OR_RETURN(const bool known, Codecs::SigningKeyExists(tx.conn(), kid));
        if (!known) return NotFound("no such signing key");
        return FailedPrecondition("the signing key is already retired");
      }
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    return Read([&](Connection& c) { return Codecs::ReadSigningKeys(c); });
  }

  Status ReplaceKeys(const std::string& source, const std::vector<SigningKey>& keys,
                     const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      Connection& conn = tx.conn();
      // A retirement made here (read before the delete) outlives the replacement: a key this node
      // stopped trusting is not trusted again because its country's next list still carries it.
      HP_ASSIGN_OR_RETURN(const auto retired, Codecs::ReadRetiredKeysOfSource(conn, source));
      HP_RETURN_IF_ERROR(Codecs::DeleteKeysOfSource(conn, source));
      for (const SigningKey& in : keys) {
        SigningKey key = in;
        key.source = source;
        if (auto it = retired.find(key.kid); it != retired.end()) {
          key.retired_at = key.retired_at ? std::min(*key.retired_at, it->second) : it->second;
        }
        // Our own keys are gone by now: a conflict is a kid of another source, or one listed
        // twice. Either way the job fails and its savepoint restores every key it deleted.
        Status s = Codecs::InsertSigningKey(conn, key);
        if (s.code() == StatusCode::kAlreadyExists) {
          return AlreadyExists(
              "a signing key with this kid exists under another source, or is listed twice",
              key.kid);
        }
        HP_RETURN_IF_ERROR(s);
      }
      return tx.AppendAudit(audit);
    });
  }

  Status SaveDocument(const StoredDocument& doc, const AuditEntry& audit) override {
    return writer_->Run([&](Txn& tx) -> Status {
      HP_RETURN_IF_ERROR(Codecs::UpsertDocument(tx.conn(), doc));
      return tx.AppendAudit(audit);
    });
  }

  Result<StoredDocument> LoadDocument(const std::string& name) override {
    return Read([&](Connection& c) -> Result<StoredDocument> {
      HP_ASSIGN_OR_RETURN(auto doc, Codecs::ReadDocument(c, name));
      if (!doc) return NotFound("no such document");
      return std::move(*doc);
    });
  }

  // --- certificates ---

  using Store::CreateCertificate;
  Status CreateCertificate(const Certificate& c, const AuditEntry& audit,
                           std::optional<int64_t> zones_revision) override {
    return writer_->Run([&](Txn& tx) -> Status {
      Connection& conn = tx.conn();
      if (zones_revision) {
        HP_ASSIGN_OR_RETURN(const int64_t now, Codecs::ReadZoneRevision(conn));
        if (now != *zones_revision) return ZonesChangedStatus();
      }
      HP_RETURN_IF_ERROR(Codecs::ReadOwnerById(conn, c.owner_id).status());
      HP_ASSIGN_OR_RETURN(const bool inserted, Codecs::InsertCertificate(conn, c));
      if (!inserted) {
        return CertificateConflict(Codecs::ReadCertificateStatus(conn, c.id).status());
      }
      Status linked = Codecs::InsertCertificateAnimals(conn, c);
      if (linked.code() == StatusCode::kFailedPrecondition) {  // the foreign key to animals
        return FailedPrecondition("an animal of the certificate does not exist");
      }
      HP_RETURN_IF_ERROR(linked);
      // The animals as just stored, read back through their table.
      HP_ASSIGN_OR_RETURN(const auto animals, Codecs::ReadCertificateAnimals(conn, c.id));
      std::vector<int64_t> owners;
      for (const CertificateAnimal& a : animals) owners.push_back(a.owner_id);
      HP_RETURN_IF_ERROR(CheckCertificateAnimals(c, SortedTags(animals), owners));
      HP_RETURN_IF_ERROR(Codecs::InsertCertificateVaccinations(conn, c));
      std::string destination_scope = c.destination;
      if (c.destination_holding_id) {
        HP_ASSIGN_OR_RETURN(const Holding to,
                            Codecs::ReadHoldingById(conn, *c.destination_holding_id));
        destination_scope = to.authority;
      }
      HP_RETURN_IF_ERROR(Codecs::InsertMovement(conn, c, destination_scope));
      if (!c.buyer_phone.empty()) {  // W8: a sale names its buyer
        const std::string buyer_authority =
            ScopeOf(c.authority, c.destination) == MovementScope::kExport ? c.authority
                                                                          : c.destination;
        bool created = false;
        HP_ASSIGN_OR_RETURN(const Owner buyer, BuyerOf(tx, c.buyer_phone, c.buyer_name,
                                                       buyer_authority, c.issued_at, created));
        if (buyer.id == c.owner_id) {
          return InvalidArgument("buyer_phone", "the buyer is the owner");
        }
        HP_RETURN_IF_ERROR(Codecs::SetCertificateBuyer(conn, c.id, buyer.id));
        HP_RETURN_IF_ERROR(OwnerShowingRowChanged<Codecs>(tx, buyer.id));
      }
      HP_RETURN_IF_ERROR(CertificateChanged(tx, c.owner_id, 0, c.id));
      HP_RETURN_IF_ERROR(
          QueueCertificateSms<Codecs>(conn, c, CertificateSmsEvent::kIssued, c.issued_at));
      tx.Count(Counter::kCertificates);
      return tx.AppendAudit(audit);
    });
  }

  Result<Certificate> FindCertificate(const std::string& id) override {
    return ReadSnapshot([&](Connection& c) { return ReadCertificate(c, CertificateKey::kId, id); });
  }

  Result<Certificate> FindCertificateByNumber(const std::string& number) override {
    return ReadSnapshot(
        [&](Connection& c) { return ReadCertificate(c, CertificateKey::kNumber, number); });
  }

  Result<Certificate> ConsumeCertificate(const std::string& id, const Consumption& consumption,
                                         const AuditEntry& audit) override {
    // Once only: the writer runs one job at a time (under the writer lock, for PostgreSQL), and
    // the UPDATE changes a row only while the certificate is still issued, so of any number of
    // concurrent calls (from any number of servers) exactly one gets a row.
    return writer_->template RunAudited<Certificate>(
        [&](Txn& tx) -> Result<Certificate> {
          Connection& conn = tx.conn();
          HP_ASSIGN_OR_RETURN(const bool changed,
                              Codecs::ConsumeCertificate(conn, id, consumption));
          if (changed) return ApplyArrival(tx, id, consumption);
          HP_ASSIGN_OR_RETURN(const CertificateStatus status,
                              Codecs::ReadCertificateStatus(conn, id));
          if (status == CertificateStatus::kRevoked) {
            return FailedPrecondition("the certificate is revoked");
          }
          return AlreadyExists("the certificate was consumed before", id);
        },
        audit);
  }

  Result<Revocation> RevokeCertificate(const std::string& id, int64_t user_id,
                                       const std::string& reason, Timestamp at,
                                       const AuditEntry& audit) override {
    return writer_->template RunAudited<Revocation>(
        [&](Txn& tx) -> Result<Revocation> {
          Connection& conn = tx.conn();
          HP_ASSIGN_OR_RETURN(const bool changed,
                              Codecs::RevokeCertificate(conn, id, user_id, reason, at));
          if (!changed) {
            HP_RETURN_IF_ERROR(Codecs::ReadCertificateStatus(conn, id).status());
            return FailedPrecondition("the certificate is already revoked");
          }
          HP_ASSIGN_OR_RETURN(const int64_t seq, Codecs::InsertRevocation(conn, id, at));
          HP_ASSIGN_OR_RETURN(const Certificate c,
                              Codecs::ReadCertificateRow(conn, CertificateKey::kId, id));
          HP_ASSIGN_OR_RETURN(const int64_t buyer_id, Codecs::ReadCertificateBuyer(conn, id));
          HP_RETURN_IF_ERROR(CertificateChanged(tx, c.owner_id, buyer_id, id));
          HP_RETURN_IF_ERROR(
              QueueCertificateSms<Codecs>(conn, c, CertificateSmsEvent::kRevoked, at));
          return Revocation{seq, id, at};
        },
        audit);
  }

  Result<std::vector<Certificate>> ListMovements(const MovementListQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<std::vector<Certificate>> {
      HP_ASSIGN_OR_RETURN(auto page, Codecs::ReadMovementPage(c, q));
      for (Certificate& m : page) {
        HP_ASSIGN_OR_RETURN(const auto animals, Codecs::ReadCertificateAnimals(c, m.id));
        m.tags = SortedTags(animals);
      }
      return page;
    });
  }

  Result<std::vector<Revocation>> ListRevocations(int64_t after_sequence) override {
    return Read([&](Connection& c) { return Codecs::ReadRevocationsAfter(c, after_sequence); });
  }

  Result<PassageResult> RecordPassage(const PassageInput& in, const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(in.id);
    if (!key) return InvalidArgument("id", "the passage id is not a UUID");
    // The certificate is read inside the write job, so a passage stored after a revocation or a
    // consumption sees it.
    return writer_->template RunAudited<PassageResult>(
        [&](Txn& tx) -> Result<PassageResult> {
          Connection& conn = tx.conn();
          PassageResult out;
          HP_ASSIGN_OR_RETURN(std::optional<Passage> stored, Codecs::ReadPassage(conn, *key));
          if (stored) {
            if (!in.unrestricted && !InJurisdiction(in.scope, stored->authority)) {
              return Status(StatusCode::kPermissionDenied,
                            "a passage with this id exists in another jurisdiction", "id");
            }
            out.duplicate = true;
            out.passage = std::move(*stored);
            return out;
          }
          HP_ASSIGN_OR_RETURN(
              const Certificate c,
              Codecs::ReadCertificateRow(conn, CertificateKey::kId, in.certificate_id));
          Passage& p = out.passage;
          p.id = in.id;
          p.certificate_id = c.id;
          p.holding_id = in.holding_id;
          p.at = in.at;
          p.head_seen = in.head_seen;
          p.note = in.note;
          p.recorded_by = in.user_id;
          p.received_at = in.received_at;
          p.flag = PassageFlagAt(c, in.at);
          p.authority = in.authority;
          HP_RETURN_IF_ERROR(Codecs::InsertPassage(conn, *key, p));
          return out;
        },
        audit);
  }

  // --- outbreaks and zones (W14) ---

  Result<OutbreakResult> RecordOutbreak(const Outbreak& o, const std::string& scope,
                                        bool unrestricted, const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(o.id);
    if (!key) return InvalidArgument("id", "the report id is not a UUID");
    return writer_->template RunAudited<OutbreakResult>(
        [&](Txn& tx) -> Result<OutbreakResult> {
          OutbreakResult out;
          HP_ASSIGN_OR_RETURN(std::optional<Outbreak> stored,
                              Codecs::ReadOutbreak(tx.conn(), *key));
          if (stored) {
            if (!unrestricted && !InJurisdiction(scope, stored->authority)) {
              return Status(StatusCode::kPermissionDenied,
                            "a report with this id exists in another jurisdiction", "id");
            }
            out.duplicate = true;
            out.outbreak = std::move(*stored);
            return out;
          }
          HP_RETURN_IF_ERROR(Codecs::InsertOutbreak(tx.conn(), *key, o));
          out.outbreak = o;
          return out;
        },
        audit);
  }

  Result<Outbreak> FindOutbreak(const std::string& id) override {
    auto key = Codecs::RecordKey(id);
    if (!key) return NotFound(kNoSuchOutbreak);
    return Read([&](Connection& c) -> Result<Outbreak> {
      HP_ASSIGN_OR_RETURN(std::optional<Outbreak> o, Codecs::ReadOutbreak(c, *key));
      if (!o) return NotFound(kNoSuchOutbreak);
      return std::move(*o);
    });
  }

  Result<Outbreak> DecideOutbreak(const Outbreak& d, const AuditEntry& audit) override {
    auto key = Codecs::RecordKey(d.id);
    if (!key) return NotFound(kNoSuchOutbreak);
    return writer_->template RunAudited<Outbreak>(
        [&](Txn& tx) -> Result<Outbreak> {
          HP_ASSIGN_OR_RETURN(const bool changed, Codecs::DecideOutbreak(tx.conn(), *key, d));
          HP_ASSIGN_OR_RETURN(std::optional<Outbreak> o, Codecs::ReadOutbreak(tx.conn(), *key));
          if (!o) return NotFound(kNoSuchOutbreak);
          if (!changed) {
            return FailedPrecondition(
                std::string("the report was ") +
                (o->status == OutbreakStatus::kConfirmed ? "confirmed" : "ruled out") + " before");
          }
          return std::move(*o);
        },
        audit);
  }

  Result<std::vector<Outbreak>> ListOutbreaks(const OutbreakListQuery& q) override {
    return Read([&](Connection& c) { return Codecs::ReadOutbreaks(c, q); });
  }

  Result<Zone> CreateZone(const Zone& zone, const AuditEntry& audit) override {
    return writer_->template RunAudited<Zone>(
        [&](Txn& tx) -> Result<Zone> {
          Zone out = zone;
          HP_ASSIGN_OR_RETURN(out.id, Codecs::InsertZone(tx.conn(), zone));
          HP_RETURN_IF_ERROR(Codecs::BumpZoneRevision(tx.conn()));
          return out;
        },
        audit);
  }

  Result<Zone> FindZone(int64_t id) override {
    return Read([&](Connection& c) { return Codecs::ReadZone(c, id); });
  }

  Result<std::vector<Zone>> ListZonesInForce(Date day) override {
    return Read([&](Connection& c) { return Codecs::ReadZonesInForce(c, day); });
  }

  Result<ZonesInForce> LoadZonesInForce(Date day) override {
    return ReadSnapshot([&](Connection& c) -> Result<ZonesInForce> {
      ZonesInForce out;
      out.day = day;
      HP_ASSIGN_OR_RETURN(out.revision, Codecs::ReadZoneRevision(c));
      HP_ASSIGN_OR_RETURN(out.zones, Codecs::ReadZonesInForce(c, day));
      return out;
    });
  }

  Result<Zone> LiftZone(int64_t id, int64_t user_id, Timestamp at, const std::string& reason,
                        const AuditEntry& audit) override {
    return writer_->template RunAudited<Zone>(
        [&](Txn& tx) -> Result<Zone> {
          HP_ASSIGN_OR_RETURN(const bool changed,
                              Codecs::LiftZone(tx.conn(), id, user_id, at, reason));
          HP_ASSIGN_OR_RETURN(Zone z, Codecs::ReadZone(tx.conn(), id));
          if (!changed) return FailedPrecondition("the zone was lifted before");
          HP_RETURN_IF_ERROR(Codecs::BumpZoneRevision(tx.conn()));
          return z;
        },
        audit);
  }

  Result<TraceResult> Trace(const TraceQuery& q) override {
    return Read([&](Connection& c) -> Result<TraceResult> {
      HP_ASSIGN_OR_RETURN(const std::vector<TraceMovement> walk, Codecs::ReadTraceWalk(c, q));
      TraceFold fold = FoldTraceWalk(walk);
      std::vector<int64_t> ids;
      for (const auto& [id, h] : fold.holdings) ids.push_back(id);
      HP_ASSIGN_OR_RETURN(std::vector<Holding> holdings, Codecs::ReadHoldingsByIds(c, ids));
      TraceResult out;
      for (Holding& h : holdings) {
        TraceHolding& t = fold.holdings.at(h.id);
        t.holding = std::move(h);
        out.holdings.push_back(std::move(t));
      }
      std::sort(out.holdings.begin(), out.holdings.end(),
                [](const TraceHolding& a, const TraceHolding& b) {
                  return std::pair(a.hop, a.holding.id) < std::pair(b.hop, b.holding.id);
                });
      out.movements = std::move(fold.movements);
      if (q.owners) {  // in one statement, as the holdings: not a read per owner
        std::vector<int64_t> owner_ids;
        for (const TraceHolding& t : out.holdings) {
          if (t.holding.owner_id) owner_ids.push_back(*t.holding.owner_id);
        }
        std::sort(owner_ids.begin(), owner_ids.end());
        owner_ids.erase(std::unique(owner_ids.begin(), owner_ids.end()), owner_ids.end());
        HP_ASSIGN_OR_RETURN(out.owners, Codecs::ReadOwnersByIds(c, owner_ids));
      }
      return out;
    });
  }

  Result<RingList> ListRing(const RingQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<RingList> {
      RingListBuilder ring(q);
      std::vector<Holding> candidates;
      if (q.zone.by_radius()) {
        // The box round the outer circle (an index range, as the nearest-first list reads); the
        // builder keeps those within each radius.
        HoldingListQuery every;
        every.all_authorities = true;
        HP_ASSIGN_OR_RETURN(
            candidates,
            Codecs::ReadHoldingsInBox(
                c, every, BoxAround(q.zone.lat, q.zone.lon, q.zone.surveillance_km * 1000)));
      } else {
        HP_ASSIGN_OR_RETURN(candidates, Codecs::ReadHoldingsOfAuthorities(c, q.zone.authorities));
      }
      for (Holding& h : candidates) ring.AddHolding(std::move(h));
      const std::vector<int64_t> ids = ring.HoldingIds();
      if (!ids.empty()) HP_RETURN_IF_ERROR(Codecs::ReadRing(c, ids, q.today, ring));
      return ring.Finish();
    });
  }

  Result<std::vector<Passage>> ListPassages(const std::string& certificate_id) override {
    return Read([&](Connection& c) { return Codecs::ReadPassages(c, certificate_id); });
  }

  Result<CertificateUseResult> UseCertificate(const std::string& certificate_id,
                                              const CertificateUseInput& in) override {
    auto key = Codecs::RecordKey(in.use.id);
    if (!key) return InvalidArgument("id", "the use id is not a UUID");
    // As ConsumeCertificate: the writer runs one job at a time and the UPDATE changes the row only
    // while the certificate is issued, so of concurrent scans exactly one consumes it; the others
    // find it consumed and are stored as double uses, in the same job as that finding.
    std::optional<CertificateUseResult> out;
    Status s = writer_->Run([&](Txn& tx) -> Status {
      Connection& conn = tx.conn();
      CertificateUseResult r;
      std::optional<Certificate> arrived;  // as it is after its arrival, when this use consumed it
      HP_ASSIGN_OR_RETURN(std::optional<CertificateUse> stored,
                          Codecs::ReadCertificateUse(conn, *key));
      if (stored) {
        if (stored->certificate_id != certificate_id) {
          return Status(StatusCode::kPermissionDenied,
                        "a use with this id was recorded for another certificate", "id");
        }
        r.duplicate = true;
        r.use = std::move(*stored);
      } else {
        r.use = in.use;
        r.use.certificate_id = certificate_id;
        HP_ASSIGN_OR_RETURN(const bool consumed,
                            Codecs::ConsumeCertificate(conn, certificate_id, in.consumption));
        if (consumed) {
          r.use.double_use = false;
          HP_ASSIGN_OR_RETURN(arrived, ApplyArrival(tx, certificate_id, in.consumption));
        } else {
          HP_ASSIGN_OR_RETURN(const CertificateStatus status,
                              Codecs::ReadCertificateStatus(conn, certificate_id));
          if (status == CertificateStatus::kRevoked) {
            return FailedPrecondition("the certificate is revoked");
          }
          r.use.double_use = true;
        }
        HP_RETURN_IF_ERROR(Codecs::InsertCertificateUse(conn, *key, r.use));
        HP_RETURN_IF_ERROR(tx.AppendAudit(consumed ? in.consumed : in.double_used));
      }
      if (arrived) {
        r.certificate = std::move(*arrived);
      } else {
        HP_ASSIGN_OR_RETURN(r.certificate,
                            ReadCertificate(conn, CertificateKey::kId, certificate_id));
      }
      if (r.use.double_use) {
        HP_ASSIGN_OR_RETURN(const auto uses, Codecs::ReadCertificateUses(conn, certificate_id));
        r.first = FirstUseOf(r.certificate, uses);
      } else {
        r.first = r.use;  // this use (or the one stored before under its id) consumed it
      }
      out = std::move(r);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return std::move(*out);
  }

  Result<std::vector<CertificateUse>> ListCertificateUses(
      const std::string& certificate_id) override {
    return ReadSnapshot([&](Connection& c) -> Result<std::vector<CertificateUse>> {
      HP_ASSIGN_OR_RETURN(auto uses, Codecs::ReadCertificateUses(c, certificate_id));
      if (!uses.empty() && !uses.front().double_use) return uses;
      // Consumed through ConsumeCertificate, which keeps no use row: the first use is the
      // certificate's consumption.
      HP_ASSIGN_OR_RETURN(const Certificate cert,
                          ReadCertificate(c, CertificateKey::kId, certificate_id));
      if (!cert.consumed_at) return uses;
      uses.insert(uses.begin(), FirstUseOf(cert, {}));
      return uses;
    });
  }

  Result<std::vector<Certificate>> ListDoubleUsedCertificates(
      const DoubleUseListQuery& q) override {
    return Read([&](Connection& c) { return Codecs::ReadDoubleUsePage(c, q); });
  }

  Result<std::vector<Certificate>> ListCertificates(const CertificateListQuery& q) override {
    return Read([&](Connection& c) { return Codecs::ReadCertificateList(c, q); });
  }

  // --- field copy (W10) ---

  Result<int64_t> ReadFieldCopy(const FieldCopyQuery& q, FieldCopySink& sink) override {
    return ReadSnapshot([&](Connection& c) { return CopyForTheField<Codecs>(c, q, sink); });
  }

  // --- audit ---

  Status AppendAudit(const AuditEntry& entry) override {
    return writer_->Run([&](Txn& tx) { return tx.AppendAudit(entry); }, Durability::kWritten);
  }

  void AppendAuditThen(const AuditEntry& entry, std::function<void(Status)> then) override {
    writer_->RunThen([entry](Txn& tx) { return tx.AppendAudit(entry); }, Durability::kWritten,
                     std::move(then));
  }

  Result<std::vector<AuditRow>> ListAudit(const AuditQuery& q) override {
    const int limit = q.limit <= 0 ? 100 : std::min(q.limit, 1000);
    return Read([&](Connection& c) { return Codecs::ReadAuditPage(c, q, limit); });
  }

  Result<AuditVerification> VerifyAudit() override {
    return ReadSnapshot([&](Connection& c) -> Result<AuditVerification> {
      AuditChainWalk walk;
      HP_RETURN_IF_ERROR(Codecs::ReadAuditChain(c, walk));
      return walk.result();
    });
  }

  Result<StoreCounts> Counts() override {
    return Read([&](Connection& c) { return Codecs::ReadCounts(c); });
  }

  // --- reports ---

  Result<CoverageReport> ReportCoverage(const CoverageQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<CoverageReport> {
      CoverageTally tally(q);
      HP_RETURN_IF_ERROR(Codecs::ReadCoverage(c, q, tally));
      return tally.Finish();
    });
  }

  Result<std::vector<OwnerReminder>> SelectReminders(const ReminderQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<std::vector<OwnerReminder>> {
      ReminderBuilder reminders(q);
      HP_RETURN_IF_ERROR(Codecs::ReadReminders(c, q, reminders));
      return reminders.Finish();
    });
  }

  Result<DueList> ListDue(const DueQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<DueList> {
      DueListBuilder due(q);
      HP_RETURN_IF_ERROR(Codecs::ReadDue(c, q, due));
      return due.Finish();
    });
  }

 private:
  // Runs `read` on a leased reader connection.
  template <typename F>
  auto Read(F read) -> decltype(read(std::declval<Connection&>())) {
    auto lease = readers_->Acquire();
    HP_RETURN_IF_ERROR(Backend::Ready(*lease));
    return read(*lease);
  }

  // Runs `read` inside one snapshot on a leased reader connection.
  template <typename F>
  auto ReadSnapshot(F read) -> decltype(read(std::declval<Connection&>())) {
    auto lease = readers_->Acquire();
    HP_RETURN_IF_ERROR(Backend::Ready(*lease));
    Connection& conn = *lease;
    struct Snapshot {
      Connection& conn;
      ~Snapshot() { Backend::EndSnapshot(conn); }
    } snapshot{conn};
    HP_RETURN_IF_ERROR(Backend::BeginSnapshot(conn));
    return read(conn);
  }

  // The journey of t.animal (issue 12 item 6), into `t`: where it was kept, the movements and
  // passages of its certificates (t.certificates, read before), its changes of owner with the
  // owners they name, and the doses given under earlier owners. Bounded: one read each, plus one
  // primary-key read per owner named and one W2 read per earlier owner (EarlierDosesOf).
  static Status LoadJourney(Connection& c, AnimalTimelineData& t) {
    const int64_t id = t.animal.id;
    HP_ASSIGN_OR_RETURN(t.stays, Codecs::ReadHoldingStays(c, id));
    if (!t.certificates.empty()) {
      HP_ASSIGN_OR_RETURN(const auto movements, Codecs::ReadMovementsOfAnimal(c, id));
      for (const Certificate& m : movements) {
        for (Certificate& cert : t.certificates) {
          if (cert.id != m.id) continue;
          cert.origin_holding_id = m.origin_holding_id;
          cert.destination_holding_id = m.destination_holding_id;
          cert.arrival = m.arrival;
        }
      }
      HP_ASSIGN_OR_RETURN(t.passages, Codecs::ReadPassagesOfAnimal(c, id));
    }
    HP_ASSIGN_OR_RETURN(t.changes, Codecs::ReadChangesOfAnimal(c, id));
    if (t.changes.empty()) return Status::Ok();
    std::vector<int64_t> owners;
    std::vector<OwnershipChange> into;  // what brought it (or its heads) to its present owner
    for (const OwnershipChange& change : t.changes) {
      owners.push_back(change.from_owner_id);
      owners.push_back(change.to_owner_id);
      if (change.to_animal_id == id) into.push_back(change);
    }
    for (int64_t owner : SortedUnique(owners)) {
      HP_ASSIGN_OR_RETURN(Owner o, Codecs::ReadOwnerById(c, owner));
      t.owners.push_back(std::move(o));
    }
    if (!into.empty()) {
      HP_ASSIGN_OR_RETURN(into, (WithEarlierFlockChanges<Codecs>(c, std::move(into))));
      HP_ASSIGN_OR_RETURN(t.earlier_vaccinations,
                          (EarlierDosesOf<Codecs>(c, t.owner.id, into, Date::FromDays(-25567))));
    }
    return Status::Ok();
  }

  static Result<Animal> AnimalWithTags(Connection& conn, int64_t id) {
    HP_ASSIGN_OR_RETURN(Animal a, Codecs::ReadAnimalById(conn, id));
    HP_ASSIGN_OR_RETURN(a.former_tags, Codecs::ReadFormerTags(conn, id));
    return a;
  }

  static std::vector<int64_t> SortedUnique(std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  // The buyer of a sale: the owner of `phone`, or one created now (in the caller's job) with
  // `name` and `authority`; `created` says which.
  static Result<Owner> BuyerOf(Txn& tx, const std::string& phone, const std::string& name,
                               const std::string& authority, Timestamp at, bool& created) {
    auto found = Codecs::ReadOwnerByPhone(tx.conn(), phone);
    if (found.status().code() != StatusCode::kNotFound) return found;
    NewOwner o{phone, name, "", authority, at};
    HP_ASSIGN_OR_RETURN(const int64_t id, Codecs::InsertOwner(tx.conn(), o));
    HP_RETURN_IF_ERROR(OwnerChanged<Codecs>(tx, id));
    tx.Count(Counter::kOwners);
    created = true;
    return Owner{id, o.phone, o.name, o.village, o.authority, o.created_at};
  }

  static std::vector<std::string> SortedTags(const std::vector<CertificateAnimal>& animals) {
    std::vector<std::string> tags;
    for (const CertificateAnimal& a : animals) {
      if (a.tag) tags.push_back(*a.tag);
    }
    std::sort(tags.begin(), tags.end());
    return tags;
  }

  // A certificate with its animals (in their stored order), its tags (sorted) and its
  // vaccinations (in their stored order). Inside one transaction, so that the parts agree. The
  // animals as read, into `animals_out` when given.
  static Result<Certificate> ReadCertificate(
      Connection& conn, CertificateKey by, const std::string& key,
      std::vector<CertificateAnimal>* animals_out = nullptr) {
    HP_ASSIGN_OR_RETURN(Certificate c, Codecs::ReadCertificateRow(conn, by, key));
    HP_ASSIGN_OR_RETURN(auto animals, Codecs::ReadCertificateAnimals(conn, c.id));
    for (const CertificateAnimal& a : animals) c.animal_ids.push_back(a.id);
    c.tags = SortedTags(animals);
    HP_ASSIGN_OR_RETURN(c.vaccinations, Codecs::ReadCertificateVaccinations(conn, c.id));
    HP_RETURN_IF_ERROR(Codecs::ReadMovement(conn, c));
    HP_ASSIGN_OR_RETURN(c.buyer_id, Codecs::ReadCertificateBuyer(conn, c.id));
    if (animals_out) *animals_out = std::move(animals);
    return c;
  }

  // The use that consumed `c`: its stored first use, or, for a certificate consumed through
  // ConsumeCertificate (no use row, no id), one made from its consumption.
  static CertificateUse FirstUseOf(const Certificate& c, const std::vector<CertificateUse>& uses) {
    for (const CertificateUse& u : uses) {
      if (!u.double_use) return u;
    }
    CertificateUse u;
    u.certificate_id = c.id;
    if (c.consumed_at) u.scanned_at = u.received_at = *c.consumed_at;
    u.user_id = c.consumed_by;
    u.user_name = c.consumed_by_name;
    u.place = c.consumed_place;
    if (c.arrival) {
      u.holding_id = c.arrival->holding_id;
      u.head_counted = c.arrival->head_counted;
    }
    u.authority = c.destination;
    return u;
  }

  // A certificate `id` of `owner_id`'s changed (issued, used, revoked): the owner's change, and the
  // sale's buyer's answer, when it names one (buyer_id not 0).
  static Status CertificateChanged(Txn& tx, int64_t owner_id, int64_t buyer_id,
                                   const std::string& id) {
    HP_RETURN_IF_ERROR(OwnerRowChanged<Codecs>(tx, FieldChangeKind::kCertificate, owner_id, id));
    if (buyer_id != 0) HP_RETURN_IF_ERROR(OwnerShowingRowChanged<Codecs>(tx, buyer_id));
    return Status::Ok();
  }

  // W13: applies the arrival of certificate `id`, consumed just now inside the same write
  // transaction, so that the consumption and all its effects commit together or not at all:
  //  - the movement records the arrival (holding, head counted, tags seen, missing and extra);
  //  - with an arrival holding, the animals that arrived (the tagged ones not missing, and the
  //    flock's heads counted beyond them, or its certified heads when not counted) are kept there:
  //    a tagged animal moves; a flock moves only when all its heads came (part of a flock that
  //    left is not the flock);
  //  - at a slaughterhouse they are slaughtered, by the tag-life rule (ApplyAnimalEvent), each an
  //    event with the id the service gave; an animal whose life already ended is left as it is;
  //  - a certificate for sale that names its buyer (W8) passes the animals that arrived to the
  //    buyer first (TransferOwnership, store/ownership_core.h), dated `use.on`: the tagged ones not
  //    missing, and the flock's heads that arrived, which join the buyer's flock of the species.
  //    The arrival holding then applies to the tagged animals only (the buyer's flock may have
  //    heads elsewhere). A refusal of the sale (an animal no longer the seller's, ended, or the
  //    flock short of heads) refuses the whole arrival: nothing is stored.
  // Returns the certificate as it is after the arrival (ReadCertificate), read once.
  static Result<Certificate> ApplyArrival(Txn& tx, const std::string& id, const Consumption& use) {
    Connection& conn = tx.conn();
    Arrival a = use.arrival;
    a.at = use.at;
    HP_RETURN_IF_ERROR(Codecs::UpdateArrival(conn, id, a));
    // Nothing below changes what ReadCertificate reads: it is the certificate after the arrival.
    std::vector<CertificateAnimal> animals;
    HP_ASSIGN_OR_RETURN(Certificate c, ReadCertificate(conn, CertificateKey::kId, id, &animals));
    const int64_t buyer_id = c.buyer_id;
    // Every way a certificate is used (ConsumeCertificate, UseCertificate) arrives here.
    HP_RETURN_IF_ERROR(CertificateChanged(tx, c.owner_id, buyer_id, id));
    HP_RETURN_IF_ERROR(QueueCertificateSms<Codecs>(conn, c, CertificateSmsEvent::kArrived, use.at));
    const auto missing = [&](const CertificateAnimal& u) {
      return u.tag && std::binary_search(a.missing_tags.begin(), a.missing_tags.end(), *u.tag);
    };
    bool flock_sold = false;
    if (buyer_id != 0) {
      OwnershipTransfer t;
      t.seller_id = c.owner_id;
      t.buyer_id = buyer_id;
      t.on = use.on;
      t.certificate_id = c.id;
      t.certificate_number = c.number;
      t.recorded_by = use.user_id;
      t.at = use.at;
      int64_t tagged = 0, tagged_arrived = 0;
      for (const CertificateAnimal& u : animals) {
        if (!u.tag) continue;
        ++tagged;
        if (missing(u)) continue;
        ++tagged_arrived;
        t.animal_ids.push_back(u.id);
        t.fields.push_back("tags");
      }
      for (const CertificateAnimal& u : animals) {
        if (u.tag) continue;
        const int64_t certified = c.head_count - tagged;
        const int64_t arrived =
            a.head_counted ? std::clamp<int64_t>(*a.head_counted - tagged_arrived, 0, certified)
                           : certified;
        if (arrived > 0) {
          t.flock_id = u.id;
          t.head = static_cast<int32_t>(arrived);
          flock_sold = true;
        }
      }
      HP_RETURN_IF_ERROR(TransferOwnership<Codecs>(tx, t).status());
    }
    if (!a.holding_id) return c;
    HP_ASSIGN_OR_RETURN(const Holding holding, Codecs::ReadHoldingById(conn, *a.holding_id));
    const bool slaughter = holding.kind == HoldingKind::kSlaughterhouse;
    int64_t tagged = 0, tagged_arrived = 0;
    for (const CertificateAnimal& u : animals) {
      if (!u.tag) continue;
      ++tagged;
      if (!std::binary_search(a.missing_tags.begin(), a.missing_tags.end(), *u.tag)) {
        ++tagged_arrived;
      }
    }
    const int64_t flock_certified = c.head_count - tagged;
    const int64_t flock_arrived =
        a.head_counted ? std::clamp<int64_t>(*a.head_counted - tagged_arrived, 0, flock_certified)
                       : flock_certified;
    for (size_t i = 0; i < animals.size(); ++i) {
      const CertificateAnimal& u = animals[i];
      if (u.tag && std::binary_search(a.missing_tags.begin(), a.missing_tags.end(), *u.tag)) {
        continue;
      }
      if (!u.tag && flock_sold) continue;  // its heads that came are the buyer's flock's now
      HP_ASSIGN_OR_RETURN(const Animal unit, Codecs::ReadAnimalById(conn, u.id));
      const int32_t head =
          unit.is_flock() ? static_cast<int32_t>(std::min<int64_t>(flock_arrived, unit.head_count))
                          : 1;
      if (unit.is_flock() && head <= 0) continue;
      if (!unit.is_flock() || head == unit.head_count) {
        HP_RETURN_IF_ERROR(MoveAnimal<Codecs>(conn, unit.id, holding.id, use.at, c.id));
        HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, unit.owner_id, unit.id));
      }
      if (!slaughter || !unit.alive()) continue;
      auto change = ApplyAnimalEvent(unit, AnimalEventKind::kSlaughtered, head);
      if (!change.ok()) continue;  // nothing the arrival may undo: the unit stays as it is
      if (i >= use.event_ids.size()) return Internal("no event id for an animal that arrived");
      auto key = Codecs::RecordKey(use.event_ids[i]);
      if (!key) return Internal("an arrival's event id is not a UUID");
      AnimalEvent e;
      e.id = use.event_ids[i];
      e.animal_id = unit.id;
      e.kind = AnimalEventKind::kSlaughtered;
      e.on = use.on;
      e.reason = "arrived at " + holding.name + " with certificate " + c.number;
      e.head = head;
      e.head_after = change->head_after;
      e.recorded_by = use.user_id;
      e.recorded_at = use.at;
      e.authority = unit.authority;
      if (change->ends) {
        HP_ASSIGN_OR_RETURN(
            const bool ended,
            Codecs::EndAnimal(conn, unit.id, AnimalEventKind::kSlaughtered, use.on));
        if (!ended) continue;
      } else {
        HP_RETURN_IF_ERROR(Codecs::SetHeadCount(conn, unit.id, change->head_after));
      }
      HP_RETURN_IF_ERROR(Codecs::InsertAnimalEvent(conn, *key, e));
      HP_RETURN_IF_ERROR(AnimalChanged<Codecs>(tx, unit.owner_id, unit.id));
    }
    return c;
  }

  // `owner` as just read on `conn` (by id or by phone), with its animals and its records
  // administered on or after `since`. The owner's failure (kNotFound) when it was not read.
  static Result<OwnerHistory> OwnerHistoryOf(Connection& conn, Result<Owner> owner, Date since) {
    OwnerHistory h;
    HP_ASSIGN_OR_RETURN(h.owner, std::move(owner));
    // A backend may send the reads below by the owner's id at once (PostgreSQL: one round trip).
    if constexpr (requires(Connection & c, int64_t id, Date d) {
                    Backend::ReadAheadOwnerHistory(c, id, d);
                  }) {
      Backend::ReadAheadOwnerHistory(conn, h.owner.id, since);
    }
    HP_ASSIGN_OR_RETURN(h.animals, Codecs::ReadAnimalsOfOwner(conn, h.owner.id));
    HP_ASSIGN_OR_RETURN(h.vaccinations, Codecs::ReadVaccinationsSince(conn, h.owner.id, since));
    // The holdings they name: a handful, each one primary-key lookup.
    std::vector<int64_t> ids;
    for (const Animal& a : h.animals) {
      if (a.holding_id) ids.push_back(*a.holding_id);
    }
    for (const Vaccination& v : h.vaccinations) {
      if (v.holding_id) ids.push_back(*v.holding_id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (int64_t id : ids) {
      HP_ASSIGN_OR_RETURN(Holding holding, Codecs::ReadHoldingById(conn, id));
      h.holdings.push_back(std::move(holding));
    }
    // W8: what came from earlier owners, and what left.
    HP_ASSIGN_OR_RETURN(auto into_units, Codecs::ReadChangesIntoOwner(conn, h.owner.id));
    HP_ASSIGN_OR_RETURN(const auto into,
                        (WithEarlierFlockChanges<Codecs>(conn, std::move(into_units))));
    if (!into.empty()) {
      HP_ASSIGN_OR_RETURN(h.earlier_vaccinations,
                          (EarlierDosesOf<Codecs>(conn, h.owner.id, into, since)));
    }
    HP_ASSIGN_OR_RETURN(h.sold, Codecs::ReadChangesFromOwner(conn, h.owner.id));
    return h;
  }

  // REQUIRES: `writer` and `readers` on one migrated database.
  StoreCore(std::unique_ptr<Writer<Session>> writer, std::unique_ptr<Readers> readers)
      : readers_(std::move(readers)), writer_(std::move(writer)) {}

  // Destroyed in reverse order: the writer drains and stops before the readers close.
  std::unique_ptr<Readers> readers_;
  std::unique_ptr<Writer<Session>> writer_;
};

}  // namespace herdpass::store
