#include "service/sms_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace herdpass {

SmsSender::SmsSender(Store& store, const Clock& clock, SmsGateway& gateway,
                     SmsSenderOptions options)
    : store_(store), clock_(clock), gateway_(gateway), options_(options) {}

SmsSender::~SmsSender() { Stop(); }

void SmsSender::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void SmsSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SmsSender::GlobalAllows(Timestamp now) {
  while (!recent_.empty() && recent_.front() <= now - std::chrono::minutes(1)) recent_.pop_front();
  return static_cast<int>(recent_.size()) < options_.limits.global_per_minute;
}

std::vector<Status> SmsGateway::SendAll(std::span<const SmsMessage> messages) {
  std::vector<Status> out;
  out.reserve(messages.size());
  for (const SmsMessage& m : messages) out.push_back(Send(m));
  return out;
}

void SmsGateway::Begin(std::vector<SmsMessage> messages) {
  const std::vector<Status> statuses = SendAll(messages);
  for (size_t i = 0; i < messages.size(); ++i) {
    answered_.push_back(
        {messages[i].id, i < statuses.size() ? statuses[i] : Unavailable("not handed over")});
  }
}

std::vector<SmsGateway::Answer> SmsGateway::Answered(size_t /*at_least*/,
                                                     std::chrono::milliseconds /*wait*/) {
  return std::exchange(answered_, {});
}

SmsSender::Pass SmsSender::Fill() {
  Pass pass;
  const int room = options_.window - static_cast<int>(in_flight_.size());
  if (room <= 0) return pass;
  const Timestamp now = clock_.Now();
  std::vector<int64_t> flying;
  flying.reserve(in_flight_.size());
  for (const auto& [id, m] : in_flight_) flying.push_back(id);
  auto due = store_.ListDueSms(now, room, flying);
  if (!due.ok()) {
    spdlog::warn("sms: cannot read the outbox: {}", due.status().message());
    return pass;
  }
  pass.read = static_cast<int>(due->size());
  if (due->empty()) return pass;

  // The owners' counts of the last 24 h, read once for the read; the messages in flight (handed
  // over, not yet marked: not in the store's count) and this read's hand-overs are added, so that
  // two messages to one owner count as they would one by one. The marks are committed on this
  // thread alone, so none is counted both in the store and in flight.
  std::vector<int64_t> owners;
  for (const SmsMessage& m : *due) owners.push_back(m.owner_id);
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  auto counts = store_.CountSmsSentSinceEach(owners, now - std::chrono::hours(24));
  if (!counts.ok()) {
    spdlog::warn("sms: cannot read the owners' counts: {}", counts.status().message());
    pass.held = true;
    return pass;
  }
  std::unordered_map<int64_t, int64_t> recent;
  for (size_t i = 0; i < owners.size(); ++i) recent[owners[i]] = (*counts)[i];
  for (const auto& [id, m] : in_flight_) {
    if (auto it = recent.find(m.owner_id); it != recent.end()) ++it->second;
  }

  std::vector<SmsOutcome> deferred;
  std::vector<SmsMessage> chosen;
  for (SmsMessage& m : *due) {
    const Timestamp from = SmsSendableFrom(now, options_.utc_offset, m.requested);
    if (from > now) {
      deferred.push_back({m.id, SmsOutcome::Kind::kDefer, from, ""});
      continue;
    }
    int64_t& sent_to_owner = recent[m.owner_id];
    if (sent_to_owner >= options_.limits.per_owner_per_day) {
      deferred.push_back({m.id, SmsOutcome::Kind::kDefer, now + std::chrono::hours(1), ""});
      continue;
    }
    if (!GlobalAllows(now)) {  // the rest wait for a later read
      pass.held = true;
      break;
    }
    recent_.push_back(now);
    ++sent_to_owner;
    chosen.push_back(std::move(m));
  }
  if (!chosen.empty()) {
    for (const SmsMessage& m : chosen) in_flight_.emplace(m.id, m);
    gateway_.Begin(std::move(chosen));
  }
  if (!deferred.empty()) {
    // Committed at once, while the gateway hands the chosen over, so that the next read does not
    // find them due again.
    auto applied = store_.ApplySmsOutcomes(deferred);
    if (!applied.ok()) {
      spdlog::warn("sms: {} deferrals not committed: {}", deferred.size(),
                   applied.status().message());
      pass.held = true;
    }
  }
  return pass;
}

