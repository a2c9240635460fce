// In-memory rate limits and the bearer-token cache of HerdService. Thread-safe.
// Private to service/: not part of its public interface.
#pragma once

#include <algorithm>
#include <atomic>
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

// kResourceExhausted saying when to try again: a RetryAfter payload of the whole seconds to wait,
// at least 1, which http/ sends as Retry-After.
inline Status Throttled(std::string message, std::chrono::seconds retry_after) {
  return ResourceExhausted(std::move(message))
      .WithPayload(RetryAfter{std::max(std::chrono::seconds(1), retry_after)});
}

// Failed attempts per key, with a wait that grows with each failure past a free budget and is
// forgotten after a quiet period (ServiceConfig::login_*). An attempt is counted as in flight from
// Begin to End, so that many attempts at once cannot all slip under the budget while the (slow)
// password checks run. Not thread-safe: HerdService::Throttle guards it.
class Backoff {
 public:
  struct Limits {
    int free = 5;  // failures before any wait
    std::chrono::seconds first{30};
    std::chrono::seconds max{900};
    std::chrono::minutes forget{60};
  };

  // nullopt when an attempt may start now (it is then in flight until End or Cancel); else how
  // long to wait.
  std::optional<std::chrono::seconds> Begin(const std::string& key, Timestamp now,
                                            const Limits& limits) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.in_flight == 0 &&
        now - it->second.last_failure >= limits.forget && now >= it->second.next_allowed) {
      entries_.erase(it);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      if (entries_.size() >= kMaxEntries) Prune(now, limits);
      it = entries_.emplace(key, Entry{}).first;
    }
    Entry& e = it->second;
    if (now < e.next_allowed) return Ceil(e.next_allowed - now);
    // Past the free budget only one attempt at a time: its outcome sets the next wait.
    if (e.failures + e.in_flight >= limits.free && e.in_flight > 0) {
      return std::chrono::seconds(1);
    }
    ++e.in_flight;
    return std::nullopt;
  }

  // The attempt begun for `key` ended: a failure counts, and past the free budget sets the wait.
  void End(const std::string& key, Timestamp now, bool failed, const Limits& limits) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    if (e.in_flight > 0) --e.in_flight;
    if (!failed) {
      if (e.failures == 0 && e.in_flight == 0) entries_.erase(it);
      return;
    }
    ++e.failures;
    e.last_failure = now;
    const int over = e.failures - limits.free;
    if (over >= 0) {
      auto wait = limits.first;
      for (int i = 0; i < over && wait < limits.max; ++i) wait *= 2;
      e.next_allowed = now + std::min(wait, limits.max);
    }
  }

  // The attempt begun for `key` was not made (another check refused it).
  void Cancel(const std::string& key) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.in_flight > 0) --it->second.in_flight;
  }

  // Forgets `key`'s failures (a successful sign-in of that username from that address).
  void Clear(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    if (it->second.in_flight > 0) {
      it->second.failures = 0;
      it->second.next_allowed = {};
    } else {
      entries_.erase(it);
    }
  }

 private:
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    Timestamp last_failure{};
    Timestamp next_allowed{};
  };
  static constexpr size_t kMaxEntries = 100000;  // bounds memory under attack

  static std::chrono::seconds Ceil(Timestamp::duration d) {
    return std::chrono::ceil<std::chrono::seconds>(d);
  }
  // Drops what is forgotten anyway; when that is not enough, the oldest failures.
  void Prune(Timestamp now, const Limits& limits) {
    std::erase_if(entries_, [&](const auto& kv) {
      const Entry& e = kv.second;
      return e.in_flight == 0 && now - e.last_failure >= limits.forget && now >= e.next_allowed;
    });
    if (entries_.size() < kMaxEntries) return;
    std::erase_if(entries_, [&](const auto& kv) {
      return kv.second.in_flight == 0 && now >= kv.second.next_allowed;
    });
    if (entries_.size() >= kMaxEntries) entries_.clear();  // memory first
  }

  std::unordered_map<std::string, Entry> entries_;
};

