// A write load for the failure tests (crash_test, backup_test, failover_pgtest): client threads,
// each with its own connection and its own owner, sending W1 batches of flock records until
// stopped, and a record of every batch: what it held, when it went out, whether it was
// acknowledged. One implementation for the three tests, which differ only in what a failed request
// means to them (WriteLoadOptions::on_failure).
//
// Thread-safe: the accessors may be called while the clients run; batches() only once stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace herdpass::testing {

struct SentBatch {
  std::string phone;
  std::vector<std::string> ids;
  nlohmann::json body;        // {"records": [...]}, to send it again
  bool acknowledged = false;  // answered 200 with every record created or duplicate
  bool all_created = false;   // ... and every one created (no duplicate)
  int64_t acked_at = -1;      // the load's event number when the answer came (see Mark())
  std::chrono::steady_clock::time_point sent;      // just before the request went out
  std::chrono::steady_clock::time_point answered;  // when the answer (or the failure) came
};

struct WriteLoadOptions {
  int port = 0;
  std::string token;    // a vaccinator's
  int first_phone = 0;  // client i writes for the owner KzPhone(first_phone + i)
  int clients = 4;
  int records_per_batch = 20;
  // What a request that fails (no answer, or an answer other than 200) means:
  enum class OnFailure {
    kTestFailure,  // a failure of the test (ADD_FAILURE); that client stops
    kServerDied,   // no answer: the server was killed, that client stops; another status fails
    kRetry,        // 503 or no answer: counted (failed()), the client carries on as a phone
                   // would after a short pause; another status is counted as unexpected()
  };
  OnFailure on_failure = OnFailure::kTestFailure;
};

class WriteLoad {
 public:
  explicit WriteLoad(WriteLoadOptions options);
  ~WriteLoad();  // stops
  WriteLoad(const WriteLoad&) = delete;
  WriteLoad& operator=(const WriteLoad&) = delete;

  void Start();
  void Stop();  // tells the clients to stop and joins them; idempotent

  // The next number of the sequence every acknowledgement also takes: a batch with acked_at below
  // a mark was acknowledged before the mark was taken.
  int64_t Mark();
  // Holds every client before its next batch and returns once no batch is in flight (each sent
  // one answered and recorded): until Resume(), nothing is sent, so a mark taken in between splits
  // the batches into those acknowledged before it and those sent after it, with none astride
  // (pgbackrest_pitr_pgtest takes its restore points there).
  void Pause();
  void Resume();
  int acknowledged() const { return acknowledged_.load(); }
  int failed() const { return failed_.load(); }
  int unexpected() const { return unexpected_.load(); }
  std::string first_unexpected() const;
  // Acknowledged batches sent at or after `since`.
  int AcknowledgedSentSince(std::chrono::steady_clock::time_point since) const;
  // A copy of every batch so far, while the clients run (the HA tests check after each failover).
  std::vector<SentBatch> Snapshot() const;
  // REQUIRES: stopped.
  std::vector<SentBatch>& batches() { return batches_; }

 private:
  void Run(const std::string& phone);

  const WriteLoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acknowledged_{0};
  std::atomic<int> failed_{0};
  std::atomic<int> unexpected_{0};
  mutable std::mutex mu_;
  std::vector<SentBatch> batches_;  // guarded by mu_
  int64_t events_ = 0;              // guarded by mu_
  std::string first_unexpected_;    // guarded by mu_

  bool paused_ = false;              // guarded by mu_
  int in_flight_ = 0;                // guarded by mu_: batches sent and not yet recorded
  std::condition_variable changed_;  // paused_, in_flight_ or stop_ changed
  std::vector<std::thread> threads_;
};

}  // namespace herdpass::testing
