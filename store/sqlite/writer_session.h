// The SQLite side of the store's writer (store/writer.h): the write connection, its transactions
// and the audit head. WAL with synchronous=FULL for a group with a durable job, NORMAL (no fsync at
// commit) for a group of only kWritten jobs. The audit head is cached across groups and read again
// when another connection (another process: `herdpass user add` beside a running server) has
// committed since, which PRAGMA data_version tells. Writer thread only.
#pragma once

#include <string>

#include "store/sqlite/connection.h"
#include "store/sqlite/queries.h"
#include "store/writer.h"

namespace herdpass::sqlite {

class WriteSession : public store::SessionBase<Connection> {
 public:
  static constexpr const char* kName = "sqlite";

  using SessionBase::SessionBase;  // the connection opens with synchronous=FULL

  Status Begin(bool durable, store::AuditHead& head) {
    if (durable != sync_full_) {
      if (!conn_->Exec(durable ? kSyncFull : kSyncNormal).ok()) return Unavailable("synchronous");
      sync_full_ = durable;
    }
    if (!conn_->Exec(kBeginImmediate).ok()) return Unavailable("begin");
    // data_version changes when a connection other than this one commits: then the cached audit
    // head may be stale. Our own commits leave it as it is.
    auto version = conn_->Prepare(kDataVersion);
    if (!version.ok()) return Unavailable("reading the audit head");
    auto row = version->Next();
    if (!row.ok()) return Unavailable("reading the audit head");
    const int64_t v = *row ? version->Int(0) : -1;
    if (v != data_version_) head_known_ = false;
    data_version_ = v;
    if (head_known_) return Status::Ok();

    auto st = conn_->Prepare(kSelectAuditHead);
    if (!st.ok()) return Unavailable("reading the audit head");
    row = st->Next();
    if (!row.ok()) return Unavailable("reading the audit head");
    head =
        *row ? store::AuditHead{st->Int(0), st->Text(1)} : store::AuditHead{0, kAuditGenesisHash};
    head_known_ = true;
    return Status::Ok();
  }

  bool InTransaction() { return conn_->InTransaction(); }
  bool StatementFailed() { return false; }  // a failed statement leaves the transaction usable
  void DeferAudit(bool /*defer*/) {}        // every insert is answered at once anyway

  Status InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
                     const std::string& hash) {
    HP_ASSIGN_OR_RETURN(Statement st, conn_->Prepare(kInsertAudit));
    st.Bind(1, seq)
        .Bind(2, static_cast<int64_t>(entry.at.time_since_epoch().count()))
        .Bind(3, entry.user_id)
        .Bind(4, entry.username)
        .Bind(5, entry.action)
        .Bind(6, entry.target)
        .Bind(7, entry.detail)
        .Bind(8, entry.address)
        .Bind(9, prev_hash)
        .Bind(10, hash)
        .Bind(11, entry.authority);
    return st.Run();
  }

  // One statement per counter that changed.
  Status AddCounters(const store::CounterDeltas& deltas) {
    for (int c = 0; c < store::kCounterCount; ++c) {
      if (deltas[c] == 0) continue;
      HP_ASSIGN_OR_RETURN(Statement st, conn_->Prepare(kAddCounter));
      st.Bind(1, store::CounterName(static_cast<store::Counter>(c))).Bind(2, deltas[c]);
      HP_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  }

  Status Commit() { return conn_->Exec(kCommit); }

  void Abort() {
    if (conn_->InTransaction()) (void)conn_->Exec(kRollback);
    head_known_ = false;  // read again at the next transaction
  }

 private:
  bool head_known_ = false;
  int64_t data_version_ = -1;
  bool sync_full_ = true;  // the connection's synchronous setting (FULL at open)
};

}  // namespace herdpass::sqlite
