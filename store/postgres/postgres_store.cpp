// The PostgreSQL Store: write methods are jobs for the Writer (writer.h), reads lease a connection
// from a small pool. See postgres_store.h, schema.md and store/store.h for the contracts; the
// behaviour mirrors store/sqlite/sqlite_store.cpp, which the conformance suite holds both to.
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/coverage_tally.h"
#include "store/postgres/connection.h"
#include "store/postgres/migrations.h"
#include "store/postgres/queries.h"
#include "store/postgres/records.h"
#include "store/postgres/writer.h"

namespace herdpass {
namespace {

using postgres::Connection;
using postgres::Counter;
using postgres::Rows;
using postgres::WriteTxn;

// Reader connections, leased one per call and kept open. A connection the server dropped is
// opened again when next leased. Thread-safe.
class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.Return(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  void Add(std::unique_ptr<Connection> conn) { idle_.push_back(std::move(conn)); }

  // A connection, reconnected first when it was lost; kUnavailable when that fails.
  Result<std::unique_ptr<Lease>> Acquire() {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !idle_.empty(); });
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
    auto lease = std::make_unique<Lease>(*this, std::move(conn));
    if ((*lease)->Broken()) HP_RETURN_IF_ERROR((*lease)->Reset());
    return lease;
  }

 private:
  void Return(std::unique_ptr<Connection> conn) {
    // A reader left inside a transaction (a failed read) is rolled back before the next use.
    if (!conn->Broken() && conn->InTransaction()) (void)conn->Exec(postgres::kRollback);
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// A read-only REPEATABLE READ transaction on a leased connection: every statement inside sees one
// snapshot. Ended (committed) on destruction.
class ReadTxn {
 public:
  explicit ReadTxn(Connection& conn) : conn_(conn) {
    began_ = conn_.Exec(postgres::kBeginSnapshot);
  }
  ~ReadTxn() {
    if (!conn_.Broken() && conn_.InTransaction()) (void)conn_.Exec(postgres::kCommit);
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  const Status& began() const { return began_; }

 private:
  Connection& conn_;
  Status began_;
};

std::string IdDetail(int64_t id) { return std::to_string(id); }

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<postgres::Writer> writer, std::unique_ptr<ReaderPool> readers)
      : readers_(std::move(readers)), writer_(std::move(writer)) {}

  PostgresWriterStats stats() const {
    auto s = writer_->stats();
    return {s.jobs, s.commits, s.failed_transactions, s.queued};
  }

  // --- owners and animals ---

  Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) override {
    Owner out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto existing = postgres::ReadOwnerByPhone(tx.conn(), owner.phone);
      if (existing.ok()) {
        return AlreadyExists("an owner with this phone number exists", IdDetail(existing->id));
      }
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      auto id = postgres::InsertOwner(tx.conn(), owner);
      if (!id.ok()) return id.status();
      tx.Count(Counter::kOwners);
      out = Owner{*id, owner.phone, owner.name, owner.village, owner.authority, owner.created_at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<Owner> FindOwnerById(int64_t id) override {
    return Read([&](Connection& c) { return postgres::ReadOwnerById(c, id); });
  }

  Result<Owner> FindOwnerByPhone(const std::string& e164) override {
    return Read([&](Connection& c) { return postgres::ReadOwnerByPhone(c, e164); });
  }

  Result<Animal> CreateAnimal(const NewAnimal& animal, const AuditEntry& audit) override {
    Animal out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto owner = postgres::ReadOwnerById(tx.conn(), animal.owner_id);
      if (!owner.ok()) return owner.status();
      if (animal.tag) {
        auto existing = postgres::ReadAnimalByTag(tx.conn(), *animal.tag);
        if (existing.ok()) {
          return AlreadyExists("an animal with this tag exists", IdDetail(existing->id));
        }
        if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      }
      auto id = postgres::InsertAnimal(tx.conn(), animal);
      if (!id.ok()) return id.status();
      tx.Count(Counter::kAnimals);
      out = Animal{
          *id,        animal.owner_id,   animal.tag,       animal.species,   animal.head_count,
          animal.sex, animal.birth_date, animal.authority, animal.created_at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<Animal> FindAnimalByTag(const std::string& tag) override {
    return Read([&](Connection& c) { return postgres::ReadAnimalByTag(c, tag); });
  }

  Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) override {
    return ReadSnapshot([&](Connection& c) -> Result<OwnerHistory> {
      OwnerHistory h;
      auto owner = postgres::ReadOwnerById(c, owner_id);
      if (!owner.ok()) return owner.status();
      h.owner = std::move(owner).value();
      auto animals = postgres::ReadAnimalsOfOwner(c, owner_id);
      if (!animals.ok()) return animals.status();
      h.animals = std::move(animals).value();
      auto vaccinations = postgres::ReadVaccinationsSince(c, owner_id, since);
      if (!vaccinations.ok()) return vaccinations.status();
      h.vaccinations = std::move(vaccinations).value();
      return h;
    });
  }

  // --- vaccinations ---

  Result<std::vector<RecordResult>> RecordVaccinations(std::span<const VaccinationInput> records,
                                                       const BatchContext& ctx,
                                                       const AuditEntry& audit) override {
    std::vector<RecordResult> results;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      results.clear();
      results.reserve(records.size());
      for (const VaccinationInput& in : records) {
        RecordResult r;
        r.id = in.id;
        HP_RETURN_IF_ERROR(RecordOne(tx, in, ctx, r));
        results.push_back(std::move(r));
      }
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return results;
  }

  Result<Vaccination> FindVaccination(const std::string& id) override {
    auto uuid = NormalizeUuid(id);
    if (!uuid.ok()) return NotFound("no such vaccination record");
    return Read([&](Connection& c) { return postgres::ReadVaccination(c, *uuid); });
  }

  Status VoidVaccination(const std::string& id, const std::string& reason, Timestamp at,
                         const AuditEntry& audit) override {
    auto uuid = NormalizeUuid(id);
    if (!uuid.ok()) return NotFound("no such vaccination record");
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto v = postgres::ReadVaccination(tx.conn(), *uuid);
      if (!v.ok()) return v.status();
      if (v->voided) return FailedPrecondition("the vaccination record is already voided");
      auto r = tx.conn().Run(postgres::kVoidVaccination,
                             {v->owner_id, v->administered_on, *uuid, reason, at});
      if (!r.ok()) return r.status();
      return tx.AppendAudit(audit);
    });
  }

  // --- users and tokens ---

  Result<User> CreateUser(const NewUser& user, const AuditEntry& audit) override {
    User out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto existing = postgres::ReadUserByName(tx.conn(), user.username);
      if (existing.ok()) return AlreadyExists("the username is taken", IdDetail(existing->id));
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      auto rows = tx.conn().Run(postgres::kInsertUser,
                                {user.username, user.password_hash, RoleName(user.role),
                                 user.authority, user.created_at});
      if (!rows.ok()) return rows.status();
      tx.Count(Counter::kUsers);
      out = User{rows->Int(0, 0), user.username, user.password_hash, user.role,
                 user.authority,  false,         user.created_at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<User> FindUserByName(const std::string& username) override {
    return Read([&](Connection& c) { return postgres::ReadUserByName(c, username); });
  }

  Result<User> FindUserById(int64_t id) override {
    return Read([&](Connection& c) { return postgres::ReadUserById(c, id); });
  }

  Result<std::vector<User>> ListUsers() override {
    return Read([&](Connection& c) { return postgres::ReadUsers(c); });
  }

  Status SetUserDisabled(const std::string& username, bool disabled,
                         const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(postgres::kUpdateUserDisabled, {username, disabled});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) return NotFound("no such user");
      auto ended = tx.conn().Run(postgres::kDeleteUserTokens, {username});
      if (!ended.ok()) return ended.status();
      return tx.AppendAudit(audit);
    });
  }

