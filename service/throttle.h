// In-memory rate limits and the bearer-token cache of HerdService. Thread-safe.
// Private to service/: not part of its public interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "domain/time.h"
#include "service/service.h"

namespace herdpass {

struct HerdService::Throttle {
  // Sign-in attempts per key ("user:NAME" or "addr:IP"), as the times they began. An attempt is
  // counted before its password is checked, so that many attempts at once cannot all slip under the
  // limit while the (slow) checks run; a successful one is forgiven afterwards.
  bool TryAttempt(const std::string& key, Timestamp now, int max_attempts,
                  std::chrono::minutes window) {
    std::lock_guard lock(login_mu);
    auto& q = login_failures[key];
    Prune(q, now - window);
    if (static_cast<int>(q.size()) >= max_attempts) return false;
    q.push_back(now);
    if (login_failures.size() > 100000) login_failures.clear();  // bound memory under attack
    return true;
  }
  // Takes back the attempt counted last for `key`.
  void Forgive(const std::string& key) {
    std::lock_guard lock(login_mu);
    auto it = login_failures.find(key);
    if (it != login_failures.end() && !it->second.empty()) it->second.pop_back();
  }
  void ClearLoginFailures(const std::string& key) {
    std::lock_guard lock(login_mu);
    login_failures.erase(key);
  }

  // Fixed one-minute windows per user.
  bool AllowLookup(int64_t user_id, Timestamp now, int per_minute) {
    return TakeLookups(user_id, now, per_minute, 1);
  }
  // Takes `n` lookups at once, or none when fewer than `n` are left this minute.
  bool TakeLookups(int64_t user_id, Timestamp now, int per_minute, int n) {
    const int64_t minute =
        std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
    std::lock_guard lock(lookup_mu);
    auto& w = lookups[user_id];
    if (w.minute != minute) w = {minute, 0};
    if (n > per_minute - w.count) return false;
    w.count += n;
    return true;
  }

  struct CachedToken {
    Caller caller;
    Timestamp expires_at;
    Timestamp cached_at;
  };
  std::optional<CachedToken> FindToken(const std::string& hash) {
    std::shared_lock lock(token_mu);
    auto it = tokens.find(hash);
    if (it == tokens.end()) return std::nullopt;
    return it->second;
  }
  void CacheToken(const std::string& hash, CachedToken t) {
    std::unique_lock lock(token_mu);
    if (tokens.size() > 50000) tokens.clear();  // a cache, not the source of truth
    tokens[hash] = std::move(t);
  }
  void ForgetToken(const std::string& hash) {
    std::unique_lock lock(token_mu);
    tokens.erase(hash);
  }
  void ForgetUser(int64_t user_id) {
    std::unique_lock lock(token_mu);
    std::erase_if(tokens, [&](const auto& kv) { return kv.second.caller.user_id == user_id; });
  }

 private:
  static void Prune(std::deque<Timestamp>& q, Timestamp oldest) {
    while (!q.empty() && q.front() < oldest) q.pop_front();
  }

  std::mutex login_mu;
  std::unordered_map<std::string, std::deque<Timestamp>> login_failures;
  struct Window {
    int64_t minute = 0;
    int count = 0;
  };
  std::mutex lookup_mu;
  std::unordered_map<int64_t, Window> lookups;
  std::shared_mutex token_mu;
  std::unordered_map<std::string, CachedToken> tokens;
};

}  // namespace herdpass
