// Segment views written as JSON: a rule as the listings show it (every kind, the window as a
// duration, `where` only when written). The whole documents are pinned through the HTTP routes in
// src/api/testdata/segment_json.golden.
#include <gtest/gtest.h>

#include "wire/wire.h"

namespace signpost::wire {
namespace {

// A rule view of `kind`, for the cases below.
SegmentRuleView RuleOfKind(SegmentRuleView::Kind kind) {
  SegmentRuleView r;
  r.kind = kind;
  return r;
}

TEST(SegmentRuleJson, WritesEachKindAsWritten) {
  SegmentRuleView event = RuleOfKind(SegmentRuleView::Kind::kEvent);
  event.event = "Order Completed";
  event.count = {">= 1"};
  event.within = 7 * kDayMs;
  EXPECT_EQ(ToJson(event).dump(), R"({"count":[">= 1"],"event":"Order Completed","within":"1w"})");
  event.where = {"properties.total > 0"};
  event.within.reset();
  EXPECT_EQ(ToJson(event).dump(),
            R"({"count":[">= 1"],"event":"Order Completed","where":["properties.total > 0"]})");
  SegmentRuleView trait = RuleOfKind(SegmentRuleView::Kind::kTrait);
  trait.traits = {"traits.plan = pro"};
  SegmentRuleView segment = RuleOfKind(SegmentRuleView::Kind::kSegment);
  segment.segment = SegmentId("vip");
  SegmentRuleView negated = RuleOfKind(SegmentRuleView::Kind::kNot);
  negated.children = {segment};
  SegmentRuleView any = RuleOfKind(SegmentRuleView::Kind::kAny);
  any.children = {trait, negated};
  EXPECT_EQ(ToJson(any).dump(),
            R"({"any":[{"trait":["traits.plan = pro"]},{"not":{"segment":"vip"}}]})");
}

}  // namespace
}  // namespace signpost::wire
