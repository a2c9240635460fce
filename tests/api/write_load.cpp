#include "tests/api/write_load.h"

#include <gtest/gtest.h>

#include <exception>
#include <utility>

#include "tests/api/api_test_util.h"
#include "tests/support/http_client.h"

namespace herdpass::testing {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

WriteLoad::WriteLoad(WriteLoadOptions options) : options_(std::move(options)) {}

WriteLoad::~WriteLoad() { Stop(); }

void WriteLoad::Start() {
  for (int t = 0; t < options_.clients; ++t) {
    threads_.emplace_back([this, phone = KzPhone(options_.first_phone + t)] { Run(phone); });
  }
}

void WriteLoad::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

int64_t WriteLoad::Mark() {
  std::lock_guard lock(mu_);
  return events_++;
}

void WriteLoad::Pause() {
  std::unique_lock lock(mu_);
  paused_ = true;
  changed_.wait(lock, [this] { return in_flight_ == 0; });
}

void WriteLoad::Resume() {
  {
    std::lock_guard lock(mu_);
    paused_ = false;
  }
  changed_.notify_all();
}

std::string WriteLoad::first_unexpected() const {
  std::lock_guard lock(mu_);
  return first_unexpected_;
}

int WriteLoad::AcknowledgedSentSince(Clock::time_point since) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& b : batches_) n += b.acknowledged && b.sent >= since;
  return n;
}

std::vector<SentBatch> WriteLoad::Snapshot() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void WriteLoad::Run(const std::string& phone) {
  using OnFailure = WriteLoadOptions::OnFailure;
  HttpClient client("127.0.0.1", options_.port);
  const std::string today = DaysFromToday(0);
  // Counts a batch in flight from before it is sent until the end of its iteration, when its
  // outcome is recorded (Pause() waits for none).
  struct InFlight {
    WriteLoad* load;
    ~InFlight() {
      {
        std::lock_guard lock(load->mu_);
        --load->in_flight_;
      }
      load->changed_.notify_all();
    }
  };
  while (!stop_.load()) {
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [this] { return !paused_ || stop_.load(); });
      if (stop_.load()) break;
      ++in_flight_;
    }
    InFlight in_flight{this};
    SentBatch b;
    b.phone = phone;
    json records = json::array();
    for (int i = 0; i < options_.records_per_batch; ++i) {
      json r = FlockRecord(phone, today, 10 + i);
      b.ids.push_back(r["id"]);
      records.push_back(std::move(r));
    }
    b.body = {{"records", std::move(records)}};
    b.sent = Clock::now();
    size_t index;
    {
      std::lock_guard lock(mu_);
      index = batches_.size();
      batches_.push_back(b);  // sent, not yet known to be stored
    }
    HttpResponse r;
    bool answered = true;
    try {
      r = client.Post("/api/v1/vaccinations/batch", b.body, options_.token);
    } catch (const std::exception& e) {
      answered = false;
      client.Close();
      if (options_.on_failure == OnFailure::kTestFailure) {
        ADD_FAILURE() << "batch not answered: " << e.what();
      }
    }
    const auto answered_at = Clock::now();
    if (!answered || r.status != 200) {
      {
        std::lock_guard lock(mu_);
        batches_[index].answered = answered_at;
      }
      const bool retry = options_.on_failure == OnFailure::kRetry && (!answered || r.status == 503);
      if (retry) {
        ++failed_;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a phone's back-off
        continue;
      }
      if (!answered) return;  // kServerDied, or kTestFailure (reported above)
      if (options_.on_failure == OnFailure::kRetry) {
        ++unexpected_;
        std::lock_guard lock(mu_);
        if (first_unexpected_.empty()) {
          first_unexpected_ = std::to_string(r.status) + " " + r.body.substr(0, 300);
        }
        continue;
      }
      ADD_FAILURE() << "batch answered " << r.status << ": " << r.body.substr(0, 500);
      return;
    }
    const json answer = r.json();
    const json& results = answer.at("results");
    bool stored = results.size() == b.ids.size();
    bool created = stored;
    for (const auto& res : results) {
      stored = stored && (res.at("status") == "created" || res.at("status") == "duplicate");
      created = created && res.at("status") == "created";
    }
    if (!stored) {
      if (options_.on_failure == OnFailure::kRetry) {
        ++unexpected_;
      } else {
        ADD_FAILURE() << "batch not stored whole: " << r.body.substr(0, 1000);
      }
    }
    std::lock_guard lock(mu_);
    SentBatch& kept = batches_[index];
    kept.answered = answered_at;
    kept.acknowledged = stored;
    kept.all_created = created;
    if (stored) {
      kept.acked_at = events_++;
      ++acknowledged_;
    }
  }
}

}  // namespace herdpass::testing
