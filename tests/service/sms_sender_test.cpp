// The SMS sender's passes (service/sms_sender.h) on a real SQLite store opened through the fault
// VFS (tests/support/fault_vfs.h), with a fake clock and a gateway that records what it is handed
// (the operator's side; the real smsbox is in tests/sms). A pass's group commit failing right after
// the hand-over is what a crash there leaves: the messages handed over and not marked.
#include "service/sms_sender.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "tests/support/fault_vfs.h"

namespace herdpass {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-12-07 12:00 UTC: noon with a UTC offset of 0, outside quiet hours.
Timestamp Noon() { return Timestamp(std::chrono::milliseconds(1796644800000)); }

// Takes what it is handed and records it, pass by pass; refuses the ids in `refuse`; calls
// `after` once a pass is handed over (before the sender marks it).
class RecordingGateway final : public SmsGateway {
 public:
  Status Send(const SmsMessage& m) override {
    if (refuse.count(m.id) != 0) return Unavailable("smsbox answered 503: busy");
    phones.push_back(m.phone);
    return Status::Ok();
  }
  std::vector<Status> SendAll(std::span<const SmsMessage> messages) override {
    passes.push_back(messages.size());
    std::vector<Status> out = SmsGateway::SendAll(messages);
    if (after) after();
    return out;
  }

  std::set<int64_t> refuse;
  std::function<void()> after;
  std::vector<std::string> phones;  // every message taken, in order
  std::vector<size_t> passes;       // the size of each SendAll
};

class SmsSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hp-sms-sender-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    vfs_ = &FaultVfs::Register("herdpass-sms-sender-fault");
    vfs_->Clear();
    SqliteOptions opts;
    opts.path = (dir_ / "herdpass.db").string();
    opts.vfs = vfs_->name();
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    vfs_->Clear();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string PhoneOf(int n) { return "+7701" + std::to_string(5000000 + n); }

  int64_t AddOwner(int n) {
    AuditEntry audit;
    audit.at = Noon();
    audit.action = "owner.create";
    audit.target = "owner";
    audit.detail = "{}";
    auto o = store_->CreateOwner(
        {PhoneOf(n), "Owner " + std::to_string(n), "Village", "KZ-ABY", Noon()}, audit);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? o->id : 0;
  }

