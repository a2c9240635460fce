// The single writer of a store, with group commit: written once for both backends.
//
// Callers (any thread) hand the writer a job: a function that makes one logical change through a
// WriteTxn. The writer thread takes every queued job (up to max_group) and runs them in ONE
// transaction, each job inside its own savepoint, then commits once: one fsync (SQLite) or one WAL
// flush (PostgreSQL) for the whole group. A job that fails (returns a non-ok Status, or leaves a
// failed statement behind) is rolled back to its savepoint alone; the others still commit. If the
// transaction itself fails (begin, a lost transaction or connection, commit), every job of the
// group gets kUnavailable and nothing of the group is stored; the writer rolls back and serves the
// next group. Consecutive kWritten jobs (audit rows of reads: W2's) share one savepoint and one
// wait for the server; should one of them fail, they are undone together and run again each in
// its own savepoint, so that each still fails alone.
//
// Run() blocks until the job's group has committed (or failed). A kDurable job's ok means its
// change is on disk. A group of only kWritten jobs (audit rows of reads) commits without waiting
// for the disk: in the database's log, which survives a crash of this process, flushed by the next
// durable commit (or, on PostgreSQL, by its WAL writer within a moment). Thread-safe.
//
// What differs between the backends is a Session (store/sqlite/writer_session.h,
// store/postgres/writer_session.h): the write connection with its SQL. A Session provides
//   using Connection = ...;            what jobs write through (WriteTxn::conn())
//   static constexpr const char* kName; for logs
//   Connection& conn();
//   // Opens the group's transaction (durable: the commit waits for the disk) and sets `head` to
//   // the audit head as of its start (or leaves it, when the session knows it is current).
//   Status Begin(bool durable, AuditHead& head);
//   bool InTransaction();   // false when the transaction or the connection was lost
//   bool StatementFailed(); // a statement failed inside the transaction (it is aborted)
//   // While on, InsertAudit may send the row without waiting for it: its failure then comes
//   // with StatementFailed() (a run of kWritten jobs, Writer::RunGroup).
//   void DeferAudit(bool defer);
//   Status InsertAudit(int64_t seq, const AuditEntry& entry, const std::string& prev_hash,
//                      const std::string& hash);
//   Status AddCounters(const CounterDeltas& deltas);  // REQUIRES: some delta not 0
//   Status Commit();
//   void Abort();  // after a failure: rolls back what is open; the audit head is read again
// and its Connection runs the savepoint statements below with `Status Exec(const Query&)`.
// All Session calls are made on the writer thread.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/audit.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/query.h"
#include "store/store.h"

namespace herdpass::store {

// The last row of the audit chain: what the next row links to.
struct AuditHead {
  int64_t seq = 0;
  std::string hash;  // kAuditGenesisHash for an empty chain; set by Session::Begin
};

// The savepoints of a group: one per job, and one nested per record of a batch. Standard SQL that
// SQLite and PostgreSQL both take as it is.
inline constexpr Query kSavepointJob{"SavepointJob", "SAVEPOINT job"};
inline constexpr Query kReleaseJob{"ReleaseJob", "RELEASE SAVEPOINT job"};
inline constexpr Query kRollbackToJob{"RollbackToJob", "ROLLBACK TO SAVEPOINT job"};
inline constexpr Query kSavepointRecord{"SavepointRecord", "SAVEPOINT record"};
inline constexpr Query kReleaseRecord{"ReleaseRecord", "RELEASE SAVEPOINT record"};
inline constexpr Query kRollbackToRecord{"RollbackToRecord", "ROLLBACK TO SAVEPOINT record"};

// kWritten: a job whose change may be rolled back and made again (audit rows of reads): the writer
// runs consecutive ones under one savepoint and, should one of them fail, again one at a time.
enum class Durability { kDurable, kWritten };

// What every Session has: its write connection, owned.
template <class Conn>
class SessionBase {
 public:
  using Connection = Conn;
  // Takes `conn`: migrated, no open transaction.
  explicit SessionBase(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
  Connection& conn() { return *conn_; }

 protected:
  std::unique_ptr<Connection> conn_;
};

template <class Session>
class Writer;

// What a job sees of the open transaction. Valid only during the job.
template <class Session>
class WriteTxn {
 public:
  typename Session::Connection& conn() { return session_.conn(); }
  // Appends `entry` to the audit chain inside this job's savepoint.
  Status AppendAudit(const AuditEntry& entry) {
    const int64_t seq = head_.seq + 1;
    std::string hash = ChainHash(head_.hash, seq, entry);
    HP_RETURN_IF_ERROR(session_.InsertAudit(seq, entry, head_.hash, hash));
    head_.seq = seq;
    head_.hash = std::move(hash);
    Count(Counter::kAudit);
    return Status::Ok();
  }
  // Adds to a row counter; applied when the job succeeds.
  void Count(Counter c, int64_t delta = 1) { deltas_[static_cast<int>(c)] += delta; }

