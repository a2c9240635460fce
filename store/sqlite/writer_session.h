// The SQLite side of the store's writer (store/writer.h): the write connection, its transactions
// and the audit head. WAL with synchronous=FULL for a group with a durable job, NORMAL (no fsync at
// commit) for a group of only kWritten jobs. The audit head is cached across groups and read again
// when another connection (another process: `herdpass user add` beside a running server) has
// committed since, which PRAGMA data_version tells. Writer thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "domain/audit.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/sqlite/connection.h"
#include "store/writer.h"

namespace herdpass::sqlite {

class WriteSession {
 public:
  using Connection = sqlite::Connection;
  static constexpr const char* kName = "sqlite";

  // Takes `conn`: migrated, no open transaction, synchronous=FULL.
  explicit WriteSession(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Connection& conn() { return *conn_; }
  Status Begin(bool durable, store::AuditHead& head);
  Status Exec(store::SavepointStep step);
  bool InTransaction() { return conn_->InTransaction(); }
  bool StatementFailed() { return false; }  // a failed statement leaves the transaction usable
  Status InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
                     const std::string& hash);
  Status AddCounters(const store::CounterDeltas& deltas);
  Status Commit() { return conn_->Exec(kCommit); }
  void Abort();

 private:
  std::unique_ptr<Connection> conn_;
  bool head_known_ = false;
  int64_t data_version_ = -1;
  bool sync_full_ = true;  // the connection's synchronous setting (FULL at open)
};

using Writer = store::Writer<WriteSession>;
using WriteTxn = store::WriteTxn<WriteSession>;

}  // namespace herdpass::sqlite