  int64_t Queue(int64_t owner, const std::string& body, bool requested = false) {
    auto id = store_->QueueSms({owner, "reply", "", body, "", requested, Noon() - minutes(5)});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  SmsSender MakeSender(int window, SmsLimits limits = {1000, 100000}) {
    SmsSenderOptions o;
    o.utc_offset = minutes(0);
    o.limits = limits;
    o.window = window;
    return SmsSender(*store_, clock_, gateway_, o);
  }

  SmsMessage Find(int64_t id) {
    auto m = store_->FindSms(id);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : SmsMessage{};
  }

  std::filesystem::path dir_;
  FaultVfs* vfs_ = nullptr;
  std::unique_ptr<Store> store_;
  FakeClock clock_{Noon()};
  RecordingGateway gateway_;
};

// docs/sms.md: a crash between the hand-overs of a pass and the commit of their marks leaves
// every message of that window queued; each goes once more, none is lost, and no message outside
// the window goes twice.
TEST_F(SmsSenderTest, AWindowHandedOverAndNotMarkedGoesOnceMoreAndLosesNothing) {
  constexpr int kOwners = 20;
  constexpr int kWindow = 8;
  std::vector<int64_t> ids;
  for (int i = 0; i < kOwners; ++i)
    ids.push_back(Queue(AddOwner(i), "receipt " + std::to_string(i)));
  SmsSender sender = MakeSender(kWindow);

  // The second pass "crashes": its hand-overs are made, and every write after them fails.
  int pass_no = 0;
  gateway_.after = [&] {
    if (++pass_no == 2) vfs_->FailAllWrites();
  };
  SmsSender::Pass first = sender.RunOnce();
  EXPECT_EQ(first.read, kWindow);
  EXPECT_EQ(first.sent, kWindow);
  SmsSender::Pass crashed = sender.RunOnce();
  EXPECT_EQ(crashed.read, kWindow);
  EXPECT_EQ(crashed.sent, 0);  // nothing marked
  EXPECT_TRUE(crashed.held);   // the sender waits for its poll rather than sending them at once
  vfs_->Clear();
  gateway_.after = nullptr;
  ASSERT_EQ(gateway_.phones.size(), static_cast<size_t>(2 * kWindow));

  // Until everything has gone: a bounded number of passes.
  for (int i = 0; i < 10 && !store_->ListDueSms(clock_.Now(), 100)->empty(); ++i) {
    (void)sender.RunOnce();
  }
  EXPECT_TRUE(store_->ListDueSms(clock_.Now(), 100)->empty());
  for (const int64_t id : ids) EXPECT_EQ(Find(id).status, SmsStatus::kSent) << id;

  std::map<std::string, int> per_phone;
  for (const auto& p : gateway_.phones) ++per_phone[p];
  EXPECT_EQ(per_phone.size(), static_cast<size_t>(kOwners));  // none lost
  int twice = 0;
  for (const auto& [phone, n] : per_phone) {
    EXPECT_LE(n, 2) << phone;
    twice += n == 2 ? 1 : 0;
  }
  // Exactly the crashed window, each once more: the owners of the second pass (queued 8th to
  // 15th, the outbox's order).
  EXPECT_EQ(twice, kWindow);
  for (int i = kWindow; i < 2 * kWindow; ++i) EXPECT_EQ(per_phone[PhoneOf(i)], 2) << i;
  for (size_t n : gateway_.passes) EXPECT_LE(n, static_cast<size_t>(kWindow));
}

// The per-owner limit is read once per pass and counts the pass's own hand-overs, so that two
// messages to one owner in a pass are limited as they were one by one.
TEST_F(SmsSenderTest, TheOwnersLimitCountsThePassesOwnHandOvers) {
  const int64_t busy = AddOwner(1);
  const int64_t other = AddOwner(2);
  const int64_t before = Queue(busy, "earlier");
  ASSERT_TRUE(store_->MarkSmsSent(before, Noon() - hours(2)).ok());
  const int64_t a = Queue(busy, "a");
  const int64_t b = Queue(busy, "b");
  const int64_t c = Queue(busy, "c");
  const int64_t d = Queue(other, "d");
  SmsSender sender = MakeSender(10, {2, 100000});
  SmsSender::Pass pass = sender.RunOnce();
  EXPECT_EQ(pass.read, 4);
  EXPECT_EQ(pass.sent, 2);
  EXPECT_EQ(gateway_.phones, (std::vector<std::string>{PhoneOf(1), PhoneOf(2)}));
  EXPECT_EQ(Find(a).status, SmsStatus::kSent);
  EXPECT_EQ(Find(d).status, SmsStatus::kSent);
  for (const int64_t held : {b, c}) {
    const SmsMessage m = Find(held);
    EXPECT_EQ(m.status, SmsStatus::kQueued);
    EXPECT_EQ(m.attempts, 0);
    EXPECT_EQ(m.next_attempt_at, Noon() + hours(1));
  }
}

// Quiet hours hold what the owner did not ask for until 08:00; what they asked for goes.
TEST_F(SmsSenderTest, QuietHoursHoldWhatTheOwnerDidNotAskFor) {
  clock_.Set(Noon() + hours(11));  // 23:00
  const int64_t owner = AddOwner(1);
  const int64_t receipt = Queue(owner, "receipt");
  const int64_t reply = Queue(owner, "reply", true);
  SmsSender sender = MakeSender(10);
  EXPECT_EQ(sender.RunOnce().sent, 1);
  EXPECT_EQ(Find(reply).status, SmsStatus::kSent);
  const SmsMessage held = Find(receipt);
  EXPECT_EQ(held.status, SmsStatus::kQueued);
  EXPECT_EQ(held.next_attempt_at, Noon() + hours(20));  // 08:00 the next morning
}

// The global limit stops a pass; the rest go once the minute has passed.
TEST_F(SmsSenderTest, TheGlobalLimitHoldsThePassesRest) {
  for (int i = 0; i < 5; ++i) Queue(AddOwner(i), "m");
  SmsSender sender = MakeSender(10, {1000, 3});
  SmsSender::Pass pass = sender.RunOnce();
  EXPECT_EQ(pass.sent, 3);
  EXPECT_TRUE(pass.held);
  EXPECT_EQ(store_->ListDueSms(clock_.Now(), 10)->size(), 2u);
  EXPECT_EQ(sender.RunOnce().sent, 0);
  clock_.Advance(seconds(61));
  EXPECT_EQ(sender.RunOnce().sent, 2);
  EXPECT_EQ(gateway_.phones.size(), 5u);
}

// A message the gateway refuses in a pass is retried with backoff; the others are marked.
TEST_F(SmsSenderTest, ARefusedHandOverIsRetriedLaterAndTheRestAreMarked) {
  const int64_t ok = Queue(AddOwner(1), "ok");
  const int64_t refused = Queue(AddOwner(2), "refused");
  gateway_.refuse.insert(refused);
  SmsSender sender = MakeSender(10);
  EXPECT_EQ(sender.RunOnce().sent, 1);
  EXPECT_EQ(Find(ok).status, SmsStatus::kSent);
  const SmsMessage m = Find(refused);
  EXPECT_EQ(m.status, SmsStatus::kQueued);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.last_error, "smsbox answered 503: busy");
  EXPECT_EQ(m.next_attempt_at, Noon() + SmsRetryDelay(1));
  gateway_.refuse.clear();
  clock_.Advance(SmsRetryDelay(1));
  EXPECT_EQ(sender.RunOnce().sent, 1);
  EXPECT_EQ(Find(refused).status, SmsStatus::kSent);
}

