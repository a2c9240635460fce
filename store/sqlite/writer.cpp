#include "store/sqlite/writer.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace herdpass::sqlite {

const char* CounterName(Counter c) {
  switch (c) {
    case Counter::kOwners:
      return "owners";
    case Counter::kAnimals:
      return "animals";
    case Counter::kVaccinations:
      return "vaccinations";
    case Counter::kUsers:
      return "users";
    case Counter::kAudit:
      return "audit";
    case Counter::kCertificates:
      return "certificates";
  }
  return "";
}

Status WriteTxn::AppendAudit(const AuditEntry& entry) {
  const int64_t seq = seq_ + 1;
  std::string hash = ChainHash(hash_, seq, entry);
  auto st = conn_.Prepare(kInsertAudit);
  if (!st.ok()) return st.status();
  st->Bind(1, seq)
      .Bind(2, static_cast<int64_t>(entry.at.time_since_epoch().count()))
      .Bind(3, entry.user_id)
      .Bind(4, entry.username)
      .Bind(5, entry.action)
      .Bind(6, entry.target)
      .Bind(7, entry.detail)
      .Bind(8, entry.address)
      .Bind(9, hash_)
      .Bind(10, hash)
      .Bind(11, entry.authority);
  HP_RETURN_IF_ERROR(st->Run());
  seq_ = seq;
  hash_ = std::move(hash);
  Count(Counter::kAudit);
  return Status::Ok();
}

Status WriteTxn::BeginNested() {
  HP_RETURN_IF_ERROR(conn_.Exec(kSavepointRecord));
  nested_deltas_ = deltas_;
  nested_seq_ = seq_;
  nested_hash_ = hash_;
  return Status::Ok();
}

Status WriteTxn::ReleaseNested() { return conn_.Exec(kReleaseRecord); }

Status WriteTxn::RollbackNested() {
  deltas_ = nested_deltas_;
  seq_ = nested_seq_;
  hash_ = nested_hash_;
  HP_RETURN_IF_ERROR(conn_.Exec(kRollbackToRecord));
  return conn_.Exec(kReleaseRecord);
}

Result<std::unique_ptr<Writer>> Writer::Start(std::unique_ptr<Connection> conn, int max_group) {
  std::unique_ptr<Writer> w(new Writer(std::move(conn), max_group));
  return w;
}

Writer::Writer(std::unique_ptr<Connection> conn, int max_group)
    : conn_(std::move(conn)),
      max_group_(max_group > 0 ? static_cast<size_t>(max_group) : 1),
      thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

Status Writer::Run(const Job& job, Durability durability) {
  Pending pending{&job, durability, {}};
  std::future<Status> done = pending.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Unavailable("storage is shutting down");
    queue_.push_back(&pending);
  }
  cv_.notify_one();
  return done.get();
}

WriterStats Writer::stats() const {
  int64_t queued;
  {
    std::lock_guard lock(mu_);
    queued = static_cast<int64_t>(queue_.size());
  }
  return {jobs_.load(), commits_.load(), failed_transactions_.load(), queued};
}

void Writer::Loop() {
  std::deque<Pending*> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunGroup(group);
    group.clear();
  }
}

Status Writer::LoadAuditHead() {
  auto st = conn_->Prepare(kSelectAuditHead);
  if (!st.ok()) return st.status();
  auto row = st->Next();
  if (!row.ok()) return row.status();
  if (*row) {
    audit_seq_ = st->Int(0);
    audit_hash_ = st->Text(1);
  } else {
    audit_seq_ = 0;
    audit_hash_ = kAuditGenesisHash;
  }
  audit_head_known_ = true;
  return Status::Ok();
}

Status Writer::RefreshIfChangedElsewhere() {
  // data_version changes when a connection other than this one commits: then our cached audit head
  // may be stale (e.g. `herdpass user add` ran while the server was up).
  auto st = conn_->Prepare(kDataVersion);
  if (!st.ok()) return st.status();
  auto row = st->Next();
  if (!row.ok()) return row.status();
  const int64_t version = *row ? st->Int(0) : -1;
  if (version != data_version_) audit_head_known_ = false;
  data_version_ = version;
  if (!audit_head_known_) return LoadAuditHead();
  return Status::Ok();
}

void Writer::RunGroup(std::deque<Pending*>& group) {
  jobs_ += static_cast<int64_t>(group.size());
  std::vector<Status> results(group.size());

  // Fails every job of the group: nothing of it is stored.
  auto fail_group = [&](const char* why) {
    spdlog::warn("sqlite: write transaction of {} jobs failed: {}", group.size(), why);
    if (conn_->InTransaction()) (void)conn_->Exec(kRollback);
    audit_head_known_ = false;  // re-read at the next transaction
    ++failed_transactions_;
    for (Pending* p : group) {
      p->done.set_value(Unavailable("storage failed to save the change; nothing was stored"));
    }
  };

  bool durable = false;
  for (const Pending* p : group) durable = durable || p->durability == Durability::kDurable;
  if (durable != sync_full_) {
    if (!conn_->Exec(durable ? kSyncFull : kSyncNormal).ok()) return fail_group("synchronous");
    sync_full_ = durable;
  }
  if (!conn_->Exec(kBeginImmediate).ok()) return fail_group("begin");
  if (!RefreshIfChangedElsewhere().ok()) return fail_group("reading the audit head");

  for (size_t i = 0; i < group.size(); ++i) {
    if (!conn_->Exec(kSavepointJob).ok()) return fail_group("savepoint");
    const int64_t seq_before = audit_seq_;
    const std::string hash_before = audit_hash_;
    WriteTxn txn(*conn_, audit_seq_, audit_hash_);
    Status s;
    try {
      s = (*group[i]->job)(txn);
    } catch (const std::exception& e) {
      spdlog::error("sqlite: write job threw: {}", e.what());
      s = Internal("storage failed unexpectedly");
    }
    if (s.ok()) {
      for (int c = 0; c < kCounterCount && s.ok(); ++c) {
        if (txn.deltas_[c] == 0) continue;
        auto st = conn_->Prepare(kAddCounter);
        if (!st.ok()) {
          s = st.status();
          break;
        }
        st->Bind(1, CounterName(static_cast<Counter>(c))).Bind(2, txn.deltas_[c]);
        s = st->Run();
      }
    }
    // Some errors (I/O, full disk) make SQLite roll back the whole transaction by itself.
    if (!conn_->InTransaction()) return fail_group("transaction lost inside a job");
    if (s.ok()) {
      if (!conn_->Exec(kReleaseJob).ok()) return fail_group("release");
    } else {
      audit_seq_ = seq_before;
      audit_hash_ = hash_before;
      if (!conn_->Exec(kRollbackToJob).ok() || !conn_->Exec(kReleaseJob).ok()) {
        return fail_group("rollback to savepoint");
      }
    }
    results[i] = std::move(s);
  }

  if (!conn_->Exec(kCommit).ok()) return fail_group("commit");
  ++commits_;
  // Our own commit bumps no data_version of ours; nothing to refresh.
  for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move(results[i]));
}

}  // namespace herdpass::sqlite