// At most `limit` holders at once; TryEnter never waits. Thread-safe.
class ConcurrencyLimit {
 public:
  bool TryEnter(int limit) {
    int n = count_.load();
    while (n < limit) {
      if (count_.compare_exchange_weak(n, n + 1)) return true;
    }
    return false;
  }
  void Leave() { count_.fetch_sub(1); }
  int count() const { return count_.load(); }

 private:
  std::atomic<int> count_{0};
};

// At most `limit` events per key in any hour (a sliding window), for owners' code requests (issue
// 15 item 4). Not thread-safe: HerdService::Throttle guards it.
class HourlyWindow {
 public:
  // How long until an event for `key` fits, nullopt when one does now (it is not taken: Take).
  std::optional<std::chrono::seconds> WaitFor(const std::string& key, Timestamp now, int limit) {
    auto it = events_.find(key);
    if (it == events_.end()) return std::nullopt;
    Drop(it->second, now);
    if (static_cast<int>(it->second.size()) < limit) return std::nullopt;
    return std::chrono::ceil<std::chrono::seconds>(it->second.front() + kWindow - now);
  }
  void Take(const std::string& key, Timestamp now) {
    if (events_.size() >= kMaxKeys) {
      for (auto it = events_.begin(); it != events_.end();) {
        Drop(it->second, now);
        it = it->second.empty() ? events_.erase(it) : std::next(it);
      }
      if (events_.size() >= kMaxKeys) events_.clear();  // memory first
    }
    events_[key].push_back(now);
  }

 private:
  static constexpr std::chrono::hours kWindow{1};
  static constexpr size_t kMaxKeys = 100000;
  static void Drop(std::deque<Timestamp>& d, Timestamp now) {
    while (!d.empty() && d.front() + kWindow <= now) d.pop_front();
  }
  std::unordered_map<std::string, std::deque<Timestamp>> events_;
};

struct HerdService::Throttle {
  // --- owners' one-time codes (issue 15 item 4) ---
  // Takes one code request for the phone (E.164) from the address, or none and says how long to
  // wait when either has had its hour's share.
  std::optional<std::chrono::seconds> TakeOwnerCode(const std::string& e164,
                                                    const std::string& address, Timestamp now,
                                                    int per_phone, int per_address) {
    std::lock_guard lock(owner_code_mu_);
    auto wait_phone = owner_codes_.WaitFor("phone:" + e164, now, per_phone);
    auto wait_address = owner_codes_.WaitFor("addr:" + address, now, per_address);
    if (wait_phone || wait_address) {
      return std::max(wait_phone.value_or(std::chrono::seconds(0)),
                      wait_address.value_or(std::chrono::seconds(0)));
    }
    owner_codes_.Take("phone:" + e164, now);
    owner_codes_.Take("addr:" + address, now);
    return std::nullopt;
  }

  // --- sign-in (DESIGN.md section 9) ---
  // Keys: "pair:<user>\n<address>", "addr:<address>", "user:<user>".
  struct LoginLimits {
    Backoff::Limits pair, address, user;
  };
  static LoginLimits LimitsOf(const ServiceConfig& c) {
    auto limits = [&](int free) {
      return Backoff::Limits{free, c.login_first_delay, c.login_max_delay, c.login_forget_after};
    };
    return {limits(c.login_free_failures), limits(c.login_address_free_failures),
            limits(c.login_user_free_failures)};
  }

