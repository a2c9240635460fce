// The SQLite Store: write methods are jobs for the Writer (writer.h), reads lease a connection from
// a small pool. See sqlite_store.h and store/store.h for the contracts.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/audit_chain.h"
#include "store/certificate_checks.h"
#include "store/counters.h"
#include "store/coverage_tally.h"
#include "store/owner_history.h"
#include "store/reader_pool.h"
#include "store/record_rules.h"
#include "store/shared_jobs.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/records.h"
#include "store/sqlite/writer_session.h"

namespace herdpass {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::WriteTxn;
using store::Counter;

using ReaderPool = store::ReaderPool<Connection>;

// A read transaction on a leased connection: every statement inside sees one snapshot.
class ReadTxn {
 public:
  explicit ReadTxn(Connection& conn) : conn_(conn) { began_ = conn_.Exec(sqlite::kBeginRead); }
  ~ReadTxn() {
    if (conn_.InTransaction()) (void)conn_.Exec(sqlite::kCommit);
  }
  const Status& began() const { return began_; }

 private:
  Connection& conn_;
  Status began_;
};

// The W1 record rules' reads and writes (store/record_rules.h) in SQLite's SQL.
class SqliteRecordPort final : public store::CodecRecordPort<WriteTxn> {
 public:
  explicit SqliteRecordPort(WriteTxn& tx) : CodecRecordPort(tx), conn_(tx.conn()) {}

  std::optional<std::string> RecordKey(const std::string& uuid) override {
    return sqlite::UuidToBytes(uuid);
  }
  Result<store::StoredRecord> ReadStoredRecord(const std::string& key) override {
    auto st = conn_.Prepare(sqlite::kSelectVaccinationOwner);
    if (!st.ok()) return st.status();
    st->BindBlob(1, key);
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no such vaccination record");
    return store::StoredRecord{st->Int(0), st->Text(1), st->Int(2) != 0};
  }
  Result<std::optional<store::Flock>> ReadFlock(int64_t owner_id,
                                                const std::string& species) override {
    auto st = conn_.Prepare(sqlite::kSelectFlock);
    if (!st.ok()) return st.status();
    st->Bind(1, owner_id).Bind(2, species);
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<store::Flock>();
    return std::optional<store::Flock>(store::Flock{st->Int(0), st->Int(1)});
  }
  Status RaiseFlockHeadCount(int64_t flock_id, int32_t head_count) override {
    auto st = conn_.Prepare(sqlite::kRaiseFlockHeadCount);
    if (!st.ok()) return st.status();
    st->Bind(1, flock_id).Bind(2, head_count);
    return st->Run();
  }
  Status InsertVaccination(const store::RecordRow& r) override {
    const VaccinationInput& in = r.in;
    {
      auto st = conn_.Prepare(sqlite::kInsertVaccination);
      if (!st.ok()) return st.status();
      st->Bind(1, r.owner_id)
          .Bind(2, in.administered_on.days())
          .BindBlob(3, r.key)
          .BindBlob(4, sqlite::EncodeIds(r.animal_ids))
          .Bind(5, in.species)
          .Bind(6, r.head_count)
          .Bind(7, in.disease)
          .Bind(8, in.vaccine)
          .Bind(9, in.batch_no)
          .Bind(10, in.dose_ml)
          .Bind(11, in.lat)
          .Bind(12, in.lon)
          .Bind(13, in.device_id)
          .Bind(14, r.ctx.user_id)
          .Bind(15, sqlite::Millis(r.ctx.at))
          .Bind(16, r.authority);
      if (r.corrects) {
        st->BindBlob(17, *r.corrects);
      } else {
        st->BindNull(17);
      }
      HP_RETURN_IF_ERROR(st->Run());
    }
    auto st = conn_.Prepare(sqlite::kInsertVaccinationId);
    if (!st.ok()) return st.status();
    st->BindBlob(1, r.key).Bind(2, r.owner_id).Bind(3, in.administered_on.days());
    return st->Run();
  }