// A gateway of the sliding window (SmsGateway::Begin, Answered) that answers nothing within
// Begin: each Answered call takes exactly `at_least` of the messages begun (the oldest first, or
// the newest with `newest_first`), all taken by the gateway. At each Begin it counts, in the store,
// the messages handed over and still queued (not marked), and how many were unanswered then.
class SlidingGateway final : public SmsGateway {
 public:
  explicit SlidingGateway(Store& store) : store_(store) {}
  Status Send(const SmsMessage&) override { return Status::Ok(); }
  void Begin(std::vector<SmsMessage> messages) override {
    std::lock_guard lock(mu_);
    for (SmsMessage& m : messages) {
      phones.push_back(m.phone);
      handed.push_back(m.id);
      pending_.push_back(m.id);
    }
    int unmarked = 0;
    for (const int64_t id : handed) {
      auto m = store_.FindSms(id);
      unmarked += m.ok() && m->status == SmsStatus::kQueued ? 1 : 0;
    }
    most_unmarked = std::max(most_unmarked, unmarked);
    unanswered_at_begin.push_back(pending_.size() - messages.size());
  }
  std::vector<Answer> Answered(size_t at_least, std::chrono::milliseconds) override {
    std::vector<Answer> out;
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < at_least && !pending_.empty(); ++i) {
        if (newest_first) {
          out.push_back({pending_.back(), Status::Ok()});
          pending_.pop_back();
        } else {
          out.push_back({pending_.front(), Status::Ok()});
          pending_.pop_front();
        }
      }
      answered += out.size();
    }
    changed_.notify_all();
    return out;
  }
  // Waits (no timeout: the test's own) until `n` messages are answered and none is pending.
  void WaitAnswered(size_t n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return answered >= n && pending_.empty(); });
  }

  bool newest_first = false;
  // Under mu_ while the sender runs; read by the test once it has stopped.
  std::vector<std::string> phones;
  std::vector<int64_t> handed;
  std::vector<size_t> unanswered_at_begin;  // messages begun before and not answered, per Begin
  int most_unmarked = 0;
  size_t answered = 0;

 private:
  Store& store_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<int64_t> pending_;
};

// The sliding window (docs/sms.md): the sender hands the next messages over while those before
// are still unanswered, commits the answered ones as they come, and never has more than the window
// handed over and not marked; every message goes exactly once, and Stop leaves none in flight.
TEST_F(SmsSenderTest, TheWindowSlidesAndNeverHoldsMoreThanItsSizeUnmarked) {
  constexpr int kMessages = 30;
  constexpr int kWindow = 8;
  std::vector<int64_t> ids;
  for (int i = 0; i < kMessages; ++i) ids.push_back(Queue(AddOwner(i), "m" + std::to_string(i)));
  SlidingGateway gateway(*store_);
  SmsSenderOptions o;
  o.utc_offset = minutes(0);
  o.limits = {1000, 100000};
  o.window = kWindow;
  o.poll = hours(1);  // nothing but the window drives it
  SmsSender sender(*store_, clock_, gateway, o);
  sender.Start();
  gateway.WaitAnswered(kMessages);
  sender.Stop();

  for (const int64_t id : ids) EXPECT_EQ(Find(id).status, SmsStatus::kSent) << id;
  EXPECT_EQ(gateway.handed, ids);  // each once, in the outbox's order
  EXPECT_EQ(gateway.most_unmarked, kWindow);
  // After the first Begin, each began with messages still unanswered: the traffic did not wait
  // for the window to empty.
  ASSERT_GT(gateway.unanswered_at_begin.size(), 2u);
  EXPECT_EQ(gateway.unanswered_at_begin.front(), 0u);
  for (size_t i = 1; i < gateway.unanswered_at_begin.size(); ++i) {
    EXPECT_GT(gateway.unanswered_at_begin[i], 0u) << i;
  }
}

// The per-owner limit counts the owner's messages in flight (handed over, not yet marked: not in
// the store's count), so a message read while an earlier one to the same owner is unanswered waits.
TEST_F(SmsSenderTest, TheOwnersLimitCountsTheMessagesInFlight) {
  const int64_t busy = AddOwner(1);
  const int64_t first = Queue(busy, "first");
  for (int i = 2; i <= 4; ++i) Queue(AddOwner(i), "other");
  const int64_t second = Queue(busy, "second");
  SlidingGateway gateway(*store_);
  gateway.newest_first = true;  // the busy owner's first message stays in flight the longest
  SmsSenderOptions o;
  o.utc_offset = minutes(0);
  o.limits = {1, 100000};
  o.window = 4;  // the four oldest first; `second` is read once one of the others is marked
  o.poll = hours(1);
  SmsSender sender(*store_, clock_, gateway, o);
  sender.Start();
  gateway.WaitAnswered(4);
  sender.Stop();

  EXPECT_EQ(Find(first).status, SmsStatus::kSent);
  const SmsMessage held = Find(second);
  EXPECT_EQ(held.status, SmsStatus::kQueued);
  EXPECT_EQ(held.attempts, 0);
  EXPECT_EQ(held.next_attempt_at, Noon() + hours(1));
  EXPECT_EQ(gateway.handed.size(), 4u);
  EXPECT_EQ(std::count(gateway.phones.begin(), gateway.phones.end(), PhoneOf(1)), 1);
}

}  // namespace
}  // namespace herdpass
