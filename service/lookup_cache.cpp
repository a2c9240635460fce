#include "service/lookup_cache.h"

#include <utility>

namespace herdpass {

std::shared_ptr<const EncodedLookup> LookupCache::Find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->answer;
}

void LookupCache::Put(const std::string& key, std::shared_ptr<const EncodedLookup> answer) {
  const size_t bytes = answer->bytes() + key.size();
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) Drop(it->second);
  if (bytes > max_bytes_) return;
  lru_.push_front(Entry{key, std::move(answer), bytes});
  index_.emplace(key, lru_.begin());
  bytes_ += bytes;
  while (bytes_ > max_bytes_) Drop(std::prev(lru_.end()));
}

void LookupCache::Drop(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

LookupCacheStats LookupCache::stats() const {
  std::lock_guard lock(mu_);
  return {hits_, misses_, lru_.size(), bytes_};
}

}  // namespace herdpass
