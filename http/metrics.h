// A small registry of Prometheus metrics (counters, histograms, callback gauges) and its text
// exposition (format 0.0.4), for GET /metrics.
//
// Hand-written rather than prometheus-cpp because Debian 12 does not package that library and we
// need three metric kinds and a renderer.
//
// Thread safety: every method may be called from any thread. Counter and Histogram pointers are
// owned by the registry, stay valid for its lifetime, and update with atomics only, so hot paths
// should look a series up once and keep the pointer. Series lookup takes a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herdpass::http {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Label name/value pairs, in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts; the last one is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, from 0.5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The counter series `name{labels}`, created on first use. `help` is kept from the first call.
  // REQUIRES: `name` is a valid metric name and is not used by another metric kind.
  Counter* GetCounter(std::string_view name, std::string_view help, const Labels& labels);

  // The histogram series `name{labels}`, created on first use with `bounds`.
  Histogram* GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          const std::vector<double>& bounds = DefaultLatencyBuckets());

  // A gauge whose value `read` returns at each Render() (e.g. a store's row count). `read` is
  // called without the registry's lock held, from the thread calling Render(); it must be
  // thread-safe and should be quick.
  void RegisterGauge(const std::string& name, const std::string& help,
                     std::function<double()> read);
  // A family of gauge series computed together (e.g. counts per table), each with its own labels.
  void RegisterGaugeFamily(const std::string& name, const std::string& help,
                           std::function<std::vector<std::pair<Labels, double>>()> read);

  // The Prometheus text exposition of every metric, families sorted by name.
  std::string Render() const;

 private:
  struct Family;
  Family* GetFamily(std::string_view name, std::string_view help, int kind);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

}  // namespace herdpass::http
