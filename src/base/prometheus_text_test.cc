#include "base/prometheus_text.h"

#include <gtest/gtest.h>

namespace signpost {
namespace {

// Regression: a journey id with a quote ended the label value early and broke the whole scrape.
TEST(PrometheusText, EscapesQuoteBackslashAndNewlineInALabelValue) {
  EXPECT_EQ(PromLabelValue("cart\"x\\y\nz"), "cart\\\"x\\\\y\\nz");
  std::string line = "signpost_journey_entries_total{";
  AppendPromLabel(line, "journey", "a\"b\\c\nd");
  line += "} 3";
  EXPECT_EQ(line, "signpost_journey_entries_total{journey=\"a\\\"b\\\\c\\nd\"} 3");
  EXPECT_EQ(line.find('\n'), std::string::npos);  // one sample, one line
}

TEST(PrometheusText, CopiesEverythingElseAndSeparatesLabels) {
  EXPECT_EQ(PromLabelValue("plain-id_1.2 ünï"), "plain-id_1.2 ünï");
  EXPECT_EQ(PromLabelValue(""), "");
  std::string labels = "{";
  AppendPromLabel(labels, "route", "/api/funnels/{id}/report");
  AppendPromLabel(labels, "method", "GET");
  EXPECT_EQ(labels, "{route=\"/api/funnels/{id}/report\",method=\"GET\"");
}

}  // namespace
}  // namespace signpost