  // One nested savepoint inside the job (one record of a batch), so that a part of a job can be
  // undone alone. Counters and the audit head roll back with it. Not re-entrant.
  // With `lazy`, the SAVEPOINT is sent only by SaveNested(), which the caller calls before the
  // part's first write that reaches the database at once: a caller that holds the part's other
  // writes back until the part is done, and forgets them when it is rolled back (PostgreSQL's
  // batch port), needs no savepoint for a part that writes nothing at once.
  Status BeginNested(bool lazy = false) {
    nested_deltas_ = deltas_;
    nested_head_ = head_;
    nested_ = lazy ? Nested::kLazy : Nested::kSaved;
    return lazy ? Status::Ok() : session_.conn().Exec(kSavepointRecord);
  }
  Status SaveNested() {
    if (nested_ != Nested::kLazy) return Status::Ok();
    nested_ = Nested::kSaved;
    return session_.conn().Exec(kSavepointRecord);
  }
  Status ReleaseNested() {
    const bool saved = nested_ == Nested::kSaved;
    nested_ = Nested::kNone;
    return saved ? session_.conn().Exec(kReleaseRecord) : Status::Ok();
  }
  // Rolls back to BeginNested() and releases the savepoint.
  Status RollbackNested() {
    deltas_ = nested_deltas_;
    head_ = nested_head_;
    const bool saved = nested_ == Nested::kSaved;
    nested_ = Nested::kNone;
    if (!saved) return Status::Ok();
    HP_RETURN_IF_ERROR(session_.conn().Exec(kRollbackToRecord));
    return session_.conn().Exec(kReleaseRecord);
  }
  // False when the transaction (or the connection) is gone: nothing more can be written.
  bool InTransaction() { return session_.InTransaction(); }

 private:
  friend class Writer<Session>;
  WriteTxn(Session& session, AuditHead& head) : session_(session), head_(head) {}

  Session& session_;
  AuditHead& head_;  // the transaction's audit head, advanced by AppendAudit
  CounterDeltas deltas_{};
  // At BeginNested().
  CounterDeltas nested_deltas_{};
  AuditHead nested_head_;
  // No nested part; one whose SAVEPOINT is not sent yet (lazy); one whose SAVEPOINT is sent.
  enum class Nested { kNone, kLazy, kSaved };
  Nested nested_ = Nested::kNone;
};

template <class Session>
class Writer {
 public:
  using Txn = WriteTxn<Session>;
  using Job = std::function<Status(Txn&)>;

  // Takes ownership of `session` (its connection migrated, no open transaction) and starts the
  // writer thread.
  static std::unique_ptr<Writer> Start(std::unique_ptr<Session> session, int max_group) {
    return std::unique_ptr<Writer>(new Writer(std::move(session), max_group));
  }
  // Runs every job still queued, then stops the thread.
  ~Writer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `job` and waits for its group's commit. Returns the job's own failure, kUnavailable when
  // the group's transaction failed, or ok when the job's changes are committed (durably, for
  // kDurable).
  Status Run(const Job& job, Durability durability = Durability::kDurable) {
    Pending pending{&job, durability, {}, {}, {}};
    std::future<Status> done = pending.done.get_future();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Unavailable("storage is shutting down");
      queue_.push_back(&pending);
    }
    cv_.notify_one();
    return done.get();
  }

