#include "http/metrics.h"

#include <gtest/gtest.h>

namespace herdpass::http {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(MetricsTest, CountersRenderWithLabels) {
  MetricsRegistry registry;
  Counter* c = registry.GetCounter("http_requests_total", "Requests.",
                                   {{"route", "/a"}, {"method", "GET"}, {"status", "200"}});
  c->Increment();
  c->Increment(2);
  EXPECT_EQ(registry.GetCounter("http_requests_total", "ignored",
                                {{"route", "/a"}, {"method", "GET"}, {"status", "200"}}),
            c);
  std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "# HELP http_requests_total Requests.\n"));
  EXPECT_TRUE(Contains(text, "# TYPE http_requests_total counter\n"));
  EXPECT_TRUE(
      Contains(text, "http_requests_total{route=\"/a\",method=\"GET\",status=\"200\"} 3\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram* h =
      registry.GetHistogram("latency_seconds", "Latency.", {{"route", "/a"}}, {0.1, 1.0});
  h->Observe(0.05);
  h->Observe(0.1);  // on the bound: counts in le="0.1"
  h->Observe(0.5);
  h->Observe(7);
  std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "# TYPE latency_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"));
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(Contains(text, "latency_seconds_sum{route=\"/a\"} 7.65")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_count{route=\"/a\"} 4\n"));
}

TEST(MetricsTest, GaugesAreReadAtRender) {
  MetricsRegistry registry;
  double owners = 1;
  registry.RegisterGauge("herdpass_owners", "Owners stored.", [&] { return owners; });
  registry.RegisterGaugeFamily("herdpass_rows", "Rows per table.", [] {
    return std::vector<std::pair<Labels, double>>{{{{"table", "owners"}}, 10},
                                                  {{{"table", "animals"}}, 20}};
  });
  owners = 5;
  std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "# TYPE herdpass_owners gauge\nherdpass_owners 5\n")) << text;
  EXPECT_TRUE(Contains(text, "herdpass_rows{table=\"owners\"} 10\n"));
  EXPECT_TRUE(Contains(text, "herdpass_rows{table=\"animals\"} 20\n"));
}

TEST(MetricsTest, FamiliesSortedAndSamplesFollowTheirHeader) {
  MetricsRegistry registry;
  registry.RegisterGauge("b_gauge", "B.", [] { return 2.0; });
  registry.GetCounter("a_total", "A.", {})->Increment();
  registry.GetCounter("c_total", "C.", {})->Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 2\n"
            "# HELP c_total C.\n# TYPE c_total counter\nc_total 1\n");
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "Help with \\ and\nnewline.", {{"v", "a\"b\\c\nd"}})->Increment();
  std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "# HELP x_total Help with \\\\ and\\nnewline.\n")) << text;
  EXPECT_TRUE(Contains(text, "x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << text;
}

TEST(MetricsTest, OneNameOneKind) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "X.", {});
  EXPECT_THROW(registry.GetHistogram("x_total", "X.", {}), std::invalid_argument);
}

}  // namespace
}  // namespace herdpass::http
