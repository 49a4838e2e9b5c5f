// Segment reports written as JSON: the list, one segment, a profile's segments, an import.
#include "base/duration.h"
#include "base/time.h"
#include "wire/wire.h"

namespace signpost::wire {

using nlohmann::json;

namespace {

const char* SegmentTypeName(SegmentType type) {
  return type == SegmentType::kRule ? "rule" : "static";
}

json TriggersJson(const SegmentTriggers& t) {
  return {{"events", t.events}, {"traits", t.traits}, {"time", t.time}, {"static", t.is_static}};
}

}  // namespace

json ToJson(const SegmentRuleView& rule) {
  using Kind = SegmentRuleView::Kind;
  switch (rule.kind) {
    case Kind::kEvent: {
      json out = {{"event", rule.event}};
      if (!rule.where.empty()) out["where"] = rule.where;
      out["count"] = rule.count;
      if (rule.within) out["within"] = FormatDuration(*rule.within);
      return out;
    }
    case Kind::kTrait:
      return {{"trait", rule.traits}};
    case Kind::kSegment:
      return {{"segment", rule.segment}};
    case Kind::kFunnel:
      return {{"funnel", {{"id", rule.funnel}, {"tests", rule.funnel_tests}}}};
    case Kind::kNot:
      return {{"not", ToJson(rule.children.at(0))}};
    case Kind::kAll:
    case Kind::kAny: {
      json list = json::array();
      for (const auto& c : rule.children) list.push_back(ToJson(c));
      return {{rule.kind == Kind::kAll ? "all" : "any", list}};
    }
  }
  return nullptr;
}

json ToJson(const SegmentList& list) {
  json out = json::array();
  for (const SegmentSummary& s : list.segments) {
    if (s.type == SegmentType::kStatic) {
      out.push_back({{"name", s.name},
                     {"type", SegmentTypeName(s.type)},
                     {"version", s.version},
                     {"members", s.members},
                     {"note", s.note},
                     {"at", FormatIso8601(s.at)}});
    } else {
      out.push_back({{"name", s.name},
                     {"type", SegmentTypeName(s.type)},
                     {"title", s.title},
                     {"version", s.version},
                     {"rule", ToJson(s.rule)},
                     {"triggers", TriggersJson(s.triggers)},
                     {"note", s.note},
                     {"at", FormatIso8601(s.at)}});
    }
  }
  return json{{"segments", out}};
}

json ToJson(const SegmentView& s) {
  if (s.type == SegmentType::kStatic) {
    return json{{"name", s.name},
                {"type", SegmentTypeName(s.type)},
                {"version", s.version},
                {"note", s.note},
                {"at", FormatIso8601(s.at)},
                {"count", s.identities.size()},
                {"identities", s.identities}};
  }
  json people = json::array();
  for (const SegmentMember& m : s.members) {
    people.push_back({{"profile", m.profile.value()}, {"identities", m.identities}});
  }
  return json{{"name", s.name},
              {"type", SegmentTypeName(s.type)},
              {"title", s.title},
              {"version", s.version},
              {"note", s.note},
              {"rule", ToJson(s.rule)},
              {"evaluated_at", FormatIso8601(s.evaluated_at)},
              {"count", s.members.size()},
              {"members", people},
              {"identities", s.identities}};
}

json ToJson(const ProfileSegments& of) {
  return json{{"profile", of.profile.value()},
              {"identity", of.identity},
              {"evaluated_at", FormatIso8601(of.evaluated_at)},
              {"segments", of.segments}};
}

json ToJson(const SegmentImport& r) {
  return json{{"segment", r.segment},
              {"version", r.version},
              {"mode", r.add ? "add" : "replace"},
              {"imported", r.imported},
              {"members", r.members},
              {"known", r.known},
              {"unknown_count", r.unknown_count},
              {"unknown", r.unknown},
              {"note", r.note}};
}

}  // namespace signpost::wire