 private:
  Connection& conn_;
};

std::string IdDetail(int64_t id) { return std::to_string(id); }

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<sqlite::Writer> writer, std::unique_ptr<ReaderPool> readers)
      : readers_(std::move(readers)), writer_(std::move(writer)) {}

  WriterStats stats() const { return writer_->stats(); }

  // --- owners and animals ---

  Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) override {
    return writer_->RunAudited<Owner>([&](WriteTxn& tx) { return store::CreateOwnerIn(tx, owner); },
                                      audit);
  }

  Result<Owner> FindOwnerById(int64_t id) override {
    auto conn = readers_->Acquire();
    return sqlite::ReadOwnerById(*conn, id);
  }

  Result<Owner> FindOwnerByPhone(const std::string& e164) override {
    auto conn = readers_->Acquire();
    return sqlite::ReadOwnerByPhone(*conn, e164);
  }

  Result<Animal> CreateAnimal(const NewAnimal& animal, const AuditEntry& audit) override {
    return writer_->RunAudited<Animal>(
        [&](WriteTxn& tx) { return store::CreateAnimalIn(tx, animal); }, audit);
  }

  Result<Animal> FindAnimalByTag(const std::string& tag) override {
    auto conn = readers_->Acquire();
    return sqlite::ReadAnimalByTag(*conn, tag);
  }

  Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) override {
    return ReadSnapshot([&](Connection& c) {
      return store::ReadOwnerHistory(c, sqlite::ReadOwnerById(c, owner_id), since);
    });
  }

  Result<OwnerHistory> LoadOwnerHistoryByPhone(const std::string& e164, Date since) override {
    return ReadSnapshot([&](Connection& c) {
      return store::ReadOwnerHistory(c, sqlite::ReadOwnerByPhone(c, e164), since);
    });
  }

  // --- vaccinations ---

  Result<std::vector<RecordResult>> RecordVaccinations(std::span<const VaccinationInput> records,
                                                       const BatchContext& ctx,
                                                       const BatchAudit& audit) override {
    std::vector<RecordResult> results;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      SqliteRecordPort port(tx);
      HP_RETURN_IF_ERROR(store::RecordBatch(port, records, ctx, results));
      auto entry = audit.For(results);
      return entry ? tx.AppendAudit(*entry) : Status::Ok();
    });
    if (!s.ok()) return s;
    return results;
  }

  Result<Vaccination> FindVaccination(const std::string& id) override {
    auto bytes = sqlite::UuidToBytes(id);
    if (!bytes) return NotFound("no such vaccination record");
    auto conn = readers_->Acquire();
    return sqlite::ReadVaccination(*conn, *bytes);
  }

  Status VoidVaccination(const std::string& id, const std::string& reason, Timestamp at,
                         const AuditEntry& audit) override {
    auto bytes = sqlite::UuidToBytes(id);
    if (!bytes) return NotFound("no such vaccination record");
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto v = sqlite::ReadVaccination(tx.conn(), *bytes);
      if (!v.ok()) return v.status();
      if (v->voided) return FailedPrecondition("the vaccination record is already voided");
      auto st = tx.conn().Prepare(sqlite::kVoidVaccination);
      if (!st.ok()) return st.status();
      st->Bind(1, v->owner_id)
          .Bind(2, v->administered_on.days())
          .BindBlob(3, *bytes)
          .Bind(4, reason)
          .Bind(5, sqlite::Millis(at));
      HP_RETURN_IF_ERROR(st->Run());
      return tx.AppendAudit(audit);
    });
  }

  // --- users and tokens ---

  Result<User> CreateUser(const NewUser& user, const AuditEntry& audit) override {
    User out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto existing = sqlite::ReadUserByName(tx.conn(), user.username);
      if (existing.ok()) return AlreadyExists("the username is taken", IdDetail(existing->id));
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      auto st = tx.conn().Prepare(sqlite::kInsertUser);
      if (!st.ok()) return st.status();
      st->Bind(1, user.username)
          .Bind(2, user.password_hash)
          .Bind(3, RoleName(user.role))
          .Bind(4, user.authority)
          .Bind(5, sqlite::Millis(user.created_at));
      HP_RETURN_IF_ERROR(st->Run());
      tx.Count(Counter::kUsers);
      out = User{sqlite3_last_insert_rowid(tx.conn().db()),
                 user.username,
                 user.password_hash,
                 user.role,
                 user.authority,
                 false,
                 user.created_at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<User> FindUserByName(const std::string& username) override {
    auto conn = readers_->Acquire();
    return sqlite::ReadUserByName(*conn, username);
  }

  Result<User> FindUserById(int64_t id) override {
    auto conn = readers_->Acquire();
    return sqlite::ReadUserById(*conn, id);
  }

  Result<std::vector<User>> ListUsers() override {
    auto conn = readers_->Acquire();
    return sqlite::ReadUsers(*conn);
  }

  Status SetUserDisabled(const std::string& username, bool disabled,
                         const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto st = tx.conn().Prepare(sqlite::kUpdateUserDisabled);
      if (!st.ok()) return st.status();
      st->Bind(1, username).Bind(2, disabled ? 1 : 0);
      HP_RETURN_IF_ERROR(st->Run());
      if (st->Changes() == 0) return NotFound("no such user");
      auto ended = tx.conn().Prepare(sqlite::kDeleteUserTokens);
      if (!ended.ok()) return ended.status();
      ended->Bind(1, username);
      HP_RETURN_IF_ERROR(ended->Run());
      return tx.AppendAudit(audit);
    });
  }

  Status SetUserPassword(const std::string& username, const std::string& password_hash,
                         const AuditEntry& audit) override {
    return UpdateUser(
        sqlite::kUpdateUserPassword, username, [&](Statement& st) { st.Bind(2, password_hash); },
        audit);
  }

  Status SaveToken(const TokenRecord& token, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto user = sqlite::ReadUserById(tx.conn(), token.user_id);
      if (!user.ok()) return user.status();
      if (user->disabled) return FailedPrecondition("the user is disabled");
      auto st = tx.conn().Prepare(sqlite::kInsertToken);
      if (!st.ok()) return st.status();
      st->Bind(1, token.token_hash)
          .Bind(2, token.user_id)
          .Bind(3, sqlite::Millis(token.created_at))
          .Bind(4, sqlite::Millis(token.expires_at));
      Status s = st->Run();
      if (s.code() == StatusCode::kAlreadyExists) return AlreadyExists("the token exists");
      HP_RETURN_IF_ERROR(s);
      return tx.AppendAudit(audit);
    });
  }

  Result<TokenRecord> FindToken(const std::string& token_hash) override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectToken);
    if (!st.ok()) return st.status();
    st->Bind(1, token_hash);
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no such token");
    return TokenRecord{st->Text(0), st->Int(1), sqlite::FromMillis(st->Int(2)),
                       sqlite::FromMillis(st->Int(3))};
  }

  Status DeleteToken(const std::string& token_hash, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto st = tx.conn().Prepare(sqlite::kDeleteToken);
      if (!st.ok()) return st.status();
      st->Bind(1, token_hash);
      HP_RETURN_IF_ERROR(st->Run());
      if (st->Changes() == 0) return NotFound("no such token");
      return tx.AppendAudit(audit);
    });
  }

  // --- authorities ---

  Status SaveAuthority(const Authority& authority, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto st = tx.conn().Prepare(sqlite::kUpsertAuthority);
      if (!st.ok()) return st.status();
      st->Bind(1, authority.code).Bind(2, authority.name).Bind(3, authority.parent);
      HP_RETURN_IF_ERROR(st->Run());
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<Authority>> ListAuthorities() override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectAuthorities);
    if (!st.ok()) return st.status();
    std::vector<Authority> out;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(Authority{st->Text(0), st->Text(1), st->Text(2)});
    }
    return out;
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
      auto st = tx.conn().Prepare(sqlite::kRetireSigningKey);
      if (!st.ok()) return st.status();
      st->Bind(1, kid).Bind(2, sqlite::Millis(at));
      HP_RETURN_IF_ERROR(st->Run());
      if (st->Changes() == 0) {
        // Either no such key, or one retired before: tell which.
        auto known = tx.conn().Prepare(sqlite::kSelectSigningKeyRetiredAt);
        if (!known.ok()) return known.status();
        known->Bind(1, kid);
        auto row = known->Next();
        if (!row.ok()) return row.status();
        if (!*row) return NotFound("no such signing key");
        return FailedPrecondition("the signing key is already retired");
      }
      return tx.AppendAudit(audit);
    });
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    auto conn = readers_->Acquire();
    return sqlite::ReadSigningKeys(*conn);
  }

  Status ReplaceKeys(const std::string& source, const std::vector<SigningKey>& keys,
                     const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      // Retirements made here outlive the replacement (store::InsertReplacementKeys).
      std::map<std::string, Timestamp> retired;
      {
        auto st = conn.Prepare(sqlite::kSelectRetiredKeysOfSource);
        if (!st.ok()) return st.status();
        st->Bind(1, source);
        for (;;) {
          auto row = st->Next();
          if (!row.ok()) return row.status();
          if (!*row) break;
          retired.emplace(st->Text(0), sqlite::FromMillis(st->Int(1)));
        }
      }
      {
        auto st = conn.Prepare(sqlite::kDeleteKeysOfSource);
        if (!st.ok()) return st.status();
        st->Bind(1, source);
        HP_RETURN_IF_ERROR(st->Run());
      }
      HP_RETURN_IF_ERROR(store::InsertReplacementKeys(conn, source, keys, retired));
      return tx.AppendAudit(audit);
    });
  }

  Status SaveDocument(const StoredDocument& doc, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto st = tx.conn().Prepare(sqlite::kUpsertDocument);
      if (!st.ok()) return st.status();
      st->Bind(1, doc.name)
          .Bind(2, doc.sequence)
          .Bind(3, doc.body)
          .Bind(4, sqlite::Millis(doc.saved_at));
      HP_RETURN_IF_ERROR(st->Run());
      return tx.AppendAudit(audit);
    });
  }

  Result<StoredDocument> LoadDocument(const std::string& name) override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectDocument);
    if (!st.ok()) return st.status();
    st->Bind(1, name);
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no such document");
    return StoredDocument{st->Text(0), st->Int(1), st->Text(2), sqlite::FromMillis(st->Int(3))};
  }

  // --- certificates ---

  Status CreateCertificate(const Certificate& c, const AuditEntry& audit) override {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      auto owner = sqlite::ReadOwnerById(conn, c.owner_id);
      if (!owner.ok()) return owner.status();
      {
        auto st = conn.Prepare(sqlite::kInsertCertificate);
        if (!st.ok()) return st.status();
        st->Bind(1, c.id)
            .Bind(2, c.number)
            .Bind(3, c.authority)
            .Bind(4, c.kid)
            .Bind(5, c.owner_id)
            .Bind(6, c.species)
            .Bind(7, c.head_count)
            .Bind(8, PurposeName(c.purpose))
            .Bind(9, c.origin)
            .Bind(10, c.origin_place)
            .Bind(11, c.destination)
            .Bind(12, c.destination_place)
            .Bind(13, c.transport)
            .Bind(14, sqlite::Millis(c.issued_at))
            .Bind(15, sqlite::Millis(c.valid_until))
            .Bind(16, c.vet_id)
            .Bind(17, c.vet_name)
            .Bind(18, c.owner_masked_name)
            .Bind(19, c.owner_phone_last4)
            .Bind(20, c.hp1);
        Status s = st->Run();
        if (s.code() == StatusCode::kAlreadyExists) return CertificateConflict(conn, c.id);
        HP_RETURN_IF_ERROR(s);
      }
      for (size_t i = 0; i < c.animal_ids.size(); ++i) {
        auto st = conn.Prepare(sqlite::kInsertCertificateAnimal);
        if (!st.ok()) return st.status();
        st->Bind(1, c.id).Bind(2, static_cast<int64_t>(i)).Bind(3, c.animal_ids[i]);
        Status s = st->Run();
        if (s.code() == StatusCode::kFailedPrecondition) {  // the foreign key to animals
          return FailedPrecondition("an animal of the certificate does not exist");
        }
        HP_RETURN_IF_ERROR(s);
      }
      HP_RETURN_IF_ERROR(CheckAnimals(conn, c));
      for (size_t i = 0; i < c.vaccinations.size(); ++i) {
        const CertificateVaccination& v = c.vaccinations[i];
        auto st = conn.Prepare(sqlite::kInsertCertificateVaccination);
        if (!st.ok()) return st.status();
        st->Bind(1, c.id)
            .Bind(2, static_cast<int64_t>(i))
            .Bind(3, v.record_id)
            .Bind(4, v.disease)
            .Bind(5, v.administered_on.days())
            .Bind(6, v.batch_no);
        HP_RETURN_IF_ERROR(st->Run());
      }
      tx.Count(Counter::kCertificates);
      return tx.AppendAudit(audit);
    });
  }

  Result<Certificate> FindCertificate(const std::string& id) override {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    return sqlite::ReadCertificateById(*conn, id);
  }

  Result<Certificate> FindCertificateByNumber(const std::string& number) override {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    return sqlite::ReadCertificateByNumber(*conn, number);
  }

  Result<Certificate> ConsumeCertificate(const std::string& id, const Consumption& consumption,
                                         const AuditEntry& audit) override {
    // Once only: the writer runs one job at a time, and the UPDATE changes a row only while the
    // certificate is still issued, so of any number of concurrent calls exactly one gets a row.
    Certificate out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      Connection& conn = tx.conn();
      auto st = conn.Prepare(sqlite::kConsumeCertificate);
      if (!st.ok()) return st.status();
      st->Bind(1, id)
          .Bind(2, sqlite::Millis(consumption.at))
          .Bind(3, consumption.user_id)
          .Bind(4, consumption.user_name)
          .Bind(5, consumption.place);
      HP_RETURN_IF_ERROR(st->Run());
      auto consumed = store::ConsumedCertificate(conn, id, st->Changes() != 0);
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
      {
        auto st = conn.Prepare(sqlite::kRevokeCertificate);
        if (!st.ok()) return st.status();
        st->Bind(1, id).Bind(2, sqlite::Millis(at)).Bind(3, user_id).Bind(4, reason);
        HP_RETURN_IF_ERROR(st->Run());
        if (st->Changes() == 0) {
          auto status = sqlite::ReadCertificateStatus(conn, id);
          if (!status.ok()) return status.status();
          return FailedPrecondition("the certificate is already revoked");
        }
      }
      {
        auto st = conn.Prepare(sqlite::kInsertRevocation);
        if (!st.ok()) return st.status();
        st->Bind(1, id).Bind(2, sqlite::Millis(at));
        HP_RETURN_IF_ERROR(st->Run());
      }
      out = Revocation{sqlite3_last_insert_rowid(conn.db()), id, at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<Revocation>> ListRevocations(int64_t after_sequence) override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectRevocationsAfter);
    if (!st.ok()) return st.status();
    st->Bind(1, after_sequence);
    std::vector<Revocation> out;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(Revocation{st->Int(0), st->Text(1), sqlite::FromMillis(st->Int(2))});
    }
    return out;
  }

  // --- audit ---

  Status AppendAudit(const AuditEntry& entry) override {
    return writer_->Run([&](WriteTxn& tx) { return tx.AppendAudit(entry); },
                        store::Durability::kWritten);
  }

  Result<std::vector<AuditRow>> ListAudit(const AuditQuery& q) override {
    const int limit = q.limit <= 0 ? 100 : std::min(q.limit, 1000);
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(q.all_authorities ? sqlite::kSelectAuditPage
                                              : sqlite::kSelectAuditPageInScope);
    if (!st.ok()) return st.status();
    st->Bind(1, q.after_seq).Bind(2, q.action).Bind(3, q.user_id);
    if (!q.all_authorities) st->Bind(7, q.scope);
    if (q.from) {
      st->Bind(4, sqlite::Millis(*q.from));
    } else {
      st->BindNull(4);
    }
    if (q.to) {
      st->Bind(5, sqlite::Millis(*q.to));
    } else {
      st->BindNull(5);
    }
    st->Bind(6, limit);
    std::vector<AuditRow> out;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(AuditFromRow(*st));
    }
    return out;
  }

  Result<AuditVerification> VerifyAudit() override {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    auto st = conn->Prepare(sqlite::kSelectAuditAll);
    if (!st.ok()) return st.status();
    store::AuditChainWalk walk;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      walk.Add(AuditFromRow(*st));
    }
    return walk.result();
  }

  Result<StoreCounts> Counts() override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectCounters);
    if (!st.ok()) return st.status();
    StoreCounts c;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      store::SetCount(c, st->Text(0), st->Int(1));
    }
    return c;
  }

  Result<std::vector<Certificate>> ListCertificates(const CertificateListQuery& q) override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectCertificateList);
    if (!st.ok()) return st.status();
    st->Bind(1, q.scope)
        .Bind(2, q.all_authorities ? 2 : (q.destination_too ? 1 : 0))
        .Bind(3, q.owner_id.value_or(0))
        .Bind(4, q.status ? CertificateStatusName(*q.status) : "")
        .Bind(5, !q.valid_at_now ? 0 : (*q.valid_at_now ? 1 : 2))
        .Bind(6, sqlite::Millis(q.now))
        .Bind(8, q.before_id)
        .Bind(9, std::clamp(q.limit, 1, 1000));
    if (q.before_issued_at) {
      st->Bind(7, sqlite::Millis(*q.before_issued_at));
    } else {
      st->BindNull(7);
    }
    std::vector<Certificate> out;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Certificate c;
      c.id = st->Text(0);
      c.number = st->Text(1);
      c.authority = st->Text(2);
      c.owner_id = st->Int(3);
      c.species = st->Text(4);
      c.head_count = static_cast<int32_t>(st->Int(5));
      auto purpose = ParsePurpose(st->Text(6));
      if (!purpose.ok()) return Internal("a stored certificate has an unknown purpose");
      c.purpose = *purpose;
      c.origin = st->Text(7);
      c.destination = st->Text(8);
      c.issued_at = sqlite::FromMillis(st->Int(9));
      c.valid_until = sqlite::FromMillis(st->Int(10));
      c.owner_masked_name = st->Text(11);
      auto status = ParseCertificateStatus(st->Text(12));
      if (!status.ok()) return Internal("a stored certificate has an unknown status");
      c.status = *status;
      out.push_back(std::move(c));
    }
    return out;
  }

  // --- reports ---

  Result<CoverageReport> ReportCoverage(const CoverageQuery& q) override {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    CoverageTally tally(q);
    {
      auto st = conn->Prepare(sqlite::kSelectCoverageUnits);
      if (!st.ok()) return st.status();
      st->Bind(1, q.scope).Bind(2, q.species);
      for (;;) {
        auto row = st->Next();
        if (!row.ok()) return row.status();
        if (!*row) break;
        tally.AddUnit(st->Int(0), st->Text(1), st->Text(2), st->Int(3), st->Int(4) != 0,
                      sqlite::FromMillis(st->Int(5)));
      }
    }
    {
      auto st = conn->Prepare(sqlite::kSelectCoverageDoses);
      if (!st.ok()) return st.status();
      st->Bind(1, q.scope).Bind(2, static_cast<int64_t>(q.to.days()));
      for (;;) {
        auto row = st->Next();
        if (!row.ok()) return row.status();
        if (!*row) break;
        tally.AddDose(sqlite::DecodeIds(st->Blob(0)),
                      Date::FromDays(static_cast<int32_t>(st->Int(1))), st->Text(2), st->Text(3),
                      st->Int(4));
      }
    }
    return tally.Finish();
  }

 private:
  // Runs `read` inside one snapshot on a leased reader connection.
  template <typename F>
  auto ReadSnapshot(F read) -> decltype(read(std::declval<Connection&>())) {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    return read(*conn);
  }

  static AuditRow AuditFromRow(const Statement& st) {
    AuditRow r;
    r.seq = st.Int(0);
    r.entry.at = sqlite::FromMillis(st.Int(1));
    r.entry.user_id = st.Int(2);
    r.entry.username = st.Text(3);
    r.entry.action = st.Text(4);
    r.entry.target = st.Text(5);
    r.entry.detail = st.Text(6);
    r.entry.address = st.Text(7);
    r.prev_hash = st.Text(8);
    r.hash = st.Text(9);
    r.entry.authority = st.Text(10);
    return r;
  }

  static Status CertificateConflict(Connection& conn, const std::string& id) {
    return store::CertificateConflict(sqlite::ReadCertificateStatus(conn, id).status());
  }

  static Status CheckAnimals(Connection& conn, const Certificate& c) {
    std::vector<int64_t> ids, owners;
    std::vector<std::string> tags;
    HP_RETURN_IF_ERROR(sqlite::ReadCertificateAnimals(conn, c.id, ids, tags, &owners));
    return store::CheckCertificateAnimals(c, tags, owners);
  }

  template <typename BindValue>
  Status UpdateUser(const sqlite::Query& q, const std::string& username, BindValue bind_value,
                    const AuditEntry& audit) {
    return writer_->Run([&](WriteTxn& tx) -> Status {
      auto st = tx.conn().Prepare(q);
      if (!st.ok()) return st.status();
      st->Bind(1, username);
      bind_value(*st);
      HP_RETURN_IF_ERROR(st->Run());
      if (st->Changes() == 0) return NotFound("no such user");
      return tx.AppendAudit(audit);
    });
  }

  // Destroyed in reverse order: the writer drains and stops before the readers close.
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<sqlite::Writer> writer_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto writer_conn = Connection::Open(options.path, options.vfs, options.cache_kib, false);
  if (!writer_conn.ok()) return writer_conn.status();
  HP_RETURN_IF_ERROR(sqlite::Migrate(**writer_conn));

  auto readers = std::make_unique<ReaderPool>();
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    auto conn = Connection::Open(options.path, options.vfs, options.cache_kib, true);
    if (!conn.ok()) return conn.status();
    readers->Add(std::move(conn).value());
  }
  auto writer = sqlite::Writer::Start(
      std::make_unique<sqlite::WriteSession>(std::move(writer_conn).value()), options.max_group);
  return std::unique_ptr<Store>(new SqliteStore(std::move(writer), std::move(readers)));
}

std::optional<WriterStats> GetSqliteWriterStats(const Store& store) {
  const auto* sqlite_store = dynamic_cast<const SqliteStore*>(&store);
  if (sqlite_store == nullptr) return std::nullopt;
  return sqlite_store->stats();
}

int SqliteSchemaVersion() { return sqlite::LatestSchemaVersion(); }

}  // namespace herdpass