  // nullopt when `username` may try to sign in from `address` now: the attempt is then in flight
  // until EndLogin with the same `wide`; else how long to wait.
  std::optional<std::chrono::seconds> BeginLogin(const std::string& username,
                                                 const std::string& address, Timestamp now,
                                                 const LoginLimits& limits, bool* wide) {
    const std::string pair = PairKey(username, address);
    *wide = false;
    std::lock_guard lock(login_mu_);
    if (auto wait = failures_.Begin(pair, now, limits.pair)) return wait;
    // A user who signed in from this address before is not held up by what others do.
    if (IsKnown(pair, now)) return std::nullopt;
    if (auto wait = failures_.Begin("addr:" + address, now, limits.address)) {
      failures_.Cancel(pair);
      return wait;
    }
    if (auto wait = failures_.Begin("user:" + username, now, limits.user)) {
      failures_.Cancel(pair);
      failures_.Cancel("addr:" + address);
      return wait;
    }
    *wide = true;
    return std::nullopt;
  }

  // BeginLogin's attempt was not made after all (the server was busy, the store failed): it
  // counts neither way.
  void CancelLogin(const std::string& username, const std::string& address, bool wide) {
    std::lock_guard lock(login_mu_);
    failures_.Cancel(PairKey(username, address));
    if (wide) {
      failures_.Cancel("addr:" + address);
      failures_.Cancel("user:" + username);
    }
  }

  // Sign-ins between the throttle and the end of their password check.
  ConcurrencyLimit pending_logins;

  // Ends the attempt BeginLogin let start; `wide` as it set it.
  void EndLogin(const std::string& username, const std::string& address, Timestamp now, bool failed,
                const LoginLimits& limits, bool wide) {
    const std::string pair = PairKey(username, address);
    std::lock_guard lock(login_mu_);
    // This attempt leaves the in-flight count either way; a success then forgives the failures.
    failures_.End(pair, now, failed, limits.pair);
    if (!failed) {
      failures_.Clear(pair);
      if (known_.size() >= kMaxKnown) {
        std::erase_if(known_, [&](const auto& kv) { return now - kv.second >= kKnownFor; });
        if (known_.size() >= kMaxKnown) known_.clear();
      }
      known_[pair] = now;
    }
    // The wider counts only grow: one success must not wipe out what an attacker did elsewhere.
    if (wide) {
      failures_.End("addr:" + address, now, failed, limits.address);
      failures_.End("user:" + username, now, failed, limits.user);
    }
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

  // The caller a token stands for, so that only the token itself is read from the store per
  // request (its user's name, role and authority never change).
  std::optional<Caller> FindToken(const std::string& hash) {
    std::shared_lock lock(token_mu);
    auto it = tokens.find(hash);
    if (it == tokens.end()) return std::nullopt;
    return it->second;
  }
  void CacheToken(const std::string& hash, Caller caller) {
    std::unique_lock lock(token_mu);
    if (tokens.size() > 50000) tokens.clear();  // a cache, not the source of truth
    tokens[hash] = std::move(caller);
  }
  void ForgetToken(const std::string& hash) {
    std::unique_lock lock(token_mu);
    tokens.erase(hash);
  }
  void ForgetUser(int64_t user_id) {
    std::unique_lock lock(token_mu);
    std::erase_if(tokens, [&](const auto& kv) { return kv.second.user_id == user_id; });
  }

 private:
  static std::string PairKey(const std::string& username, const std::string& address) {
    return "pair:" + username + "\n" + address;
  }
  bool IsKnown(const std::string& pair, Timestamp now) const {
    auto it = known_.find(pair);
    return it != known_.end() && now - it->second < kKnownFor;
  }

  static constexpr std::chrono::hours kKnownFor{30 * 24};
  static constexpr size_t kMaxKnown = 100000;

  std::mutex owner_code_mu_;
  HourlyWindow owner_codes_;

  std::mutex login_mu_;
  Backoff failures_;
  // Pairs that signed in, and when last.
  std::unordered_map<std::string, Timestamp> known_;

  struct Window {
    int64_t minute = 0;
    int count = 0;
  };
  std::mutex lookup_mu;
  std::unordered_map<int64_t, Window> lookups;
  std::shared_mutex token_mu;
  std::unordered_map<std::string, Caller> tokens;
};

}  // namespace herdpass
