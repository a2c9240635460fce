#include "store/sqlite/writer_session.h"

#include "store/sqlite/queries.h"

namespace herdpass::sqlite {

Status WriteSession::Begin(bool durable, store::AuditHead& head) {
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
  if (*row) {
    head.seq = st->Int(0);
    head.hash = st->Text(1);
  } else {
    head.seq = 0;
    head.hash = kAuditGenesisHash;
  }
  head_known_ = true;
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
  auto st = conn_->Prepare(kInsertAudit);
  if (!st.ok()) return st.status();
  st->Bind(1, seq)
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
  return st->Run();
}

Status WriteSession::AddCounters(const store::CounterDeltas& deltas) {
  for (int c = 0; c < store::kCounterCount; ++c) {
    if (deltas[c] == 0) continue;
    auto st = conn_->Prepare(kAddCounter);
    if (!st.ok()) return st.status();
    st->Bind(1, store::CounterName(static_cast<store::Counter>(c))).Bind(2, deltas[c]);
    HP_RETURN_IF_ERROR(st->Run());
  }
  return Status::Ok();
}

void WriteSession::Abort() {
  if (conn_->InTransaction()) (void)conn_->Exec(kRollback);
  head_known_ = false;  // read again at the next transaction
}

}  // namespace herdpass::sqlite
