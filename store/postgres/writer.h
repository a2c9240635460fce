// The writer of the PostgreSQL backend, with group commit (as store/sqlite/writer.h).
//
// Callers (any thread) hand the writer a job: a function that makes one logical change through a
// WriteTxn. The writer thread takes every queued job (up to max_group) and runs them in ONE
// transaction on its own connection, each job inside its own SAVEPOINT, then COMMITs once: one
// WAL flush for the whole group (synchronous_commit stays on). A job that fails (returns a
// non-ok Status, a failed statement included) is rolled back to its savepoint alone; the others
// still commit. If the transaction itself fails (BEGIN, a lost connection, COMMIT), every job of
// the group gets kUnavailable and nothing of the group is stored; the writer reconnects when the
// connection was lost and serves the next group.
//
// Each transaction first takes the writer advisory lock (queries.h) and reads the audit head
// under it, so that several processes writing to one database (two servers, the CLI beside a
// server) append to one unbroken chain and number revocations without gaps.
//
// Run() blocks until the job's group has committed (or failed). A kDurable job's ok means its
// change is flushed to the server's disk. A group of only kWritten jobs (audit rows of reads)
// commits with synchronous_commit off: in the server's log, flushed by its WAL writer within a
// moment or by the next durable commit. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "domain/audit.h"
#include "domain/status.h"
#include "store/postgres/connection.h"

namespace herdpass::postgres {

// Rows counted in the counters table.
enum class Counter { kOwners, kAnimals, kVaccinations, kUsers, kAudit, kCertificates };
inline constexpr int kCounterCount = 6;
const char* CounterName(Counter c);  // the counters table's key

// What a job sees of the open transaction. Valid only during the job.
class WriteTxn {
 public:
  Connection& conn() { return conn_; }
  // Appends `entry` to the audit chain inside this job's savepoint.
  Status AppendAudit(const AuditEntry& entry);
  // Adds to a row counter; applied when the job succeeds.
  void Count(Counter c, int64_t delta = 1) { deltas_[static_cast<int>(c)] += delta; }

  // One nested savepoint inside the job (one record of a batch), so that a part of a job can be
  // undone alone. Counters and the audit head roll back with it. Not re-entrant.
  Status BeginNested();
  Status ReleaseNested();
  // Rolls back to BeginNested() and releases the savepoint.
  Status RollbackNested();

 private:
  friend class Writer;
  WriteTxn(Connection& conn, int64_t& seq, std::string& hash)
      : conn_(conn), seq_(seq), hash_(hash) {}

  Connection& conn_;
  int64_t& seq_;  // the transaction's audit head, advanced by AppendAudit
  std::string& hash_;
  std::array<int64_t, kCounterCount> deltas_{};
  // At BeginNested().
  std::array<int64_t, kCounterCount> nested_deltas_{};
  int64_t nested_seq_ = 0;
  std::string nested_hash_;
};

struct WriterStats {
  int64_t jobs = 0;                 // jobs run (committed or not)
  int64_t commits = 0;              // transactions committed
  int64_t failed_transactions = 0;  // groups that failed as a whole
  int64_t queued = 0;               // jobs waiting for the writer right now
};

class Writer {
 public:
  using Job = std::function<Status(WriteTxn&)>;
  enum class Durability { kDurable, kWritten };

  // Takes ownership of `conn` (migrated, no open transaction) and starts the writer thread.
  static std::unique_ptr<Writer> Start(std::unique_ptr<Connection> conn, int max_group);
  // Runs every job still queued, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `job` and waits for its group's commit. Returns the job's own failure, kUnavailable when
  // the group's transaction failed, or ok when the job's changes are committed.
  Status Run(const Job& job, Durability durability = Durability::kDurable);

  WriterStats stats() const;

 private:
  struct Pending {
    const Job* job;
    Durability durability;
    std::promise<Status> done;
  };

  Writer(std::unique_ptr<Connection> conn, int max_group);
  void Loop();
  void RunGroup(std::deque<Pending*>& group);

  std::unique_ptr<Connection> conn_;
  const size_t max_group_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_

  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> failed_transactions_{0};

  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace herdpass::postgres
