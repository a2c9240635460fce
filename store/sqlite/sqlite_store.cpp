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

#include "store/coverage_tally.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/records.h"
#include "store/sqlite/writer.h"

namespace herdpass {
namespace {

using sqlite::Connection;
using sqlite::Counter;
using sqlite::Statement;
using sqlite::WriteTxn;

// Reader connections, leased one per call. Thread-safe.
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

  Lease Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty(); });
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }

 private:
  void Return(std::unique_ptr<Connection> conn) {
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

std::string IdDetail(int64_t id) { return std::to_string(id); }

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<sqlite::Writer> writer, std::unique_ptr<ReaderPool> readers)
      : readers_(std::move(readers)), writer_(std::move(writer)) {}

  SqliteWriterStats stats() const {
    auto s = writer_->stats();
    return {s.jobs, s.commits, s.failed_transactions, s.queued};
  }

  // --- owners and animals ---

  Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) override {
    Owner out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto existing = sqlite::ReadOwnerByPhone(tx.conn(), owner.phone);
      if (existing.ok()) {
        return AlreadyExists("an owner with this phone number exists", IdDetail(existing->id));
      }
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      auto id = sqlite::InsertOwner(tx.conn(), owner);
      if (!id.ok()) return id.status();
      tx.Count(Counter::kOwners);
      out = Owner{*id, owner.phone, owner.name, owner.village, owner.authority, owner.created_at};
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return out;
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
    Animal out;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      auto owner = sqlite::ReadOwnerById(tx.conn(), animal.owner_id);
      if (!owner.ok()) return owner.status();
      if (animal.tag) {
        auto existing = sqlite::ReadAnimalByTag(tx.conn(), *animal.tag);
        if (existing.ok()) {
          return AlreadyExists("an animal with this tag exists", IdDetail(existing->id));
        }
        if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      }
      auto id = sqlite::InsertAnimal(tx.conn(), animal);
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
    auto conn = readers_->Acquire();
    return sqlite::ReadAnimalByTag(*conn, tag);
  }

  Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) override {
    auto conn = readers_->Acquire();
    ReadTxn txn(*conn);
    HP_RETURN_IF_ERROR(txn.began());
    OwnerHistory h;
    auto owner = sqlite::ReadOwnerById(*conn, owner_id);
    if (!owner.ok()) return owner.status();
    h.owner = std::move(owner).value();
    auto animals = sqlite::ReadAnimalsOfOwner(*conn, owner_id);
    if (!animals.ok()) return animals.status();
    h.animals = std::move(animals).value();
    auto vaccinations = sqlite::ReadVaccinationsSince(*conn, owner_id, since);
    if (!vaccinations.ok()) return vaccinations.status();
    h.vaccinations = std::move(vaccinations).value();
    return h;
  }

  // --- vaccinations ---

  Result<std::vector<RecordResult>> RecordVaccinations(std::span<const VaccinationInput> records,
                                                       const BatchContext& ctx,
                                                       const AuditEntry& audit) override {
    std::vector<RecordResult> results;
    Status s = writer_->Run([&](WriteTxn& tx) -> Status {
      results.clear();
      results.reserve(records.size());
      for (size_t i = 0; i < records.size(); ++i) {
        RecordResult r;
        r.id = records[i].id;
        HP_RETURN_IF_ERROR(RecordOne(tx, records[i], ctx, r));
        results.push_back(std::move(r));
      }
      return tx.AppendAudit(audit);
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
      Status s = sqlite::InsertSigningKey(tx.conn(), key);
      if (s.code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("a signing key with this kid exists", key.kid);
      }
      HP_RETURN_IF_ERROR(s);
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
      // A retirement made here outlives the replacement: a key this node stopped trusting is not
      // trusted again because its country's next list still carries it.
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
      for (const SigningKey& in : keys) {
        SigningKey key = in;
        key.source = source;
        if (auto it = retired.find(key.kid); it != retired.end()) {
          key.retired_at = key.retired_at ? std::min(*key.retired_at, it->second) : it->second;
        }
        // Our own keys are gone by now: a conflict is a kid of another source, or one listed
        // twice. Either way the job fails and its savepoint restores every key it deleted.
        Status s = sqlite::InsertSigningKey(conn, key);
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
      if (st->Changes() == 0) {
        auto status = sqlite::ReadCertificateStatus(conn, id);
        if (!status.ok()) return status.status();
        if (*status == CertificateStatus::kRevoked) {
          return FailedPrecondition("the certificate is revoked");
        }
        return AlreadyExists("the certificate was consumed before", id);
      }
      auto consumed = sqlite::ReadCertificateById(conn, id);
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
                        sqlite::Writer::Durability::kWritten);
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
    AuditVerification v;
    std::string prev = kAuditGenesisHash;
    int64_t expected_seq = 1;
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      AuditRow r = AuditFromRow(*st);
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
    return v;
  }

  Result<StoreCounts> Counts() override {
    auto conn = readers_->Acquire();
    auto st = conn->Prepare(sqlite::kSelectCounters);
    if (!st.ok()) return st.status();
    StoreCounts c;
    const std::map<std::string, int64_t*> fields = {
        {sqlite::CounterName(Counter::kOwners), &c.owners},
        {sqlite::CounterName(Counter::kAnimals), &c.animals},
        {sqlite::CounterName(Counter::kVaccinations), &c.vaccinations},
        {sqlite::CounterName(Counter::kUsers), &c.users},
        {sqlite::CounterName(Counter::kAudit), &c.audit_rows},
        {sqlite::CounterName(Counter::kCertificates), &c.certificates},
    };
    for (;;) {
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto it = fields.find(st->Text(0));
      if (it != fields.end()) *it->second = st->Int(1);
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

  // Which unique key of a new certificate is taken. The Status's field names it ("id" or
  // "number"), so that service/ can draw a new number and try again.
  static Status CertificateConflict(Connection& conn, const std::string& id) {
    auto existing = sqlite::ReadCertificateStatus(conn, id);
    if (existing.ok()) {
      return Status(StatusCode::kAlreadyExists, "a certificate with this id exists", "id");
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    return Status(StatusCode::kAlreadyExists, "a certificate with this number exists", "number");
  }

  // The animals a new certificate names, as just stored: every one the owner's, and the
  // certificate's tags exactly theirs. Tags are read back through the animals rather than stored
  // twice, so that a certificate whose signed tags disagree with its animals is refused here and
  // not discovered later.
  static Status CheckAnimals(Connection& conn, const Certificate& c) {
    std::vector<int64_t> ids;
    std::vector<std::string> tags;
    std::vector<int64_t> owners;
    HP_RETURN_IF_ERROR(sqlite::ReadCertificateAnimals(conn, c.id, ids, tags, &owners));
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

  // Stores one record of a batch inside its own savepoint, so that a rejected record leaves nothing
  // behind (e.g. an owner created for it). Fills `r`. A non-ok return fails the whole batch (I/O);
  // a rejection is an ok return with r.outcome == kRejected. A rejection's field is the record's
  // field by its plain name ("species"); service/ prefixes the record's place in the batch. No
  // rejection carries an owner id, or any other id, of a jurisdiction outside ctx.scope.
  Status RecordOne(WriteTxn& tx, const VaccinationInput& in, const BatchContext& ctx,
                   RecordResult& r) {
    Connection& conn = tx.conn();
    auto reject = [&r](Status why) {
      r.outcome = RecordOutcome::kRejected;
      r.reason = std::move(why);
      r.owner_id = 0;
      return Status::Ok();
    };

    auto id = sqlite::UuidToBytes(in.id);
    if (!id) return reject(InvalidArgument("id", "the record id is not a UUID"));
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
      corrects = sqlite::UuidToBytes(in.corrects);
      if (!corrects)
        return reject(InvalidArgument("corrects", "the corrected record id is not a UUID"));
    }

    HP_RETURN_IF_ERROR(tx.BeginNested());
    Status rejection;
    Status s = StoreRecord(tx, in, *id, corrects, ctx, r, rejection);
    if (s.ok() && rejection.ok()) return tx.ReleaseNested();
    // Undo whatever the record created before it failed.
    if (!conn.InTransaction()) return s.ok() ? Unavailable("storage failed") : s;
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

  // kNotFound when no record has this id (16-byte form).
  static Result<StoredRecord> ReadStoredRecord(Connection& conn, const std::string& id_bytes) {
    auto st = conn.Prepare(sqlite::kSelectVaccinationOwner);
    if (!st.ok()) return st.status();
    st->BindBlob(1, id_bytes);
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no such vaccination record");
    return StoredRecord{st->Int(0), st->Text(1), st->Int(2) != 0};
  }

  // The body of RecordOne, inside the record's savepoint. Sets `rejection` to reject the record.
  // Every row it creates (animals, flock, the record) is stamped with the OWNER's authority, not
  // the recorder's: jurisdiction checks on reads and voids compare against these stamps. Only an
  // owner created here takes ctx.authority.
  Status StoreRecord(WriteTxn& tx, const VaccinationInput& in, const std::string& id,
                     const std::optional<std::string>& corrects, const BatchContext& ctx,
                     RecordResult& r, Status& rejection) {
    Connection& conn = tx.conn();

    // The owner.
    int64_t owner_id = 0;
    std::string authority;
    Result<Owner> owner = in.owner_id ? sqlite::ReadOwnerById(conn, *in.owner_id)
                                      : sqlite::ReadOwnerByPhone(conn, in.owner_phone);
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
      auto created = sqlite::InsertOwner(
          conn, NewOwner{in.owner_phone, in.owner_name, "", ctx.authority, ctx.at});
      if (!created.ok()) return created.status();
      tx.Count(Counter::kOwners);
      owner_id = *created;
      authority = ctx.authority;
    }

    // The record it corrects: checked here, in the transaction that stores the correction, so
    // that the voided record cannot change in between. The owner is compared before the voided
    // flag, so that nothing is told about another owner's record beyond that it is not theirs.
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
        auto animal = sqlite::ReadAnimalByTag(conn, tag);
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
        auto created = sqlite::InsertAnimal(
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
      auto st = conn.Prepare(sqlite::kSelectFlock);
      if (!st.ok()) return st.status();
      st->Bind(1, owner_id).Bind(2, in.species);
      auto row = st->Next();
      if (!row.ok()) return row.status();
      if (*row) {
        const int64_t flock_id = st->Int(0);
        const int64_t heads = st->Int(1);
        animal_ids.push_back(flock_id);
        if (heads < in.head_count) {
          auto raise = conn.Prepare(sqlite::kRaiseFlockHeadCount);
          if (!raise.ok()) return raise.status();
          raise->Bind(1, flock_id).Bind(2, in.head_count);
          HP_RETURN_IF_ERROR(raise->Run());
        }
      } else {
        auto created =
            sqlite::InsertAnimal(conn, NewAnimal{owner_id, std::nullopt, in.species, in.head_count,
                                                 "", std::nullopt, authority, ctx.at});
        if (!created.ok()) return created.status();
        tx.Count(Counter::kAnimals);
        animal_ids.push_back(*created);
      }
      head_count = in.head_count;
    }

    // The record, and its id for idempotency.
    {
      auto st = conn.Prepare(sqlite::kInsertVaccination);
      if (!st.ok()) return st.status();
      st->Bind(1, owner_id)
          .Bind(2, in.administered_on.days())
          .BindBlob(3, id)
          .BindBlob(4, sqlite::EncodeIds(animal_ids))
          .Bind(5, in.species)
          .Bind(6, head_count)
          .Bind(7, in.disease)
          .Bind(8, in.vaccine)
          .Bind(9, in.batch_no)
          .Bind(10, in.dose_ml)
          .Bind(11, in.lat)
          .Bind(12, in.lon)
          .Bind(13, in.device_id)
          .Bind(14, ctx.user_id)
          .Bind(15, sqlite::Millis(ctx.at))
          .Bind(16, authority);
      if (corrects) {
        st->BindBlob(17, *corrects);
      } else {
        st->BindNull(17);
      }
      HP_RETURN_IF_ERROR(st->Run());
    }
    {
      auto st = conn.Prepare(sqlite::kInsertVaccinationId);
      if (!st.ok()) return st.status();
      st->BindBlob(1, id).Bind(2, owner_id).Bind(3, in.administered_on.days());
      HP_RETURN_IF_ERROR(st->Run());
    }
    tx.Count(Counter::kVaccinations);
    r.outcome = RecordOutcome::kCreated;
    r.owner_id = owner_id;
    return Status::Ok();
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
  auto writer = sqlite::Writer::Start(std::move(writer_conn).value(), options.max_group);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<Store>(new SqliteStore(std::move(writer).value(), std::move(readers)));
}

std::optional<SqliteWriterStats> GetSqliteWriterStats(const Store& store) {
  const auto* sqlite_store = dynamic_cast<const SqliteStore*>(&store);
  if (sqlite_store == nullptr) return std::nullopt;
  return sqlite_store->stats();
}

int SqliteSchemaVersion() { return sqlite::LatestSchemaVersion(); }

}  // namespace herdpass
