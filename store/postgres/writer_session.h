// The PostgreSQL side of the store's writer (store/writer.h): the write connection, its
// transactions and the audit head. A group with a durable job commits with synchronous_commit on
// (one WAL flush); a group of only kWritten jobs with it off. Each transaction first takes the
// writer advisory lock (queries.h) and reads the audit head under it, so that several processes
// writing to one database (two servers, the CLI beside a server) append to one unbroken chain and
// number revocations without gaps. A connection lost since the last group (a restarted server, a
// failover) is opened again at the next one. Writer thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "domain/audit.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/postgres/connection.h"
#include "store/writer.h"

namespace herdpass::postgres {

class WriteSession {
 public:
  using Connection = postgres::Connection;
  static constexpr const char* kName = "postgres";

  // Takes `conn`: migrated, no open transaction.
  explicit WriteSession(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Connection& conn() { return *conn_; }
  Status Begin(bool durable, store::AuditHead& head);
  Status Exec(store::SavepointStep step);
  bool InTransaction() { return !conn_->Broken() && conn_->InTransaction(); }
  bool StatementFailed() { return conn_->InFailedTransaction(); }
  Status InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
                     const std::string& hash);
  Status AddCounters(const store::CounterDeltas& deltas);
  Status Commit();
  void Abort();

 private:
  std::unique_ptr<Connection> conn_;
};

using Writer = store::Writer<WriteSession>;
using WriteTxn = store::WriteTxn<WriteSession>;

}  // namespace herdpass::postgres