  // As Run(), without waiting: `then` is called with what Run() would return, once, when the
  // job's group has committed (or failed): on the writer thread, so it must only hand the result
  // on (post it to where it is wanted), never block nor write through this writer. Called at once,
  // on the caller's thread, when the writer is stopping. A caller (W2's answer, which is sent
  // only once its audit row is committed) holds no thread while it waits.
  void RunThen(Job job, Durability durability, std::function<void(Status)> then) {
    auto pending = std::make_unique<Pending>();
    pending->owned = std::move(job);
    pending->job = &pending->owned;
    pending->durability = durability;
    pending->then = std::move(then);
    {
      std::lock_guard lock(mu_);
      if (!stopping_) {
        queue_.push_back(pending.release());
        pending = nullptr;
      }
    }
    if (pending) return pending->then(Unavailable("storage is shutting down"));
    cv_.notify_one();
  }

  // Runs `job` (Result<T>(Txn&)) as Run() does and, when it succeeds, appends `audit` in the same
  // savepoint; returns what the job made.
  template <class T, class F>
  Result<T> RunAudited(F job, const AuditEntry& audit) {
    std::optional<T> out;
    Status s = Run([&](Txn& tx) -> Status {
      HP_ASSIGN_OR_RETURN(out, job(tx));
      return tx.AppendAudit(audit);
    });
    if (!s.ok()) return s;
    return std::move(*out);
  }

  WriterStats stats() const {
    // `jobs` is read before the queue: a job leaves the queue before it is counted, so read in this
    // order no job is counted both as queued and as taken (read the other way, one taken between
    // the two reads was, and jobs + queued overshot the calls made).
    const int64_t jobs = jobs_.load();
    int64_t queued;
    {
      std::lock_guard lock(mu_);
      queued = static_cast<int64_t>(queue_.size());
    }
    return {jobs, commits_.load(), failed_transactions_.load(), queued};
  }

 private:
  struct Pending {
    const Job* job;
    Durability durability;
    std::promise<Status> done;         // Run()'s
    std::function<void(Status)> then;  // RunThen()'s, which owns the Pending
    Job owned;                         // RunThen()'s job
  };
  // Hands `p` its result: to Run()'s waiting caller, or to RunThen()'s `then` (which may hand it to
  // another thread: nothing of `p` is touched after it).
  static void Finish(Pending* p, Status s) {
    if (!p->then) return p->done.set_value(std::move(s));
    std::unique_ptr<Pending> owned(p);
    try {
      owned->then(std::move(s));
    } catch (const std::exception& e) {
      spdlog::error("{}: a write's completion threw: {}", Session::kName, e.what());
    }
  }

  Writer(std::unique_ptr<Session> session, int max_group)
      : session_(std::move(session)),
        max_group_(max_group > 0 ? static_cast<size_t>(max_group) : 1),
        thread_([this] { Loop(); }) {}

