#include "service/sms_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

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

SmsSender::Pass SmsSender::RunOnce() {
  Pass pass;
  const Timestamp now = clock_.Now();
  auto due = store_.ListDueSms(now, options_.window);
  if (!due.ok()) {
    spdlog::warn("sms: cannot read the outbox: {}", due.status().message());
    return pass;
  }
  pass.read = static_cast<int>(due->size());
  if (due->empty()) return pass;

  // The owners' counts of the last 24 h, read once for the pass; this pass's hand-overs are added
  // as they are chosen, so that two messages to one owner in a pass count as they would one by one.
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
  std::map<int64_t, int64_t> recent;
  for (size_t i = 0; i < owners.size(); ++i) recent[owners[i]] = (*counts)[i];

  std::vector<SmsOutcome> outcomes;
  std::vector<SmsMessage> chosen;
  for (SmsMessage& m : *due) {
    const Timestamp from = SmsSendableFrom(now, options_.utc_offset, m.requested);
    if (from > now) {
      outcomes.push_back({m.id, SmsOutcome::Kind::kDefer, from, ""});
      continue;
    }
    int64_t& sent_to_owner = recent[m.owner_id];
    if (sent_to_owner >= options_.limits.per_owner_per_day) {
      outcomes.push_back({m.id, SmsOutcome::Kind::kDefer, now + std::chrono::hours(1), ""});
      continue;
    }
    if (!GlobalAllows(now)) {  // the rest wait for a later pass
      pass.held = true;
      break;
    }
    recent_.push_back(now);
    ++sent_to_owner;
    chosen.push_back(std::move(m));
  }

  const std::vector<Status> handed = gateway_.SendAll(chosen);
  const Timestamp done = clock_.Now();
  for (size_t i = 0; i < chosen.size(); ++i) {
    const SmsMessage& m = chosen[i];
    const Status s = i < handed.size() ? handed[i] : Unavailable("not handed over");
    if (s.ok()) {
      outcomes.push_back({m.id, SmsOutcome::Kind::kSent, done, ""});
      continue;
    }
    spdlog::warn("sms: message {} not taken by the gateway (attempt {}): {}", m.id, m.attempts + 1,
                 s.message());
    outcomes.push_back({m.id, SmsOutcome::Kind::kFailedAttempt,
                        done + SmsRetryDelay(m.attempts + 1), s.message()});
  }
  if (outcomes.empty()) return pass;
  // The group commit: every mark of the pass in one transaction. Should it fail, the messages
  // handed over stay queued and go again, as after a crash (the header's bound).
  auto applied = store_.ApplySmsOutcomes(outcomes);
  if (!applied.ok()) {
    spdlog::warn("sms: {} messages were handed over but not marked: {}", chosen.size(),
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

void SmsSender::Loop() {
  for (;;) {
    const Pass pass = RunOnce();
    std::unique_lock lock(mu_);
    if (stop_) return;
    // A full pass may have left more due: go again at once; else wait for the next poll.
    if (pass.read == options_.window && !pass.held) continue;
    wake_.wait_for(lock, options_.poll, [this] { return stop_; });
    if (stop_) return;
  }
}

}  // namespace herdpass
