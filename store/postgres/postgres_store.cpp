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

#include "store/audit_chain.h"
#include "store/certificate_checks.h"
#include "store/counters.h"
#include "store/coverage_tally.h"
#include "store/owner_history.h"
#include "store/postgres/connection.h"
#include "store/postgres/migrations.h"
#include "store/postgres/queries.h"
#include "store/postgres/records.h"
#include "store/postgres/writer_session.h"
#include "store/reader_pool.h"
#include "store/record_rules.h"
#include "store/shared_jobs.h"

namespace herdpass {
namespace {

using postgres::Connection;
using postgres::Rows;
using postgres::WriteTxn;
using store::Counter;

// Reader connections, kept open. A reader left inside a transaction (a failed read) is rolled back
// before its next use; a connection the server dropped is opened again when next leased (Read).
using ReaderPool = store::ReaderPool<Connection>;

void EndLeftTransaction(Connection& conn) {
  if (!conn.Broken() && conn.InTransaction()) (void)conn.Exec(postgres::kRollback);
}

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

// The W1 record rules' reads and writes (store/record_rules.h) in PostgreSQL's SQL.
class PostgresRecordPort final : public store::CodecRecordPort<WriteTxn> {
 public:
  explicit PostgresRecordPort(WriteTxn& tx) : CodecRecordPort(tx), conn_(tx.conn()) {}

  std::optional<std::string> RecordKey(const std::string& uuid) override {
    auto canonical = NormalizeUuid(uuid);
    if (!canonical.ok()) return std::nullopt;
    return std::move(canonical).value();
  }
  Result<store::StoredRecord> ReadStoredRecord(const std::string& key) override {
    auto rows = conn_.Run(postgres::kSelectVaccinationOwner, {key});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound("no such vaccination record");
    return store::StoredRecord{rows->Int(0, 0), rows->Text(0, 1), rows->Bool(0, 2)};
  }
  Result<std::optional<store::Flock>> ReadFlock(int64_t owner_id,
                                                const std::string& species) override {
    auto rows = conn_.Run(postgres::kSelectFlock, {owner_id, species});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<store::Flock>();
    return std::optional<store::Flock>(store::Flock{rows->Int(0, 0), rows->Int(0, 1)});
  }
  Status RaiseFlockHeadCount(int64_t flock_id, int32_t head_count) override {
    return conn_.Run(postgres::kRaiseFlockHeadCount, {flock_id, head_count}).status();
  }
  // The record and its id in one statement.
  Status InsertVaccination(const store::RecordRow& r) override {
    const VaccinationInput& in = r.in;
    return conn_
        .Run(postgres::kInsertVaccination,
             {r.owner_id, in.administered_on, r.key, postgres::IntArrayLiteral(r.animal_ids),
              in.species, r.head_count, in.disease, in.vaccine, in.batch_no, in.dose_ml, in.lat,
              in.lon, in.device_id, r.ctx.user_id, r.ctx.at, r.authority, r.corrects})
        .status();
  }

 private:
  Connection& conn_;
};

std::string IdDetail(int64_t id) { return std::to_string(id); }

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<postgres::Writer> writer, std::unique_ptr<ReaderPool> readers)
      : readers_(std::move(readers)), writer_(std::move(writer)) {}

  WriterStats stats() const { return writer_->stats(); }

