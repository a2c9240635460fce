#include "store/postgres/writer.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>
#include <vector>

namespace herdpass::postgres {

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
  auto r = conn_.Run(kInsertAudit,
                     {seq, entry.at, entry.user_id, entry.username, entry.action, entry.target,
                      entry.detail, entry.address, hash_, hash, entry.authority});
  if (!r.ok()) return r.status();
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

std::unique_ptr<Writer> Writer::Start(std::unique_ptr<Connection> conn, int max_group) {
  return std::unique_ptr<Writer>(new Writer(std::move(conn), max_group));
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

void Writer::RunGroup(std::deque<Pending*>& group) {
  jobs_ += static_cast<int64_t>(group.size());
  std::vector<Status> results(group.size());

  // Fails every job of the group: nothing of it is stored.
  auto fail_group = [&](const char* why) {
    spdlog::warn("postgres: write transaction of {} jobs failed: {}", group.size(), why);
    if (!conn_->Broken() && conn_->InTransaction()) (void)conn_->Exec(kRollback);
    ++failed_transactions_;
    for (Pending* p : group) {
      p->done.set_value(Unavailable("storage failed to save the change; nothing was stored"));
    }
  };

  // A connection lost since the last group (a restarted server, a failover) is opened again.
  if (conn_->Broken() && !conn_->Reset().ok()) return fail_group("no connection");

  bool durable = false;
  for (const Pending* p : group) durable = durable || p->durability == Durability::kDurable;
  auto head = conn_->Simple(durable ? kBeginWrite : kBeginWriteAsync);
  if (!head.ok()) return fail_group("begin");
  int64_t audit_seq = 0;
  std::string audit_hash = kAuditGenesisHash;
  if (!head->empty()) {
    audit_seq = head->Int(0, 0);
    audit_hash = head->Text(0, 1);
  }

  std::array<int64_t, kCounterCount> deltas{};
  for (size_t i = 0; i < group.size(); ++i) {
    if (!conn_->Exec(kSavepointJob).ok()) return fail_group("savepoint");
    const int64_t seq_before = audit_seq;
    const std::string hash_before = audit_hash;
    WriteTxn txn(*conn_, audit_seq, audit_hash);
    Status s;
    try {
      s = (*group[i]->job)(txn);
    } catch (const std::exception& e) {
      spdlog::error("postgres: write job threw: {}", e.what());
      s = Internal("storage failed unexpectedly");
    }
    if (conn_->Broken() || !conn_->InTransaction()) {
      return fail_group("connection or transaction lost inside a job");
    }
    // A statement that failed inside the job aborted the transaction up to the job's savepoint:
    // the job cannot have succeeded then, whatever it returned.
    if (s.ok() && conn_->InFailedTransaction()) s = Internal("storage failed unexpectedly");
    if (s.ok()) {
      if (!conn_->Exec(kReleaseJob).ok()) return fail_group("release");
      for (int c = 0; c < kCounterCount; ++c) deltas[c] += txn.deltas_[c];
    } else {
      audit_seq = seq_before;
      audit_hash = hash_before;
      if (!conn_->Exec(kRollbackToJob).ok() || !conn_->Exec(kReleaseJob).ok()) {
        return fail_group("rollback to savepoint");
      }
    }
    results[i] = std::move(s);
  }

  // The group's counter changes, in one statement.
  std::string names = "{";
  std::string values = "{";
  for (int c = 0; c < kCounterCount; ++c) {
    if (deltas[c] == 0) continue;
    if (names.size() > 1) {
      names += ',';
      values += ',';
    }
    names += CounterName(static_cast<Counter>(c));
    values += std::to_string(deltas[c]);
  }
  names += '}';
  values += '}';
  if (names.size() > 2 && !conn_->Run(kAddCounters, {names, values}).ok()) {
    return fail_group("counters");
  }

  auto commit = conn_->Simple(kCommit);
  if (!commit.ok() || commit->command() != "COMMIT") return fail_group("commit");
  ++commits_;
  for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move(results[i]));
}

}  // namespace herdpass::postgres
