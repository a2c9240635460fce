#include "service/sms_sender.h"

#include <spdlog/spdlog.h>

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

int SmsSender::RunOnce() {
  const Timestamp now = clock_.Now();
  auto due = store_.ListDueSms(now, options_.batch);
  if (!due.ok()) {
    spdlog::warn("sms: cannot read the outbox: {}", due.status().message());
    return 0;
  }
  int sent = 0;
  for (const SmsMessage& m : *due) {
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
    }
    const Timestamp at = clock_.Now();
    const Timestamp from = SmsSendableFrom(at, options_.utc_offset, m.requested);
    if (from > at) {
      (void)store_.DeferSms(m.id, from);
      continue;
    }
    auto recent = store_.CountSmsSentSince(m.owner_id, at - std::chrono::hours(24));
    if (!recent.ok()) continue;
    if (*recent >= options_.limits.per_owner_per_day) {
      (void)store_.DeferSms(m.id, at + std::chrono::hours(1));
      continue;
    }
    if (!GlobalAllows(at)) break;  // the rest wait for the next pass
    recent_.push_back(at);
    Status s = gateway_.Send(m);
    if (s.ok()) {
      if (Status marked = store_.MarkSmsSent(m.id, clock_.Now()); !marked.ok()) {
        spdlog::warn("sms: message {} was sent but not marked: {}", m.id, marked.message());
      }
      ++sent;
    } else {
      const Timestamp retry = clock_.Now() + SmsRetryDelay(m.attempts + 1);
      spdlog::warn("sms: message {} not taken by the gateway (attempt {}): {}", m.id,
                   m.attempts + 1, s.message());
      (void)store_.FailSmsAttempt(m.id, retry, s.message());
    }
  }
  return sent;
}

void SmsSender::Loop() {
  for (;;) {
    const int sent = RunOnce();
    std::unique_lock lock(mu_);
    if (stop_) return;
    // A full pass may have left more due: go again at once; else wait for the next poll.
    if (sent == options_.batch) continue;
    wake_.wait_for(lock, options_.poll, [this] { return stop_; });
    if (stop_) return;
  }
}

}  // namespace herdpass