  // --- owners and animals ---

  Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) override {
    return writer_->RunAudited<Owner>([&](WriteTxn& tx) { return store::CreateOwnerIn(tx, owner); },
                                      audit);
  }

  Result<Owner> FindOwnerById(int64_t id) override {
    return Read([&](Connection& c) { return postgres::ReadOwnerById(c, id); });
  }

  Result<Owner> FindOwnerByPhone(const std::string& e164) override {
    return Read([&](Connection& c) { return postgres::ReadOwnerByPhone(c, e164); });
  }

  Result<Animal> CreateAnimal(const NewAnimal& animal, const AuditEntry& audit) override {
    return writer_->RunAudited<Animal>(
        [&](WriteTxn& tx) { return store::CreateAnimalIn(tx, animal); }, audit);
  }

  Result<Animal> FindAnimalByTag(const std::string& tag) override {
    return Read([&](Connection& c) { return postgres::ReadAnimalByTag(c, tag); });
  }

  Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) override {
    return ReadSnapshot([&](Connection& c) {
      return store::ReadOwnerHistory(c, postgres::ReadOwnerById(c, owner_id), since);
    });
  }

  Result<OwnerHistory> LoadOwnerHistoryByPhone(const std::string& e164, Date since) override {
    return ReadSnapshot([&](Connection& c) {
      return store::ReadOwnerHistory(c, postgres::ReadOwnerByPhone(c, e164), since);
    });
  }

  // --- vaccinations ---

  Result<std::vector<RecordResult>> RecordVaccinations(std::span<const VaccinationInput> records,
                                                       const BatchContext& ctx,
                                                       const BatchAudit& audit) override {
    std::vector<RecordResult> results;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      PostgresRecordPort port(tx);
      HP_RETURN_IF_ERROR(store::RecordBatch(port, records, ctx, results));
      auto entry = audit.For(results);
      return entry ? tx.AppendAudit(*entry) : Status::Ok();
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
      HP_RETURN_IF_ERROR(store::InsertNewSigningKey(tx.conn(), key));
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
      // Retirements made here outlive the replacement (store::InsertReplacementKeys).
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
      HP_RETURN_IF_ERROR(store::InsertReplacementKeys(conn, source, keys, retired));
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
      auto consumed = store::ConsumedCertificate(conn, id, r->affected() != 0);
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
                        store::Durability::kWritten);
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
      store::AuditChainWalk walk;
      int64_t after = 0;
      for (;;) {
        auto rows = c.Run(postgres::kSelectAuditChunk, {after, kChunk});
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i) {
          AuditRow r = AuditFromRow(*rows, i);
          after = r.seq;
          walk.Add(r);
        }
        if (rows->size() < kChunk) break;
      }
      return walk.result();
    });
  }

  Result<StoreCounts> Counts() override {
    return Read([&](Connection& conn) -> Result<StoreCounts> {
      auto rows = conn.Run(postgres::kSelectCounters);
      if (!rows.ok()) return rows.status();
      StoreCounts c;
      for (int i = 0; i < rows->size(); ++i) store::SetCount(c, rows->Text(i, 0), rows->Int(i, 1));
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
    if (lease->Broken()) HP_RETURN_IF_ERROR(lease->Reset());
    return read(*lease);
  }

  // Runs `read` inside one snapshot on a leased reader connection.
  template <typename F>
  auto ReadSnapshot(F read) -> decltype(read(std::declval<Connection&>())) {
    auto lease = readers_->Acquire();
    if (lease->Broken()) HP_RETURN_IF_ERROR(lease->Reset());
    Connection& conn = *lease;
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

  static Status CertificateConflict(Connection& conn, const std::string& id) {
    return store::CertificateConflict(postgres::ReadCertificateStatus(conn, id).status());
  }

  static Status CheckAnimals(Connection& conn, const Certificate& c) {
    std::vector<int64_t> ids, owners;
    std::vector<std::string> tags;
    HP_RETURN_IF_ERROR(postgres::ReadCertificateAnimals(conn, c.id, ids, tags, &owners));
    return store::CheckCertificateAnimals(c, tags, owners);
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
  auto pool = std::make_unique<ReaderPool>(EndLeftTransaction);
  for (int i = 0; i < readers; ++i) {
    auto conn = Connection::Open(options.conninfo);
    if (!conn.ok()) return conn.status();
    pool->Add(std::move(conn).value());
  }
  auto writer = postgres::Writer::Start(
      std::make_unique<postgres::WriteSession>(std::move(writer_conn).value()), options.max_group);
  return std::unique_ptr<Store>(new PostgresStore(std::move(writer), std::move(pool)));
}

std::optional<WriterStats> GetPostgresWriterStats(const Store& store) {
  const auto* pg = dynamic_cast<const PostgresStore*>(&store);
  if (pg == nullptr) return std::nullopt;
  return pg->stats();
}

int PostgresSchemaVersion() { return postgres::LatestSchemaVersion(); }

}  // namespace herdpass
