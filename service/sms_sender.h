// The SMS sender (DESIGN.md W15, docs/sms.md): a thread of `herdpass serve` that hands the outbox's
// due messages (store.h ListDueSms) to the gateway in passes, and records what came of each.
//
// - Quiet hours: a message the owner did not ask for waits until 08:00 local (domain/sms.h).
// - Per owner: at most SmsLimits::per_owner_per_day messages in any 24 h; one over waits an hour.
// - Global: at most SmsLimits::global_per_minute hand-overs in any minute.
// - A failed hand-over is retried with backoff (SmsRetryDelay) and given up after kSmsMaxAttempts.
// - A pass reads up to `window` due messages (one statement), the owners' counts of the last 24 h
//   (one read job), hands the messages over together (the gateway keeps several in flight on
//   kept-alive connections: SmsGateway::SendAll), then commits what came of all of them in ONE
//   transaction (Store::ApplySmsOutcomes, group commit) before the next pass reads the outbox.
//   So at most `window` messages are ever handed over and not yet marked: a crash leaves at most
//   those queued, and each goes once more after the restart (each message at most once more per
//   crash; at most `window` duplicates per crash), unless its delivery report came first. Nothing
//   is lost: a message leaves the queue only once its mark is committed.
//
// Thread-safe: Start, Stop and Wake may be called from any thread; the store and the gateway are
// used from the sender's thread alone. The store, clock and gateway must outlive the sender.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

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
  // Hands every one of `messages` over, as many at once as the gateway keeps in flight, and
  // returns one status per message, in order, once all are answered. This one sends them one at a
  // time through Send.
  virtual std::vector<Status> SendAll(std::span<const SmsMessage> messages);
};

struct SmsSenderOptions {
  std::chrono::minutes utc_offset{5 * 60};  // serve --utc-offset
  SmsLimits limits;
  // How often the outbox is read when nothing wakes the sender.
  std::chrono::milliseconds poll{1000};
  // Messages read, handed over and marked per pass: the most that a crash can leave handed over
  // and unmarked (serve --sms-window).
  // 512: smsbox answers the last hand-overs of a burst some 40 ms late (measured: Kannel's own
  // delay once traffic pauses, whatever the client does), once per pass; a window this size
  // keeps that under a third of a pass (bench/RESULTS.md "SMS handed to Kannel").
  int window = 512;
};

class SmsSender {
 public:
  SmsSender(Store& store, const Clock& clock, SmsGateway& gateway, SmsSenderOptions options);
  ~SmsSender();  // stops
  SmsSender(const SmsSender&) = delete;
  SmsSender& operator=(const SmsSender&) = delete;

  void Start();
  // Finishes the pass in flight (its hand-overs and their marks), then returns.
  void Stop();

  struct Pass {
    int read = 0;       // due messages read (at most the window)
    int sent = 0;       // taken by the gateway and marked
    bool held = false;  // the global limit or the store stopped the pass: wait for the poll
  };
  // One pass over the due messages. For tests without a thread.
  Pass RunOnce();

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