  void Loop() {
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

  void RunGroup(std::deque<Pending*>& group);

  const std::unique_ptr<Session> session_;
  const size_t max_group_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_

  AuditHead head_;  // writer thread only

  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> failed_transactions_{0};

  std::thread thread_;  // last: starts after everything above is initialised
};

template <class Session>
void Writer<Session>::RunGroup(std::deque<Pending*>& group) {
  Session& session = *session_;
  jobs_ += static_cast<int64_t>(group.size());
  std::vector<Status> results(group.size());

  // Fails every job of the group: nothing of it is stored.
  auto fail_group = [&](const char* why) {
    spdlog::warn("{}: write transaction of {} jobs failed: {}", Session::kName, group.size(), why);
    session.Abort();
    ++failed_transactions_;
    for (Pending* p : group) {
      Finish(p, Unavailable("storage failed to save the change; nothing was stored"));
    }
  };

  bool durable = false;
  for (const Pending* p : group) durable = durable || p->durability == Durability::kDurable;
  if (Status begun = session.Begin(durable, head_); !begun.ok()) {
    return fail_group(begun.message().c_str());
  }

  CounterDeltas deltas{};
  // Runs group[i] inside its own savepoint; false when that failed the whole group.
  auto run_alone = [&](size_t i) -> bool {
    if (!session.conn().Exec(kSavepointJob).ok()) {
      fail_group("savepoint");
      return false;
    }
    const AuditHead head_before = head_;
    Txn txn(session, head_);
    Status s;
    try {
      s = (*group[i]->job)(txn);
    } catch (const std::exception& e) {
      spdlog::error("{}: write job threw: {}", Session::kName, e.what());
      s = Internal("storage failed unexpectedly");
    }
    // Some errors (I/O, a full disk, a lost connection) end the whole transaction by themselves.
    if (!session.InTransaction()) {
      fail_group("transaction lost inside a job");
      return false;
    }
    // A statement that failed inside the job (PostgreSQL) aborted the transaction up to the job's
    // savepoint: the job cannot have succeeded then, whatever it returned.
    if (s.ok() && session.StatementFailed()) s = Internal("storage failed unexpectedly");
    if (s.ok()) {
      if (!session.conn().Exec(kReleaseJob).ok()) {
        fail_group("release");
        return false;
      }
      for (int c = 0; c < kCounterCount; ++c) deltas[c] += txn.deltas_[c];
    } else {
      head_ = head_before;
      if (!session.conn().Exec(kRollbackToJob).ok() || !session.conn().Exec(kReleaseJob).ok()) {
        {
          fail_group("rollback to savepoint");
          return false;
        }
      }
    }
    results[i] = std::move(s);
    return true;
  };
  // Runs the kWritten jobs (audit rows of reads) group[begin, end) inside ONE savepoint, their
  // audit rows sent without waiting (Session::DeferAudit) and checked once: one wait for them all
  // on PostgreSQL. Should any of them fail, they are rolled back together and run again one at a
  // time, as any other job (what a kWritten job writes may be written again). False when that
  // failed the whole group.
  auto run_shared = [&](size_t begin, size_t end) -> bool {
    if (!session.conn().Exec(kSavepointJob).ok()) {
      fail_group("savepoint");
      return false;
    }
    const AuditHead head_before = head_;
    CounterDeltas shared{};
    bool ok = true;
    session.DeferAudit(true);
    for (size_t i = begin; ok && i < end; ++i) {
      Txn txn(session, head_);
      try {
        ok = (*group[i]->job)(txn).ok();
      } catch (const std::exception& e) {
        spdlog::error("{}: write job threw: {}", Session::kName, e.what());
        ok = false;
      }
      for (int c = 0; c < kCounterCount; ++c) shared[c] += txn.deltas_[c];
    }
    session.DeferAudit(false);
    if (!session.InTransaction()) {
      fail_group("transaction lost inside a job");
      return false;
    }
    if (ok && session.StatementFailed()) ok = false;
    if (ok) {
      if (!session.conn().Exec(kReleaseJob).ok()) {
        fail_group("release");
        return false;
      }
      for (int c = 0; c < kCounterCount; ++c) deltas[c] += shared[c];
      for (size_t i = begin; i < end; ++i) results[i] = Status::Ok();
      return true;
    }
    head_ = head_before;
    if (!session.conn().Exec(kRollbackToJob).ok() || !session.conn().Exec(kReleaseJob).ok()) {
      {
        fail_group("rollback to savepoint");
        return false;
      }
    }
    for (size_t i = begin; i < end; ++i) {
      if (!run_alone(i)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < group.size();) {
    size_t end = i;
    while (end < group.size() && group[end]->durability == Durability::kWritten) ++end;
    if (end - i >= 2) {
      if (!run_shared(i, end)) return;
      i = end;
      continue;
    }
    if (!run_alone(i)) return;
    ++i;
  }

  // The group's counter changes, once for the group.
  bool counted = false;
  for (int64_t d : deltas) counted = counted || d != 0;
  if (counted && !session.AddCounters(deltas).ok()) return fail_group("counters");

  if (!session.Commit().ok()) return fail_group("commit");
  ++commits_;
  for (size_t i = 0; i < group.size(); ++i) Finish(group[i], std::move(results[i]));
}

}  // namespace herdpass::store
