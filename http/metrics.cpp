#include "http/metrics.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace herdpass::http {
namespace {

enum Kind { kCounter = 0, kHistogram = 1, kGauge = 2 };

const char* KindName(int kind) {
  switch (kind) {
    case kCounter:
      return "counter";
    case kHistogram:
      return "histogram";
    default:
      return "gauge";
  }
}

void AppendEscaped(std::string& out, std::string_view s, bool is_help) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !is_help) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

// Renders `{a="x",b="y"}` with an optional trailing `le` label; nothing when there are no labels.
void AppendLabels(std::string& out, const Labels& labels, const char* le = nullptr) {
  if (labels.empty() && le == nullptr) return;
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(out, value, false);
    out.push_back('"');
  }
  if (le != nullptr) {
    if (!first) out.push_back(',');
    out += "le=\"";
    out += le;
    out.push_back('"');
  }
  out.push_back('}');
}

std::string SeriesKey(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    key += name;
    key.push_back('\0');
    key += value;
    key.push_back('\0');
  }
  return key;
}

}  // namespace

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  int kind = kCounter;
  // Series in creation order; `index` maps the label key to a position.
  std::map<std::string, size_t, std::less<>> index;
  std::vector<Labels> labels;
  std::vector<std::unique_ptr<Counter>> counters;
  std::vector<std::unique_ptr<Histogram>> histograms;
  std::shared_ptr<std::function<double()>> gauge;
  std::shared_ptr<std::function<std::vector<std::pair<Labels, double>>()>> gauge_family;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family* MetricsRegistry::GetFamily(std::string_view name, std::string_view help,
                                                    int kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->name = name;
    f->help = help;
    f->kind = kind;
    it = families_.emplace(std::string(name), std::move(f)).first;
  } else if (it->second->kind != kind) {
    throw std::invalid_argument("metric registered with two kinds: " + std::string(name));
  }
  return it->second.get();
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::string key = SeriesKey(labels);
  std::lock_guard lock(mu_);
  Family* f = GetFamily(name, help, kCounter);
  auto it = f->index.find(key);
  if (it != f->index.end()) return f->counters[it->second].get();
  f->index.emplace(std::move(key), f->counters.size());
  f->labels.push_back(labels);
  f->counters.push_back(std::make_unique<Counter>());
  return f->counters.back().get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels, const std::vector<double>& bounds) {
  std::string key = SeriesKey(labels);
  std::lock_guard lock(mu_);
  Family* f = GetFamily(name, help, kHistogram);
  auto it = f->index.find(key);
  if (it != f->index.end()) return f->histograms[it->second].get();
  f->index.emplace(std::move(key), f->histograms.size());
  f->labels.push_back(labels);
  f->histograms.push_back(std::make_unique<Histogram>(bounds));
  return f->histograms.back().get();
}

void MetricsRegistry::RegisterGauge(const std::string& name, const std::string& help,
                                    std::function<double()> read) {
  std::lock_guard lock(mu_);
  Family* f = GetFamily(name, help, kGauge);
  f->gauge = std::make_shared<std::function<double()>>(std::move(read));
}

void MetricsRegistry::RegisterGaugeFamily(
    const std::string& name, const std::string& help,
    std::function<std::vector<std::pair<Labels, double>>()> read) {
  std::lock_guard lock(mu_);
  Family* f = GetFamily(name, help, kGauge);
  f->gauge_family =
      std::make_shared<std::function<std::vector<std::pair<Labels, double>>()>>(std::move(read));
}

std::string MetricsRegistry::Render() const {
  // Snapshot under the lock; call gauge callbacks after releasing it, so that a callback taking its
  // own locks (a store counting rows) cannot deadlock against a request updating a counter.
  struct GaugeCall {
    size_t offset;  // where in `out` the family's samples go
    std::shared_ptr<std::function<double()>> gauge;
    std::shared_ptr<std::function<std::vector<std::pair<Labels, double>>()>> family;
    std::string name;
  };
  std::string out;
  std::vector<GaugeCall> calls;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      out += "# HELP ";
      out += name;
      out.push_back(' ');
      AppendEscaped(out, f->help, true);
      out += "\n# TYPE ";
      out += name;
      out.push_back(' ');
      out += KindName(f->kind);
      out.push_back('\n');
      if (f->kind == kCounter) {
        for (size_t i = 0; i < f->counters.size(); ++i) {
          out += name;
          AppendLabels(out, f->labels[i]);
          out.push_back(' ');
          out += std::to_string(f->counters[i]->value());
          out.push_back('\n');
        }
      } else if (f->kind == kHistogram) {
        for (size_t i = 0; i < f->histograms.size(); ++i) {
          const Histogram& h = *f->histograms[i];
          std::vector<uint64_t> counts = h.BucketCounts();
          uint64_t cumulative = 0;
          for (size_t b = 0; b < counts.size(); ++b) {
            cumulative += counts[b];
            std::string le;
            if (b < h.bounds().size()) {
              AppendNumber(le, h.bounds()[b]);
            } else {
              le = "+Inf";
            }
            out += name;
            out += "_bucket";
            AppendLabels(out, f->labels[i], le.c_str());
            out.push_back(' ');
            out += std::to_string(cumulative);
            out.push_back('\n');
          }
          out += name;
          out += "_sum";
          AppendLabels(out, f->labels[i]);
          out.push_back(' ');
          AppendNumber(out, h.sum());
          out.push_back('\n');
          out += name;
          out += "_count";
          AppendLabels(out, f->labels[i]);
          out.push_back(' ');
          // The count of +Inf, so that _count equals the last bucket even while observations race.
          out += std::to_string(cumulative);
          out.push_back('\n');
        }
      } else {
        calls.push_back({out.size(), f->gauge, f->gauge_family, name});
      }
    }
  }
  // Insert gauge samples from the back so that earlier offsets stay valid.
  for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
    std::string samples;
    if (it->gauge) {
      samples += it->name;
      samples.push_back(' ');
      AppendNumber(samples, (*it->gauge)());
      samples.push_back('\n');
    }
    if (it->family) {
      for (const auto& [labels, value] : (*it->family)()) {
        samples += it->name;
        AppendLabels(samples, labels);
        samples.push_back(' ');
        AppendNumber(samples, value);
        samples.push_back('\n');
      }
    }
    out.insert(it->offset, samples);
  }
  return out;
}

}  // namespace herdpass::http
