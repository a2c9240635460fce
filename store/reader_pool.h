// Reader connections of a store, leased one per read call and kept open: written once for both
// backends. A caller that finds every connection leased waits for one. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace herdpass::store {

template <class Connection>
class ReaderPool {
 public:
  // `on_return` (may be empty) readies a returned connection for its next caller, e.g. ends a
  // transaction a failed read left open.
  explicit ReaderPool(std::function<void(Connection&)> on_return = {})
      : on_return_(std::move(on_return)) {}

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.Return(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  // REQUIRES: before the first Acquire().
  void Add(std::unique_ptr<Connection> conn) { idle_.push_back(std::move(conn)); }

  Lease Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty(); });
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }

 private:
  void Return(std::unique_ptr<Connection> conn) {
    if (on_return_) on_return_(*conn);
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  const std::function<void(Connection&)> on_return_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace herdpass::store
