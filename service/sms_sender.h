// The SMS sender (DESIGN.md W15, docs/sms.md): a thread of `herdpass serve` that hands the outbox's
// due messages (store.h ListDueSms) to the gateway, and records what came of each.
//
// - Quiet hours: a message the owner did not ask for waits until 08:00 local (domain/sms.h).
// - Per owner: at most SmsLimits::per_owner_per_day messages in any 24 h; one over waits an hour.
// - Global: at most SmsLimits::global_per_minute hand-overs in any minute.
// - A failed hand-over is retried with backoff (SmsRetryDelay) and given up after kSmsMaxAttempts.
// - A sliding window of `window` messages in flight: read from the outbox, handed to the gateway
//   (which keeps several requests going on kept-alive connections: SmsGateway::Begin), not yet
//   marked. As the gateway answers, the sender commits the marks of the answered ones together (a
//   quarter of the window at a time, or what came within a poll: Store::ApplySmsOutcomes, group
//   commit) while the rest are still being handed over, and then reads as many due messages as the
//   commit freed (one statement leaving out those in flight, the owners' counts of the last 24 h in
//   one more, counting those in flight too). The gateway's traffic never pauses for a commit or a
//   read, and the messages in flight never exceed the window.
//   So at most `window` messages are ever handed over and not yet marked: a crash leaves at most
//   those queued, and each goes once more after the restart (each message at most once more per
//   crash; at most `window` duplicates per crash), unless its delivery report came first. Nothing
//   is lost: a message leaves the queue only once its mark is committed.
//
// Thread-safe: Start and Stop may be called from any thread; the store and the gateway are used
// from the sender's thread alone (RunOnce: the caller's, with no thread started). The store, clock
// and gateway must outlive the sender.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
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

  // The sliding window's hand-over: Begin starts handing `messages` over after those begun before
  // and may return before any is answered; Answered returns the answers come since its last call
  // (each message begun is answered exactly once), waiting up to `wait` until there are at least
  // `at_least` of them. These two hand the messages over within Begin, through SendAll.
  // REQUIRES: one caller; `at_least` no more than the messages begun and not yet answered.
  struct Answer {
    int64_t id = 0;  // SmsMessage::id
    Status status;   // as Send's
  };
  virtual void Begin(std::vector<SmsMessage> messages);
  virtual std::vector<Answer> Answered(size_t at_least, std::chrono::milliseconds wait);

 private:
  std::vector<Answer> answered_;  // the default Begin's answers, not yet taken
};

struct SmsSenderOptions {
  std::chrono::minutes utc_offset{5 * 60};  // serve --utc-offset
  SmsLimits limits;
  // How often the outbox is read when nothing wakes the sender.
  std::chrono::milliseconds poll{1000};
  // Messages in flight at most (read, handed over and not yet marked): the most that a crash can
  // leave handed over and unmarked (serve --sms-window). Marks are committed a quarter of it at a
  // time: at 512, a commit and the next read have the time of some 384 hand-overs to finish in
  // before the gateway runs dry (bench/RESULTS.md "SMS handed to Kannel").
  int window = 512;
};

class SmsSender {
 public:
  SmsSender(Store& store, const Clock& clock, SmsGateway& gateway, SmsSenderOptions options);
  ~SmsSender();  // stops
  SmsSender(const SmsSender&) = delete;
  SmsSender& operator=(const SmsSender&) = delete;

  void Start();
  // Reads no more; finishes the messages in flight (their hand-overs and marks), then returns.
  void Stop();

  struct Pass {
    int read = 0;       // due messages read (at most the room left in the window)
    int sent = 0;       // taken by the gateway and marked
    bool held = false;  // the global limit or the store stopped the pass: wait for the poll
  };
  // One pass, for tests without a thread: reads the due messages that fit in the window, hands them
  // over, waits for every answer and commits the marks.
  Pass RunOnce();

 private:
  // Reads as many due messages as the window has room for (none of those in flight), decides what
  // goes (quiet hours, limits) and begins the hand-overs; commits the deferrals at once.
  Pass Fill();
  // Takes the gateway's answers (at least `at_least`, or what came within the poll) and commits
  // their marks in one transaction; the messages answered leave the window either way.
  Pass Drain(size_t at_least);
  // Whether the global limit lets one more go now; drops hand-overs older than a minute.
  bool GlobalAllows(Timestamp now);
  void Loop();

  Store& store_;
  const Clock& clock_;
  SmsGateway& gateway_;
  SmsSenderOptions options_;
  std::deque<Timestamp> recent_;  // hand-overs of the last minute (sender thread only)
  // The window: messages begun and not yet marked, by id (sender thread only).
  std::unordered_map<int64_t, SmsMessage> in_flight_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace herdpass
