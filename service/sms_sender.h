// The SMS sender (DESIGN.md W15, docs/sms.md): a thread of `herdpass serve` that hands the outbox's
// due messages (store.h ListDueSms) to the gateway one at a time, and records what came of each.
//
// - Quiet hours: a message the owner did not ask for waits until 08:00 local (domain/sms.h).
// - Per owner: at most SmsLimits::per_owner_per_day messages in any 24 h; one over waits an hour.
// - Global: at most SmsLimits::global_per_minute hand-overs in any minute.
// - A failed hand-over is retried with backoff (SmsRetryDelay) and given up after kSmsMaxAttempts.
// - One message is in flight at a time and is marked sent right after the gateway took it: a crash
//   in between leaves it queued, and it goes once more after the restart (at most one duplicate per
//   crash), unless its delivery report came first.
//
// Thread-safe: Start, Stop and Wake may be called from any thread; the store and the gateway are
// used from the sender's thread alone. The store, clock and gateway must outlive the sender.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "domain/sms.h"
#include "domain/status.h"
#include "domain/time.h"
#include "store/store.h"

namespace herdpass {

// Where messages are handed over (Kannel's smsbox, http/kannel_gateway.h; a fake in tests).
class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  // Ok when the gateway took the message; an error (with what the gateway said) to retry later.
  virtual Status Send(const SmsMessage& message) = 0;
};

struct SmsSenderOptions {
  std::chrono::minutes utc_offset{5 * 60};  // serve --utc-offset
  SmsLimits limits;
  // How often the outbox is read when nothing wakes the sender.
  std::chrono::milliseconds poll{1000};
  int batch = 50;  // messages read per pass
};

class SmsSender {
 public:
  SmsSender(Store& store, const Clock& clock, SmsGateway& gateway, SmsSenderOptions options);
  ~SmsSender();  // stops
  SmsSender(const SmsSender&) = delete;
  SmsSender& operator=(const SmsSender&) = delete;

  void Start();
  // Finishes the message in flight, then returns.
  void Stop();

  // One pass over the due messages; returns how many the gateway took. For tests without a thread.
  int RunOnce();

 private:
  // Whether the global limit lets one more go now; drops hand-overs older than a minute.
  bool GlobalAllows(Timestamp now);
  void Loop();

  Store& store_;
  const Clock& clock_;
  SmsGateway& gateway_;
  SmsSenderOptions options_;
  std::deque<Timestamp> recent_;  // hand-overs of the last minute (sender thread only)

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace herdpass
