// W2's answer cache (issue 14 item 3): the encoded and compressed answer of an owner's lookup,
// kept per owner, revision, day, window and kind of caller, and bounded in bytes (least recently
// used first out).
//
// Staleness is decided by the store, not by this process: the key holds the owner's revision
// (OwnerRevision, store/store.h), which every write that changes the owner's answer raises inside
// its transaction, on any server of the database. A write therefore makes the older entries
// unreachable at once; they leave as the least recently used. The key also holds the day (the
// answer's coverage is as of today) and the caller's authority and role, so that an answer is
// never handed to a caller it was not made for.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herdpass {

// One lookup's answer as sent: its JSON, gzip-encoded when that is worth it (kept compressed
// only, a tenth of the JSON's size; a client that does not accept gzip gets it inflated).
struct EncodedLookup {
  std::string body;
  bool gzip = false;  // body is the JSON gzip-encoded
  size_t bytes() const { return body.size(); }
};

struct LookupCacheStats {
  int64_t hits = 0;
  int64_t misses = 0;
  size_t entries = 0;
  size_t bytes = 0;
};

class LookupCache {
 public:
  // Holds at most `max_bytes` of answers (and key text); 0 keeps nothing.
  explicit LookupCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  size_t max_bytes() const { return max_bytes_; }

  // The answer kept under `key`, or nullptr (counted as a hit or a miss).
  std::shared_ptr<const EncodedLookup> Find(const std::string& key);
  // Keeps `answer` under `key` (replacing one kept there), then drops the least recently used
  // answers until the cache is within its bound. An answer larger than the bound is not kept.
  void Put(const std::string& key, std::shared_ptr<const EncodedLookup> answer);

  LookupCacheStats stats() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const EncodedLookup> answer;
    size_t bytes = 0;
  };
  void Drop(std::list<Entry>::iterator it);  // REQUIRES: mu_ held

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first; guarded by mu_
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // guarded by mu_
  size_t bytes_ = 0;                                                   // guarded by mu_
  int64_t hits_ = 0;                                                   // guarded by mu_
  int64_t misses_ = 0;                                                 // guarded by mu_
};

}  // namespace herdpass
