#include "store/postgres/writer_session.h"

#include "store/postgres/queries.h"

namespace herdpass::postgres {

Status WriteSession::Begin(bool durable, store::AuditHead& head) {
  if (conn_->Broken() && !conn_->Reset().ok()) return Unavailable("no connection");
  auto last = conn_->Simple(durable ? kBeginWrite : kBeginWriteAsync);
  if (!last.ok()) return Unavailable("begin");
  if (last->empty()) {
    head.seq = 0;
    head.hash = kAuditGenesisHash;
  } else {
    head.seq = last->Int(0, 0);
    head.hash = last->Text(0, 1);
  }
  return Status::Ok();
}

Status WriteSession::Exec(store::SavepointStep step) {
  // In the order of store::SavepointStep.
  static constexpr const Query* kSteps[] = {&kSavepointJob,    &kReleaseJob,    &kRollbackToJob,
                                            &kSavepointRecord, &kReleaseRecord, &kRollbackToRecord};
  return conn_->Exec(*kSteps[static_cast<int>(step)]);
}

Status WriteSession::InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
                                 const std::string& hash) {
  auto r = conn_->Run(kInsertAudit,
                      {seq, entry.at, entry.user_id, entry.username, entry.action, entry.target,
                       entry.detail, entry.address, prev_hash, hash, entry.authority});
  return r.status();
}

// In one statement: the counters' names and deltas as two arrays.
Status WriteSession::AddCounters(const store::CounterDeltas& deltas) {
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
  return conn_->Run(kAddCounters, {names, values}).status();
}

Status WriteSession::Commit() {
  auto commit = conn_->Simple(kCommit);
  if (!commit.ok()) return commit.status();
  if (commit->command() != "COMMIT") return Unavailable("the transaction was rolled back");
  return Status::Ok();
}

void WriteSession::Abort() {
  if (!conn_->Broken() && conn_->InTransaction()) (void)conn_->Exec(kRollback);
}

}  // namespace herdpass::postgres
