// The PostgreSQL side of the store's writer (store/writer.h): the write connection, its
// transactions and the audit head. A group with a durable job commits with synchronous_commit on
// (one WAL flush); a group of only kWritten jobs with it off. Each transaction first takes the
// writer advisory lock (queries.h) and reads the audit head under it, so that several processes
// writing to one database (two servers, the CLI beside a server) append to one unbroken chain and
// number revocations without gaps. A connection lost since the last group (a restarted server, a
// failover) is opened again at the next one. From Begin to Commit (or Abort) the connection is in
// pipeline mode (connection.h): statements whose answers are not needed at once (savepoints,
// counters, a batch's records) travel with the next one that is. Writer thread only.
#pragma once

#include <string>

#include "store/postgres/connection.h"
#include "store/postgres/queries.h"
#include "store/writer.h"

namespace herdpass::postgres {

class WriteSession : public store::SessionBase<Connection> {
 public:
  static constexpr const char* kName = "postgres";

  using SessionBase::SessionBase;

  // The lock and the audit head in the same round trip as BEGIN (kBeginWrite).
  Status Begin(bool durable, store::AuditHead& head) {
    if (conn_->Broken() && !conn_->Reset().ok()) return Unavailable("no connection");
    auto last = conn_->Simple(durable ? kBeginWrite : kBeginWriteAsync);
    if (!last.ok()) return Unavailable("begin");
    head = last->empty() ? store::AuditHead{0, kAuditGenesisHash}
                         : store::AuditHead{last->Int(0, 0), last->Text(0, 1)};
    // The rest of the group in pipeline mode: the savepoint statements and the counters go out
    // with the next statement that waits (a job's first read or write, the COMMIT).
    if (!conn_->BeginPipeline().ok()) return Unavailable("pipeline");
    return Status::Ok();
  }

  bool InTransaction() { return !conn_->Broken() && conn_->InTransaction(); }
  // Waits for what was sent without waiting (a batch's records), whose failure fails the job.
  bool StatementFailed() { return !conn_->Sync().ok() || conn_->InFailedTransaction(); }

  // Sent without waiting while DeferAudit is on (its failure comes with StatementFailed).
  void DeferAudit(bool defer) { defer_audit_ = defer; }
  Status InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
                     const std::string& hash) {
    if (defer_audit_) {
      return conn_->Send(kInsertAudit,
                         {seq, entry.at, entry.user_id, entry.username, entry.action, entry.target,
                          entry.detail, entry.address, prev_hash, hash, entry.authority});
    }
    return conn_
        ->Run(kInsertAudit,
              {seq, entry.at, entry.user_id, entry.username, entry.action, entry.target,
               entry.detail, entry.address, prev_hash, hash, entry.authority})
        .status();
  }

  // In one statement: the counters' names and deltas as two arrays.
  Status AddCounters(const store::CounterDeltas& deltas) {
    std::string names = "{";
    std::string values = "{";
    for (int c = 0; c < store::kCounterCount; ++c) {
      if (deltas[c] == 0) continue;
      if (names.size() > 1) {
        names += ',';
        values += ',';
      }
      names += store::CounterName(static_cast<store::Counter>(c));
      values += std::to_string(deltas[c]);
    }
    names += '}';
    values += '}';
    return conn_->Send(kAddCounters, {names, values});
  }

  // A COMMIT of a transaction that an error aborted answers ROLLBACK.
  Status Commit() {
    HP_ASSIGN_OR_RETURN(const Rows commit, conn_->Simple(kCommit));
    HP_RETURN_IF_ERROR(conn_->EndPipeline());
    if (commit.command() != "COMMIT") return Unavailable("the transaction was rolled back");
    return Status::Ok();
  }

  void Abort() {
    (void)conn_->EndPipeline();
    if (!conn_->Broken() && conn_->InTransaction()) (void)conn_->Exec(kRollback);
  }

 private:
  bool defer_audit_ = false;
};

}  // namespace herdpass::postgres