SmsSender::Pass SmsSender::Drain(size_t at_least) {
  Pass pass;
  if (in_flight_.empty()) return pass;
  const std::vector<SmsGateway::Answer> answers =
      gateway_.Answered(std::min(at_least, in_flight_.size()), options_.poll);
  if (answers.empty()) return pass;
  const Timestamp done = clock_.Now();
  std::vector<SmsOutcome> outcomes;
  outcomes.reserve(answers.size());
  for (const SmsGateway::Answer& a : answers) {
    const auto it = in_flight_.find(a.id);
    if (it == in_flight_.end()) {
      spdlog::warn("sms: the gateway answered for message {}, not in flight", a.id);
      continue;
    }
    if (a.status.ok()) {
      outcomes.push_back({a.id, SmsOutcome::Kind::kSent, done, ""});
      continue;
    }
    const SmsMessage& m = it->second;
    spdlog::warn("sms: message {} not taken by the gateway (attempt {}): {}", m.id, m.attempts + 1,
                 a.status.message());
    outcomes.push_back({m.id, SmsOutcome::Kind::kFailedAttempt,
                        done + SmsRetryDelay(m.attempts + 1), a.status.message()});
  }
  // The group commit: the marks of every answer in one transaction. Should it fail, the messages
  // handed over stay queued and go again, as after a crash (the header's bound); either way they
  // leave the window.
  auto applied = store_.ApplySmsOutcomes(outcomes);
  for (const SmsGateway::Answer& a : answers) in_flight_.erase(a.id);
  if (!applied.ok()) {
    spdlog::warn("sms: {} messages were handed over but not marked: {}", outcomes.size(),
                 applied.status().message());
    pass.held = true;  // not again at once: wait for the poll
    return pass;
  }
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Status& one = (*applied)[i];
    if (!one.ok()) {
      spdlog::warn("sms: message {} not marked: {}", outcomes[i].id, one.message());
    } else if (outcomes[i].kind == SmsOutcome::Kind::kSent) {
      ++pass.sent;
    }
  }
  return pass;
}

SmsSender::Pass SmsSender::RunOnce() {
  Pass pass = Fill();
  while (!in_flight_.empty()) {
    const Pass drained = Drain(in_flight_.size());
    pass.sent += drained.sent;
    pass.held = pass.held || drained.held;
  }
  return pass;
}

void SmsSender::Loop() {
  // Marks committed a quarter of the window at a time: the rest keeps the gateway busy meanwhile.
  const size_t batch = static_cast<size_t>(std::max(1, options_.window / 4));
  // After a failed commit, what it left queued waits for the poll before it is read again.
  std::chrono::steady_clock::time_point hold_until{};
  for (;;) {
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      stopping = stop_;
    }
    if (!in_flight_.empty() && Drain(batch).held) {
      hold_until = std::chrono::steady_clock::now() + options_.poll;
    }
    if (stopping) {
      if (in_flight_.empty()) return;
      continue;  // no more read: the answers of those in flight, and their marks
    }
    const int room = options_.window - static_cast<int>(in_flight_.size());
    Pass filled;
    if (std::chrono::steady_clock::now() >= hold_until) filled = Fill();
    if (!in_flight_.empty()) continue;  // Drain waits for their answers
    // A full read may have left more due: go again at once; else wait for the next poll.
    if (filled.read > 0 && filled.read == room && !filled.held) continue;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, options_.poll, [this] { return stop_; });
  }
}

}  // namespace herdpass