  Status SetUserPassword(const std::string& username, const std::string& password_hash,
                         const AuditEntry& audit) override {
    return UpdateUser(postgres::kUpdateUserPassword, username, password_hash, audit);
  }

  Status SaveToken(const TokenRecord& token, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      // Under the writer lock: a disable committed by any process is seen here.
      auto user = postgres::ReadUserById(tx.conn(), token.user_id);
      if (!user.ok()) return user.status();
      if (user->disabled) return FailedPrecondition("the user is disabled");
      auto r = tx.conn().Run(postgres::kInsertToken,
                             {token.token_hash, token.user_id, token.created_at, token.expires_at});
      if (r.status().code() == StatusCode::kAlreadyExists) return AlreadyExists("the token exists");
      if (!r.ok()) return r.status();
      return tx.AppendAudit(audit);
    });
  }

  Result<TokenRecord> FindToken(const std::string& token_hash) override {
    return Read([&](Connection& c) -> Result<TokenRecord> {
      auto rows = c.Run(postgres::kSelectToken, {token_hash});
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return NotFound("no such token");
      return TokenRecord{rows->Text(0, 0), rows->Int(0, 1), rows->Time(0, 2), rows->Time(0, 3)};
    });
  }

  Status DeleteToken(const std::string& token_hash, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(postgres::kDeleteToken, {token_hash});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) return NotFound("no such token");
      return tx.AppendAudit(audit);
    });
  }

  // --- authorities ---

  Status SaveAuthority(const Authority& authority, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(postgres::kUpsertAuthority,
                             {authority.code, authority.name, authority.parent});
      if (!r.ok()) return r.status();
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<Authority>> ListAuthorities() override {
    return Read([&](Connection& c) -> Result<std::vector<Authority>> {
      auto rows = c.Run(postgres::kSelectAuthorities);
      if (!rows.ok()) return rows.status();
      std::vector<Authority> out;
      out.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) {
        out.push_back(Authority{rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2)});
      }
      return out;
    });
  }

  // --- signing keys and signed documents ---

  Status SaveSigningKey(const SigningKey& key, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      Status s = postgres::InsertSigningKey(tx.conn(), key);
      if (s.code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("a signing key with this kid exists", key.kid);
      }
      HP_RETURN_IF_ERROR(s);
      return tx.AppendAudit(audit);
    });
  }

  Status RetireSigningKey(const std::string& kid, Timestamp at, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(postgres::kRetireSigningKey, {kid, at});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) {
        // Either no such key, or one retired before: tell which.
        auto known = tx.conn().Run(postgres::kSelectSigningKeyRetiredAt, {kid});
        if (!known.ok()) return known.status();
        if (known->empty()) return NotFound("no such signing key");
        return FailedPrecondition("the signing key is already retired");
      }
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    return Read([&](Connection& c) { return postgres::ReadSigningKeys(c); });
  }

  Status ReplaceKeys(const std::string& source, const std::vector<SigningKey>& keys,
                     const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      // A retirement made here outlives the replacement: a key this node stopped trusting is not
      // trusted again because its country's next list still carries it.
      std::map<std::string, Timestamp> retired;
      {
        auto rows = conn.Run(postgres::kSelectRetiredKeysOfSource, {source});
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i) retired.emplace(rows->Text(i, 0), rows->Time(i, 1));
      }
      {
        auto r = conn.Run(postgres::kDeleteKeysOfSource, {source});
        if (!r.ok()) return r.status();
      }
      for (const SigningKey& in : keys) {
        SigningKey key = in;
        key.source = source;
        if (auto it = retired.find(key.kid); it != retired.end()) {
          key.retired_at = key.retired_at ? std::min(*key.retired_at, it->second) : it->second;
        }
        // Our own keys are gone by now: a conflict is a kid of another source, or one listed
        // twice. Either way the job fails and its savepoint restores every key it deleted.
        Status s = postgres::InsertSigningKey(conn, key);
        if (s.code() == StatusCode::kAlreadyExists) {
          return AlreadyExists(
              "a signing key with this kid exists under another source, or is "
              "listed twice",
              key.kid);
        }
        HP_RETURN_IF_ERROR(s);
      }
      return tx.AppendAudit(audit);
    });
  }

  Status SaveDocument(const StoredDocument& doc, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(postgres::kUpsertDocument,
                             {doc.name, doc.sequence, doc.body, doc.saved_at});
      if (!r.ok()) return r.status();
      return tx.AppendAudit(audit);
    });
  }

  Result<StoredDocument> LoadDocument(const std::string& name) override {
    return Read([&](Connection& c) -> Result<StoredDocument> {
      auto rows = c.Run(postgres::kSelectDocument, {name});
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return NotFound("no such document");
      return StoredDocument{rows->Text(0, 0), rows->Int(0, 1), rows->Text(0, 2), rows->Time(0, 3)};
    });
  }

  // --- certificates ---

  Status CreateCertificate(const Certificate& c, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      auto owner = postgres::ReadOwnerById(conn, c.owner_id);
      if (!owner.ok()) return owner.status();
      {
        auto r = conn.Run(postgres::kInsertCertificate, {c.id,
                                                         c.number,
                                                         c.authority,
                                                         c.kid,
                                                         c.owner_id,
                                                         c.species,
                                                         c.head_count,
                                                         PurposeName(c.purpose),
                                                         c.origin,
                                                         c.origin_place,
                                                         c.destination,
                                                         c.destination_place,
                                                         c.transport,
                                                         c.issued_at,
                                                         c.valid_until,
                                                         c.vet_id,
                                                         c.vet_name,
                                                         c.owner_masked_name,
                                                         c.owner_phone_last4,
                                                         c.hp1});
        if (!r.ok()) return r.status();
        if (r->affected() == 0) return CertificateConflict(conn, c.id);
      }
      if (!c.animal_ids.empty()) {
        auto r = conn.Run(postgres::kInsertCertificateAnimals,
                          {c.id, postgres::IntArrayLiteral(c.animal_ids)});
        if (r.status().code() == StatusCode::kFailedPrecondition) {  // the foreign key to animals
          return FailedPrecondition("an animal of the certificate does not exist");
        }
        if (!r.ok()) return r.status();
      }
      HP_RETURN_IF_ERROR(CheckAnimals(conn, c));
      if (!c.vaccinations.empty()) {
        std::vector<std::string> ids, diseases, batches;
        std::vector<int64_t> days;
        for (const CertificateVaccination& v : c.vaccinations) {
          ids.push_back(v.record_id);
          diseases.push_back(v.disease);
          days.push_back(v.administered_on.days());
          batches.push_back(v.batch_no);
        }
        auto r =
            conn.Run(postgres::kInsertCertificateVaccinations,
                     {c.id, postgres::TextArrayLiteral(ids), postgres::TextArrayLiteral(diseases),
                      postgres::IntArrayLiteral(days), postgres::TextArrayLiteral(batches)});
        if (!r.ok()) return r.status();
      }
      tx.Count(Counter::kCertificates);
      return tx.AppendAudit(audit);
    });
  }

  Result<Certificate> FindCertificate(const std::string& id) override {
    return ReadSnapshot([&](Connection& c) { return postgres::ReadCertificateById(c, id); });
  }

  Result<Certificate> FindCertificateByNumber(const std::string& number) override {
    return ReadSnapshot(
        [&](Connection& c) { return postgres::ReadCertificateByNumber(c, number); });
  }

  Result<Certificate> ConsumeCertificate(const std::string& id, const Consumption& consumption,
                                         const AuditEntry& audit) override {
    // Once only: the writer runs one job at a time under the writer lock, and the UPDATE changes a
    // row only while the certificate is still issued, so of any number of concurrent calls (from
    // any number of servers) exactly one gets a row.
    Certificate out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      auto r = conn.Run(postgres::kConsumeCertificate, {id, consumption.at, consumption.user_id,
                                                        consumption.user_name, consumption.place});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) {
        auto status = postgres::ReadCertificateStatus(conn, id);
        if (!status.ok()) return status.status();
        if (*status == CertificateStatus::kRevoked) {
          return FailedPrecondition("the certificate is revoked");
        }
        return AlreadyExists("the certificate was consumed before", id);
      }
      auto consumed = postgres::ReadCertificateById(conn, id);
      if (!consumed.ok()) return consumed.status();
      out = std::move(consumed).value();
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<Revocation> RevokeCertificate(const std::string& id, int64_t user_id,
                                       const std::string& reason, Timestamp at,
                                       const AuditEntry& audit) override {
    Revocation out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      auto r = conn.Run(postgres::kRevokeCertificate, {id, at, user_id, reason});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) {
        auto status = postgres::ReadCertificateStatus(conn, id);
        if (!status.ok()) return status.status();
        return FailedPrecondition("the certificate is already revoked");
      }
      auto seq = conn.Run(postgres::kInsertRevocation, {id, at});
      if (!seq.ok()) return seq.status();
      out = Revocation{seq->Int(0, 0), id, at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<Revocation>> ListRevocations(int64_t after_sequence) override {
    return Read([&](Connection& c) -> Result<std::vector<Revocation>> {
      auto rows = c.Run(postgres::kSelectRevocationsAfter, {after_sequence});
      if (!rows.ok()) return rows.status();
      std::vector<Revocation> out;
      out.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) {
        out.push_back(Revocation{rows->Int(i, 0), rows->Text(i, 1), rows->Time(i, 2)});
      }
      return out;
    });
  }

  // --- audit ---

  Status AppendAudit(const AuditEntry& entry) override {
    return writer_->Run([&](WriteTxn& tx) { return tx.AppendAudit(entry); },
                        postgres::Writer::Durability::kWritten);
  }

  Result<std::vector<AuditRow>> ListAudit(const AuditQuery& q) override {
    const int limit = q.limit <= 0 ? 100 : std::min(q.limit, 1000);
    return Read([&](Connection& c) -> Result<std::vector<AuditRow>> {
      std::optional<int64_t> from, to;
      if (q.from) from = q.from->time_since_epoch().count();
      if (q.to) to = q.to->time_since_epoch().count();
      auto param = [](const std::optional<int64_t>& v) -> postgres::Param {
        return v ? postgres::Param(*v) : postgres::Param(std::nullopt);
      };
      auto rows =
          q.all_authorities
              ? c.Run(postgres::kSelectAuditPage,
                      {q.after_seq, q.action, q.user_id, param(from), param(to), limit})
              : c.Run(postgres::kSelectAuditPageInScope,
                      {q.after_seq, q.action, q.user_id, param(from), param(to), limit, q.scope});
      if (!rows.ok()) return rows.status();
      std::vector<AuditRow> out;
      out.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) out.push_back(AuditFromRow(*rows, i));
      return out;
    });
  }

  Result<AuditVerification> VerifyAudit() override {
    return ReadSnapshot([&](Connection& c) -> Result<AuditVerification> {
      constexpr int kChunk = 10000;
      AuditVerification v;
      std::string prev = kAuditGenesisHash;
      int64_t expected_seq = 1;
      int64_t after = 0;
      for (;;) {
        auto rows = c.Run(postgres::kSelectAuditChunk, {after, kChunk});
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i) {
          AuditRow r = AuditFromRow(*rows, i);
          after = r.seq;
          ++v.rows;
          if (!v.ok) continue;  // count the rest, report the first problem
          const char* problem = nullptr;
          if (r.seq != expected_seq) {
            problem = "a row is missing before this one";
          } else if (r.prev_hash != prev) {
            problem = "the row does not link to the row before it";
          } else if (r.hash != ChainHash(r.prev_hash, r.seq, r.entry)) {
            problem = "the row's content does not match its hash";
          }
          if (problem != nullptr) {
            v.ok = false;
            v.first_bad_seq = r.seq;
            v.problem = problem;
          }
          prev = r.hash;
          expected_seq = r.seq + 1;
        }
        if (rows->size() < kChunk) break;
      }
      return v;
    });
  }

  Result<StoreCounts> Counts() override {
    return Read([&](Connection& conn) -> Result<StoreCounts> {
      auto rows = conn.Run(postgres::kSelectCounters);
      if (!rows.ok()) return rows.status();
      StoreCounts c;
      const std::map<std::string, int64_t*> fields = {
          {postgres::CounterName(Counter::kOwners), &c.owners},
          {postgres::CounterName(Counter::kAnimals), &c.animals},
          {postgres::CounterName(Counter::kVaccinations), &c.vaccinations},
          {postgres::CounterName(Counter::kUsers), &c.users},
          {postgres::CounterName(Counter::kAudit), &c.audit_rows},
          {postgres::CounterName(Counter::kCertificates), &c.certificates},
      };
      for (int i = 0; i < rows->size(); ++i) {
        auto it = fields.find(rows->Text(i, 0));
        if (it != fields.end()) *it->second = rows->Int(i, 1);
      }
      return c;
    });
  }

  Result<std::vector<Certificate>> ListCertificates(const CertificateListQuery& q) override {
    return Read([&](Connection& c) -> Result<std::vector<Certificate>> {
      const int mode = q.all_authorities ? 2 : (q.destination_too ? 1 : 0);
      const int validity = !q.valid_at_now ? 0 : (*q.valid_at_now ? 1 : 2);
      const int64_t now = q.now.time_since_epoch().count();
      postgres::Param before = q.before_issued_at
                                   ? postgres::Param(q.before_issued_at->time_since_epoch().count())
                                   : postgres::Param(std::nullopt);
      auto rows = c.Run(postgres::kSelectCertificateList,
                        {q.scope, mode, q.owner_id.value_or(0),
                         std::string(q.status ? CertificateStatusName(*q.status) : ""), validity,
                         now, before, q.before_id, std::clamp(q.limit, 1, 1000)});
      if (!rows.ok()) return rows.status();
      std::vector<Certificate> out;
      out.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) {
        Certificate x;
        x.id = rows->Text(i, 0);
        x.number = rows->Text(i, 1);
        x.authority = rows->Text(i, 2);
        x.owner_id = rows->Int(i, 3);
        x.species = rows->Text(i, 4);
        x.head_count = static_cast<int32_t>(rows->Int(i, 5));
        auto purpose = ParsePurpose(rows->Text(i, 6));
        if (!purpose.ok()) return Internal("a stored certificate has an unknown purpose");
        x.purpose = *purpose;
        x.origin = rows->Text(i, 7);
        x.destination = rows->Text(i, 8);
        x.issued_at = rows->Time(i, 9);
        x.valid_until = rows->Time(i, 10);
        x.owner_masked_name = rows->Text(i, 11);
        auto status = ParseCertificateStatus(rows->Text(i, 12));
        if (!status.ok()) return Internal("a stored certificate has an unknown status");
        x.status = *status;
        out.push_back(std::move(x));
      }
      return out;
    });
  }

  // --- reports ---

  Result<CoverageReport> ReportCoverage(const CoverageQuery& q) override {
    return ReadSnapshot([&](Connection& c) -> Result<CoverageReport> {
      CoverageTally tally(q);
      {
        auto rows = c.Run(postgres::kSelectCoverageUnits, {q.scope, q.species});
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i) {
          tally.AddUnit(rows->Int(i, 0), rows->Text(i, 1), rows->Text(i, 2), rows->Int(i, 3),
                        rows->Bool(i, 4), rows->Time(i, 5));
        }
      }
      {
        auto rows = c.Run(postgres::kSelectCoverageDoses, {q.scope, q.to.days()});
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i) {
          tally.AddDose(rows->IntArray(i, 0), rows->Day(i, 1), rows->Text(i, 2), rows->Text(i, 3),
                        rows->Int(i, 4));
        }
      }
      return tally.Finish();
    });
  }

 private:
  // Runs `read` on a leased reader connection.
  template <typename F>
  auto Read(F read) -> decltype(read(std::declval<Connection&>())) {
    auto lease = readers_->Acquire();
    if (!lease.ok()) return lease.status();
    return read(***lease);
  }

  // Runs `read` inside one snapshot on a leased reader connection.
  template <typename F>
  auto ReadSnapshot(F read) -> decltype(read(std::declval<Connection&>())) {
    auto lease = readers_->Acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = ***lease;
    ReadTxn txn(conn);
    HP_RETURN_IF_ERROR(txn.began());
    return read(conn);
  }

  static AuditRow AuditFromRow(const Rows& rows, int i) {
    AuditRow r;
    r.seq = rows.Int(i, 0);
    r.entry.at = rows.Time(i, 1);
    r.entry.user_id = rows.Int(i, 2);
    r.entry.username = rows.Text(i, 3);
    r.entry.action = rows.Text(i, 4);
    r.entry.target = rows.Text(i, 5);
    r.entry.detail = rows.Text(i, 6);
    r.entry.address = rows.Text(i, 7);
    r.prev_hash = rows.Text(i, 8);
    r.hash = rows.Text(i, 9);
    r.entry.authority = rows.Text(i, 10);
    return r;
  }

  // Which unique key of a new certificate is taken (the insert stored nothing). The Status's
  // field names it ("id" or "number"), so that service/ can draw a new number and try again.
  static Status CertificateConflict(Connection& conn, const std::string& id) {
    auto existing = postgres::ReadCertificateStatus(conn, id);
    if (existing.ok()) {
      return Status(StatusCode::kAlreadyExists, "a certificate with this id exists", "id");
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    return Status(StatusCode::kAlreadyExists, "a certificate with this number exists", "number");
  }

  // The animals a new certificate names, as just stored: every one the owner's, and the
  // certificate's tags exactly theirs (as on SQLite: see sqlite_store.cpp).
  static Status CheckAnimals(Connection& conn, const Certificate& c) {
    std::vector<int64_t> ids;
    std::vector<std::string> tags;
    std::vector<int64_t> owners;
    HP_RETURN_IF_ERROR(postgres::ReadCertificateAnimals(conn, c.id, ids, tags, &owners));
    for (int64_t owner : owners) {
      if (owner != c.owner_id) {
        return FailedPrecondition("an animal of the certificate belongs to another owner");
      }
    }
    std::vector<std::string> given = c.tags;
    std::sort(given.begin(), given.end());
    if (given != tags) {
      return InvalidArgument("tags", "the tags are not those of the certificate's animals");
    }
    return Status::Ok();
  }

  Status UpdateUser(const postgres::Query& q, const std::string& username, postgres::Param value,
                    const AuditEntry& audit) {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto r = tx.conn().Run(q, {username, value});
      if (!r.ok()) return r.status();
      if (r->affected() == 0) return NotFound("no such user");
      return tx.AppendAudit(audit);
    });
  }

  // Stores one record of a batch inside its own savepoint, so that a rejected record leaves nothing
  // behind (e.g. an owner created for it). Fills `r`. A non-ok return fails the whole batch (I/O);
  // a rejection is an ok return with r.outcome == kRejected. Rejections, their fields and messages
  // are those of the SQLite backend (sqlite_store.cpp), which the conformance suite compares.
  Status RecordOne(WriteTxn& tx, const VaccinationInput& in, const BatchContext& ctx,
                   RecordResult& r) {
    Connection& conn = tx.conn();
    auto reject = [&r](Status why) {
      r.outcome = RecordOutcome::kRejected;
      r.reason = std::move(why);
      r.owner_id = 0;
      return Status::Ok();
    };

    auto id = NormalizeUuid(in.id);
    if (!id.ok()) return reject(InvalidArgument("id", "the record id is not a UUID"));
    auto stored = ReadStoredRecord(conn, *id);
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
      auto parsed = NormalizeUuid(in.corrects);
      if (!parsed.ok()) {
        return reject(InvalidArgument("corrects", "the corrected record id is not a UUID"));
      }
      corrects = std::move(parsed).value();
    }

    HP_RETURN_IF_ERROR(tx.BeginNested());
    Status rejection;
    Status s = StoreRecord(tx, in, *id, corrects, ctx, r, rejection);
    if (s.ok() && rejection.ok()) return tx.ReleaseNested();
    // Undo whatever the record created before it failed.
    if (conn.Broken() || !conn.InTransaction()) return s.ok() ? Unavailable("storage failed") : s;
    HP_RETURN_IF_ERROR(tx.RollbackNested());
    if (!s.ok()) return s;
    return reject(std::move(rejection));
  }

  // What RecordOne needs to know of a stored record.
  struct StoredRecord {
    int64_t owner_id = 0;
    std::string authority;
    bool voided = false;
  };

  // kNotFound when no record has this id. REQUIRES: `id` is a canonical UUID.
  static Result<StoredRecord> ReadStoredRecord(Connection& conn, const std::string& id) {
    auto rows = conn.Run(postgres::kSelectVaccinationOwner, {id});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound("no such vaccination record");
    return StoredRecord{rows->Int(0, 0), rows->Text(0, 1), rows->Bool(0, 2)};
  }

  // The body of RecordOne, inside the record's savepoint. Sets `rejection` to reject the record.
  // Every row it creates (animals, flock, the record) is stamped with the OWNER's authority, not
  // the recorder's; only an owner created here takes ctx.authority.
  Status StoreRecord(WriteTxn& tx, const VaccinationInput& in, const std::string& id,
                     const std::optional<std::string>& corrects, const BatchContext& ctx,
                     RecordResult& r, Status& rejection) {
    Connection& conn = tx.conn();

    // The owner.
    int64_t owner_id = 0;
    std::string authority;
    Result<Owner> owner = in.owner_id ? postgres::ReadOwnerById(conn, *in.owner_id)
                                      : postgres::ReadOwnerByPhone(conn, in.owner_phone);
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
      rejection = Status(StatusCode::kNotFound, "no such owner", "owner_id");
      return Status::Ok();
    } else if (in.owner_phone.empty()) {
      rejection = InvalidArgument("owner_phone", "the record names no owner");
      return Status::Ok();
    } else {
      auto created = postgres::InsertOwner(
          conn, NewOwner{in.owner_phone, in.owner_name, "", ctx.authority, ctx.at});
      if (!created.ok()) return created.status();
      tx.Count(Counter::kOwners);
      owner_id = *created;
      authority = ctx.authority;
    }

    // The record it corrects: checked in the transaction that stores the correction. The owner is
    // compared before the voided flag, so that nothing is told about another owner's record beyond
    // that it is not theirs.
    if (corrects) {
      auto target = ReadStoredRecord(conn, *corrects);
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
        auto animal = postgres::ReadAnimalByTag(conn, tag);
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
          animal_ids.push_back(animal->id);
          continue;
        }
        if (animal.status().code() != StatusCode::kNotFound) return animal.status();
        auto created = postgres::InsertAnimal(
            conn, NewAnimal{owner_id, tag, in.species, 1, "", std::nullopt, authority, ctx.at});
        if (!created.ok()) return created.status();
        tx.Count(Counter::kAnimals);
        animal_ids.push_back(*created);
      }
      head_count = static_cast<int32_t>(animal_ids.size());
    } else {
      if (in.species.empty() || in.head_count <= 0) {
        rejection = InvalidArgument("head_count",
                                    "a record without ear tags needs a species and a head count");
        return Status::Ok();
      }
      auto flock = conn.Run(postgres::kSelectFlock, {owner_id, in.species});
      if (!flock.ok()) return flock.status();
      if (!flock->empty()) {
        const int64_t flock_id = flock->Int(0, 0);
        const int64_t heads = flock->Int(0, 1);
        animal_ids.push_back(flock_id);
        if (heads < in.head_count) {
          auto raise = conn.Run(postgres::kRaiseFlockHeadCount, {flock_id, in.head_count});
          if (!raise.ok()) return raise.status();
        }
      } else {
        auto created = postgres::InsertAnimal(
            conn, NewAnimal{owner_id, std::nullopt, in.species, in.head_count, "", std::nullopt,
                            authority, ctx.at});
        if (!created.ok()) return created.status();
        tx.Count(Counter::kAnimals);
        animal_ids.push_back(*created);
      }
      head_count = in.head_count;
    }

    // The record, and its id for idempotency.
    auto inserted =
        conn.Run(postgres::kInsertVaccination,
                 {owner_id, in.administered_on, id, postgres::IntArrayLiteral(animal_ids),
                  in.species, head_count, in.disease, in.vaccine, in.batch_no, in.dose_ml, in.lat,
                  in.lon, in.device_id, ctx.user_id, ctx.at, authority, corrects});
    if (!inserted.ok()) return inserted.status();
    tx.Count(Counter::kVaccinations);
    r.outcome = RecordOutcome::kCreated;
    r.owner_id = owner_id;
    return Status::Ok();
  }

  // Destroyed in reverse order: the writer drains and stops before the readers close.
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<postgres::Writer> writer_;
};

}  // namespace

bool IsPostgresUri(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto writer_conn = Connection::Open(options.conninfo);
  if (!writer_conn.ok()) return writer_conn.status();
  HP_RETURN_IF_ERROR(postgres::Migrate(**writer_conn));

  int readers = options.pool_size;
  if (readers <= 0) readers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto pool = std::make_unique<ReaderPool>();
  for (int i = 0; i < readers; ++i) {
    auto conn = Connection::Open(options.conninfo);
    if (!conn.ok()) return conn.status();
    pool->Add(std::move(conn).value());
  }
  auto writer = postgres::Writer::Start(std::move(writer_conn).value(), options.max_group);
  return std::unique_ptr<Store>(new PostgresStore(std::move(writer), std::move(pool)));
}

std::optional<PostgresWriterStats> GetPostgresWriterStats(const Store& store) {
  const auto* pg = dynamic_cast<const PostgresStore*>(&store);
  if (pg == nullptr) return std::nullopt;
  return pg->stats();
}

int PostgresSchemaVersion() { return postgres::LatestSchemaVersion(); }

}  // namespace herdpass
