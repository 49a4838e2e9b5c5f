#include "delivery/delivery_counters.h"

#include <gtest/gtest.h>

namespace signpost::delivery {
namespace {

TEST(DeliveryCounters, CountsEachOutcomePerChannel) {
  DeliveryCounters c;
  c.Count("email", OutboxState::kSent);
  c.Count("email", OutboxState::kSent);
  c.Count("email", OutboxState::kPending);  // a retry is scheduled
  c.Count("sms", OutboxState::kFailed);
  EXPECT_EQ(c.Of("email").sent, 2u);
  EXPECT_EQ(c.Of("email").retried, 1u);
  EXPECT_EQ(c.Of("email").failed, 0u);
  EXPECT_EQ(c.Of("sms").failed, 1u);
  EXPECT_EQ(c.Of("push").sent, 0u);
  const std::string text = c.MetricsText();
  EXPECT_NE(text.find("# TYPE signpost_delivery_messages_sent_total counter\n"
                      "signpost_delivery_messages_sent_total{channel=\"email\"} 2\n"
                      "signpost_delivery_messages_sent_total{channel=\"sms\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("signpost_delivery_messages_failed_total{channel=\"sms\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("signpost_delivery_messages_retried_total{channel=\"email\"} 1\n"),
            std::string::npos);
}

TEST(DeliveryCounters, ChannelLabelsAreEscaped) {
  DeliveryCounters c;
  c.Count("we\"ird\\\n", OutboxState::kSent);
  EXPECT_NE(c.MetricsText().find("{channel=\"we\\\"ird\\\\\\n\"} 1\n"), std::string::npos)
      << c.MetricsText();
}

}  // namespace
}  // namespace signpost::delivery
