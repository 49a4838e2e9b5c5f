#include "journeys/journey_definition.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "base/duration.h"
#include "base/id_rule.h"
#include "base/system_events.h"
#include "base/time.h"
#include "delivery/template_text.h"
#include "goals/goal_definition.h"
#include "journeys/local_time.h"
#include "rules/consent_rule.h"
#include "rules/where.h"

namespace signpost::journeys {

namespace {

using rules::KeysAllowed;
using rules::ScalarAt;

// "steps[2].wait (line 14): <what>".
Status Bad(const std::string& field, const YAML::Node& node, const std::string& what) {
  if (node.IsDefined() && node.Mark().line >= 0)
    return Status::InvalidArgument(
        fmt::format("{} (line {}): {}", field, node.Mark().line + 1, what));
  return Status::InvalidArgument(field + ": " + what);
}

Result<DurationMs> DurationAt(const YAML::Node& node, const std::string& field) {
  SP_ASSIGN_OR_RETURN(std::string text, ScalarAt(node, field));
  auto d = ParseDuration(text);
  if (!d.ok()) return Bad(field, node, d.status().message());
  return *d;
}

Result<TimeMs> TimeAt(const YAML::Node& node, const std::string& field) {
  SP_ASSIGN_OR_RETURN(std::string text, ScalarAt(node, field));
  auto t = ParseIso8601(text);
  if (!t.ok()) {
    return Bad(field, node,
               fmt::format("'{}' is not a time; write ISO 8601, e.g. 2026-12-01T09:00:00Z", text));
  }
  return *t;
}

Result<std::vector<SegmentId>> NameList(const YAML::Node& node, const std::string& field) {
  std::vector<SegmentId> out;
  if (node.IsScalar()) {
    out.emplace_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return Bad(field, node, "expected a list of segment names, e.g. [vip]");
  for (size_t i = 0; i < node.size(); ++i) {
    SP_ASSIGN_OR_RETURN(std::string s, ScalarAt(node[i], fmt::format("{}[{}]", field, i)));
    out.emplace_back(std::move(s));
  }
  return out;
}

// "21:00-08:00" -> minutes.
Result<QuietHours> ParseQuietHours(const YAML::Node& node, const std::string& field) {
  SP_ASSIGN_OR_RETURN(std::string text, ScalarAt(node, field));
  int h1, m1, h2, m2;
  char tail;
  if (std::sscanf(text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 ||
      h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) {
    return Bad(field, node,
               fmt::format("'{}' is not a time range; write HH:MM-HH:MM, e.g. 21:00-08:00", text));
  }
  QuietHours q;
  q.start_minute = h1 * 60 + m1;
  q.end_minute = h2 * 60 + m2;
  q.enabled = q.start_minute != q.end_minute;
  return q;
}

// "10%" or 10 -> 10.
Result<double> Percent(const YAML::Node& node, const std::string& field, double lo, double hi) {
  SP_ASSIGN_OR_RETURN(std::string text, ScalarAt(node, field));
  if (!text.empty() && text.back() == '%') text.pop_back();
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || v < lo || v > hi) {
    return Bad(field, node, fmt::format("expected a percentage from {} to {}, e.g. 10%", lo, hi));
  }
  return v;
}

// The journey's steps are parsed in two passes: ids first (so forward references resolve), then
// bodies. `Targets` maps a step id (or "exit"/"end") to its index.
class Targets {
 public:
  explicit Targets(std::map<std::string, int> ids) : ids_(std::move(ids)) {}
  Result<int> Resolve(const YAML::Node& node, const std::string& field) const {
    SP_ASSIGN_OR_RETURN(std::string id, ScalarAt(node, field));
    if (id == "exit") return kExitNow;
    if (id == "end") return kEnd;
    auto it = ids_.find(id);
    if (it == ids_.end()) {
      std::string known;
      for (const auto& [k, v] : ids_) known += (known.empty() ? "" : ", ") + k;
      return Bad(field, node,
                 fmt::format("no step has id '{}'; use one of {} (or exit, end)", id, known));
    }
    return it->second;
  }

 private:
  std::map<std::string, int> ids_;
};

// The step's subject override: a template over the message's values, checked now so a bad
// placeholder is refused at apply, not at send time.
Status ParseSubject(const YAML::Node& m, const std::string& field, Step& s) {
  if (!m["subject"]) return Status::Ok();
  SP_ASSIGN_OR_RETURN(s.subject, ScalarAt(m["subject"], field + ".subject"));
  auto parsed = delivery::TemplateText::Parse(s.subject, field + ".subject");
  if (!parsed.ok()) return Bad(field + ".subject", m["subject"], parsed.status().message());
  return Status::Ok();
}

// `message: { channel: auto, default: email, templates: { email: t1, sms: t2 }, subject?,
// optimize_by_segment? }`: one template per candidate channel, each for that channel.
Status ParseAutoMessage(const YAML::Node& m, const std::string& field, const References& refs,
                        Step& s) {
  s.channel = std::string(kAutoChannel);
  if (m["template"]) {
    return Bad(field + ".template", m["template"],
               "with channel: auto, name one template per channel under `templates:`, e.g. "
               "templates: { email: cart-reminder, sms: cart-sms }");
  }
  const YAML::Node& ts = m["templates"];
  if (!ts || !ts.IsMap() || ts.size() < 2) {
    return Bad(field + ".templates", ts ? ts : m,
               "with channel: auto, map at least 2 channels to their templates, e.g. "
               "templates: { email: cart-reminder, sms: cart-sms }");
  }
  for (const auto& kv : ts) {
    const std::string channel = kv.first.Scalar();
    const std::string f = field + ".templates." + channel;
    if (channel.empty() || channel == kAutoChannel) {
      return Bad(f, kv.first, "name a channel, e.g. email, sms or push");
    }
    for (const auto& [c, t] : s.auto_templates) {
      if (c == channel) return Bad(f, kv.first, "this channel is listed twice; keep one template");
    }
    SP_ASSIGN_OR_RETURN(std::string template_id, ScalarAt(kv.second, f));
    if (refs.template_channel) {
      std::string template_channel;
      std::string err = refs.template_channel(template_id, &template_channel);
      if (!err.empty()) return Bad(f, kv.second, err);
      if (template_channel != channel) {
        return Bad(f, kv.second,
                   fmt::format("template '{}' is for channel '{}', not '{}'; use a {} template",
                               template_id, template_channel, channel, channel));
      }
    }
    if (refs.channel) {
      std::string err = refs.channel(channel);
      if (!err.empty()) return Bad(f, kv.first, err);
    }
    s.auto_templates.emplace_back(channel, std::move(template_id));
  }
  std::string candidates;
  for (const auto& [c, t] : s.auto_templates) candidates += (candidates.empty() ? "" : ", ") + c;
  if (!m["default"]) {
    return Bad(field + ".default", m,
               fmt::format("missing; with channel: auto name the default channel, one of {} (it "
                           "takes the 10% control and is the fallback)",
                           candidates));
  }
  SP_ASSIGN_OR_RETURN(s.default_channel, ScalarAt(m["default"], field + ".default"));
  bool known = false;
  for (const auto& [c, t] : s.auto_templates) known |= c == s.default_channel;
  if (!known) {
    return Bad(field + ".default", m["default"],
               fmt::format("'{}' is not one of the channels under templates; use one of {}",
                           s.default_channel, candidates));
  }
  if (m["optimize_by_segment"]) {
    const std::string f = field + ".optimize_by_segment";
    SP_ASSIGN_OR_RETURN(s.optimize_by_segment, NameList(m["optimize_by_segment"], f));
    for (size_t i = 0; i < s.optimize_by_segment.size() && refs.segment; ++i) {
      std::string err = refs.segment(s.optimize_by_segment[i].value());
      if (!err.empty()) return Bad(fmt::format("{}[{}]", f, i), m["optimize_by_segment"], err);
    }
  }
  return ParseSubject(m, field, s);
}

Status ParseMessage(const YAML::Node& m, const std::string& field, const References& refs,
                    Step& s) {
  if (!m.IsMap()) return Bad(field, m, "expected { channel, template, subject? }");
  SP_RETURN_IF_ERROR(KeysAllowed(
      m, field, {"channel", "template", "subject", "default", "templates", "optimize_by_segment"},
      false));
  if (m["channel"] && m["channel"].IsScalar() && m["channel"].Scalar() == kAutoChannel) {
    return ParseAutoMessage(m, field, refs, s);
  }
  for (const char* key : {"default", "templates", "optimize_by_segment"}) {
    if (m[key]) {
      return Bad(field + "." + key, m[key],
                 "only a message with `channel: auto` has this; write channel: auto or remove it");
    }
  }
  if (!m["template"])
    return Bad(field + ".template", m, "missing; name a `kind: template` definition");
  SP_ASSIGN_OR_RETURN(s.template_id, ScalarAt(m["template"], field + ".template"));
  std::string template_channel;
  if (refs.template_channel) {
    std::string err = refs.template_channel(s.template_id, &template_channel);
    if (!err.empty()) return Bad(field + ".template", m["template"], err);
  }
  if (m["channel"]) {
    SP_ASSIGN_OR_RETURN(s.channel, ScalarAt(m["channel"], field + ".channel"));
  } else {
    s.channel = template_channel;
  }
  if (s.channel.empty()) return Bad(field + ".channel", m, "missing; name the channel, e.g. email");
  if (!template_channel.empty() && template_channel != s.channel) {
    return Bad(field + ".channel", m,
               fmt::format("template '{}' is for channel '{}', not '{}'; use a {} template",
                           s.template_id, template_channel, s.channel, s.channel));
  }
  if (refs.channel) {
    std::string err = refs.channel(s.channel);
    if (!err.empty()) return Bad(field + ".channel", m["channel"] ? m["channel"] : m, err);
  }
  return ParseSubject(m, field, s);
}

Status ParseWait(const YAML::Node& step, const YAML::Node& w, const std::string& field,
                 const Targets& targets, Step& s) {
  if (!w.IsMap())
    return Bad(field, w,
               "expected { for: 1h } | { until: <time> } | { until_event: <name>, timeout: 2d }");
  SP_RETURN_IF_ERROR(
      KeysAllowed(w, field, {"for", "until", "until_event", "where", "match", "timeout"}, false));
  int kinds = (w["for"] ? 1 : 0) + (w["until"] ? 1 : 0) + (w["until_event"] ? 1 : 0);
  if (kinds != 1) return Bad(field, w, "give exactly one of for, until, until_event");
  if (w["for"]) {
    s.wait = WaitKind::kFor;
    SP_ASSIGN_OR_RETURN(s.wait_for, DurationAt(w["for"], field + ".for"));
    if (s.wait_for <= 0) return Bad(field + ".for", w["for"], "must be longer than 0s");
  } else if (w["until"]) {
    s.wait = WaitKind::kUntil;
    SP_ASSIGN_OR_RETURN(s.wait_until, TimeAt(w["until"], field + ".until"));
  } else {
    s.wait = WaitKind::kEvent;
    SP_ASSIGN_OR_RETURN(s.await.event, ScalarAt(w["until_event"], field + ".until_event"));
    if (s.await.event.empty()) return Bad(field + ".until_event", w, "is empty; name the event");
    if (system_events::IsReserved(s.await.event) &&
        s.await.event != system_events::kMessageOpened &&
        s.await.event != system_events::kMessageClicked) {
      return Bad(field + ".until_event", w["until_event"],
                 fmt::format("'{}' is recorded by signpost itself; wait for an event you send, or "
                             "for Message Opened / Message Clicked",
                             s.await.event));
    }
    if (w["where"])
      SP_RETURN_IF_ERROR(rules::ParseWhere(w["where"], field + ".where", &s.await.where));
    if (w["match"]) {
      const YAML::Node& m = w["match"];
      if (!m.IsMap())
        return Bad(field + ".match", m,
                   "expected { properties.cart_id: \"{{entry.properties.cart_id}}\" }");
      for (const auto& kv : m) {
        std::string f = field + ".match." + kv.first.Scalar();
        auto path = rules::ParsePropertyPath(kv.first.Scalar());
        if (!path.ok()) return Bad(f, kv.first, path.status().message());
        SP_ASSIGN_OR_RETURN(std::string value, ScalarAt(kv.second, f));
        s.correlate.push_back({*path, value});
      }
    }
    if (w["timeout"]) {
      SP_ASSIGN_OR_RETURN(s.timeout, DurationAt(w["timeout"], field + ".timeout"));
      if (s.timeout <= 0) return Bad(field + ".timeout", w["timeout"], "must be longer than 0s");
    }
    if (step["on_event"]) {
      SP_ASSIGN_OR_RETURN(s.on_event, targets.Resolve(step["on_event"], field + ".on_event"));
    }
    if (step["on_timeout"]) {
      if (s.timeout == 0) {
        return Bad(field + ".on_timeout", step["on_timeout"], "needs a `timeout:` in the wait");
      }
      SP_ASSIGN_OR_RETURN(s.on_timeout, targets.Resolve(step["on_timeout"], field + ".on_timeout"));
    }
  }
  return Status::Ok();
}

Result<BranchCondition> ParseBranchCondition(const YAML::Node& c, const std::string& field,
                                             const References& refs) {
  BranchCondition out;
  if (!c.IsMap())
    return Bad(field, c, "expected conditions, e.g. { traits.plan: pro } or { segment: vip }");
  for (const auto& kv : c) {
    std::string key = kv.first.Scalar();
    std::string f = field + "." + key;
    const YAML::Node& v = kv.second;
    if (key == "segment" || key == "not_segment") {
      SP_ASSIGN_OR_RETURN(auto names, NameList(v, f));
      for (const auto& n : names) {
        if (refs.segment) {
          std::string err = refs.segment(n.value());
          if (!err.empty()) return Bad(f, v, err);
        }
      }
      auto& dst = key == "segment" ? out.in_segments : out.not_in_segments;
      dst.insert(dst.end(), names.begin(), names.end());
    } else if (key == "opened_last_message" || key == "clicked_last_message") {
      SP_ASSIGN_OR_RETURN(std::string b, ScalarAt(v, f));
      if (b != "true" && b != "false") return Bad(f, v, "expected true or false");
      (key[0] == 'o' ? out.opened_last_message : out.clicked_last_message) = b == "true";
    } else if (key == "did") {
      SP_ASSIGN_OR_RETURN(out.did_event, rules::ParseMatcher(v, f));
    } else if (key == "funnel") {
      if (!v.IsMap() || !v["id"] || !v["last_step"]) {
        return Bad(f, v, "expected { id: <funnel>, last_step: { gte: 2 } }");
      }
      SP_ASSIGN_OR_RETURN(std::string funnel, ScalarAt(v["id"], f + ".id"));
      out.funnel = FunnelId(std::move(funnel));
      if (refs.funnel) {
        std::string err = refs.funnel(out.funnel.value());
        if (!err.empty()) return Bad(f + ".id", v["id"], err);
      }
      YAML::Node where;
      where["traits.last_step"] = v["last_step"];
      std::vector<rules::Condition> conds;
      SP_RETURN_IF_ERROR(rules::ParseWhere(where, f + ".last_step", &conds));
      out.funnel_step = conds.front();
    } else if (key == "next_best_action") {
      const char* example =
          "expected { funnel: <funnel>, is: <journey or journey/step> } or { funnel: <funnel>, "
          "evidence: none }";
      if (!v.IsMap() || !v["funnel"] || (v["is"] ? 1 : 0) + (v["evidence"] ? 1 : 0) != 1)
        return Bad(f, v, example);
      SP_RETURN_IF_ERROR(KeysAllowed(v, f, {"funnel", "is", "evidence"}, false));
      SP_ASSIGN_OR_RETURN(std::string funnel, ScalarAt(v["funnel"], f + ".funnel"));
      out.nba_funnel = FunnelId(std::move(funnel));
      if (refs.funnel) {
        std::string err = refs.funnel(out.nba_funnel.value());
        if (!err.empty()) return Bad(f + ".funnel", v["funnel"], err);
      }
      if (v["is"]) {
        SP_ASSIGN_OR_RETURN(out.nba_is, ScalarAt(v["is"], f + ".is"));
        const size_t slash = out.nba_is.find('/');
        const bool ok = slash == std::string::npos
                            ? CheckId("", out.nba_is).ok()
                            : CheckId("", out.nba_is.substr(0, slash)).ok() &&
                                  slash + 1 < out.nba_is.size() && out.nba_is.size() <= 400;
        if (!ok)
          return Bad(f + ".is", v["is"],
                     "expected a journey id or <journey id>/<step id>, e.g. nudge or nudge/email");
      } else {
        SP_ASSIGN_OR_RETURN(std::string e, ScalarAt(v["evidence"], f + ".evidence"));
        if (e != "none" && e != "lift")
          return Bad(f + ".evidence", v["evidence"], "expected none or lift");
        out.nba_has_evidence = e == "lift";
      }
    } else if (key.rfind("traits.", 0) == 0) {
      YAML::Node where;
      where[key] = v;
      SP_RETURN_IF_ERROR(rules::ParseWhere(where, field, &out.traits));
    } else {
      return Bad(f, kv.first,
                 "unknown condition; use traits.<name>, segment, not_segment, opened_last_message, "
                 "clicked_last_message, did, funnel, next_best_action");
    }
  }
  return out;
}

Status ParseBranch(const YAML::Node& b, const std::string& field, const Targets& targets,
                   const References& refs, Step& s) {
  if (!b.IsSequence() || b.size() == 0) {
    return Bad(field, b,
               "expected a list of arms: - if: {...} goto: <step>, and a last - else: <step>");
  }
  for (size_t i = 0; i < b.size(); ++i) {
    std::string f = fmt::format("{}[{}]", field, i);
    const YAML::Node& arm = b[i];
    if (!arm.IsMap())
      return Bad(f, arm, "expected { if: {...}, goto: <step> } or { else: <step> }");
    if (arm["else"]) {
      if (i + 1 != b.size()) return Bad(f, arm, "`else` must be the last arm");
      SP_ASSIGN_OR_RETURN(s.otherwise, targets.Resolve(arm["else"], f + ".else"));
      continue;
    }
    SP_RETURN_IF_ERROR(KeysAllowed(arm, f, {"if", "goto", "label"}, false));
    if (!arm["if"] || !arm["goto"]) return Bad(f, arm, "an arm needs `if:` and `goto:`");
    BranchArm a;
    SP_ASSIGN_OR_RETURN(a.when, ParseBranchCondition(arm["if"], f + ".if", refs));
    SP_ASSIGN_OR_RETURN(a.next, targets.Resolve(arm["goto"], f + ".goto"));
    a.label = arm["label"] ? arm["label"].Scalar() : fmt::format("if {}", i + 1);
    s.arms.push_back(std::move(a));
  }
  if (s.arms.empty()) return Bad(field, b, "a branch needs at least one `if:` arm");
  return Status::Ok();
}

Status ParseSplit(const YAML::Node& sp, const std::string& field, const Targets& targets, Step& s) {
  if (!sp.IsMap() || !sp["variants"] || !sp["variants"].IsSequence()) {
    return Bad(field, sp, "expected { variants: [ {id: A, weight: 50%, goto: <step>}, ... ] }");
  }
  SP_RETURN_IF_ERROR(KeysAllowed(sp, field, {"variants", "metric", "end", "ends_at"}, false));
  if (sp["end"] && sp["ends_at"]) {
    return Bad(field + ".ends_at", sp["ends_at"], "give the end once: `end:` or `ends_at:`");
  }
  for (const char* key : {"end", "ends_at"}) {
    if (sp[key]) {
      SP_ASSIGN_OR_RETURN(s.split_end, TimeAt(sp[key], field + "." + key));
    }
  }
  if (sp["metric"]) {
    SP_ASSIGN_OR_RETURN(s.split_metric, ScalarAt(sp["metric"], field + ".metric"));
    if (s.split_metric != "goal" && s.split_metric != "opens" && s.split_metric != "clicks")
      return Bad(field + ".metric", sp["metric"], "use goal (default), opens or clicks");
  }
  const YAML::Node& vs = sp["variants"];
  if (vs.size() < 2 || vs.size() > 4)
    return Bad(field + ".variants", vs, "a split has 2 to 4 variants");
  double total = 0;
  std::set<std::string> ids;
  for (size_t i = 0; i < vs.size(); ++i) {
    std::string f = fmt::format("{}.variants[{}]", field, i);
    const YAML::Node& v = vs[i];
    if (!v.IsMap() || !v["id"] || !v["weight"]) return Bad(f, v, "expected { id, weight, goto? }");
    SP_RETURN_IF_ERROR(KeysAllowed(v, f, {"id", "weight", "goto"}, false));
    SplitVariant var;
    SP_ASSIGN_OR_RETURN(var.id, ScalarAt(v["id"], f + ".id"));
    if (!ids.insert(var.id).second) return Bad(f + ".id", v["id"], "two variants have this id");
    SP_ASSIGN_OR_RETURN(var.weight, Percent(v["weight"], f + ".weight", 0, 100));
    if (vs.size() == 2 && (var.weight < 10 || var.weight > 90))
      return Bad(f + ".weight", v["weight"], "with two variants each weight is 10% to 90%");
    var.next = s.next;
    if (v["goto"]) {
      SP_ASSIGN_OR_RETURN(var.next, targets.Resolve(v["goto"], f + ".goto"));
    }
    total += var.weight;
    s.variants.push_back(std::move(var));
  }
  if (std::abs(total - 100) > 1e-6) {
    return Bad(field + ".variants", vs, fmt::format("the weights add up to {}%, not 100%", total));
  }
  return Status::Ok();
}

Status ParseStep(const YAML::Node& node, const std::string& field, const Targets& targets,
                 const References& refs, Step& s) {
  static const std::set<std::string> kKinds = {"message", "wait",   "branch",
                                               "split",   "update", "exit"};
  int kinds = 0;
  for (const auto& k : kKinds) kinds += node[k] ? 1 : 0;
  if (kinds != 1) {
    return Bad(field, node,
               "a step has an `id` and exactly one of message, wait, branch, split, update, exit");
  }
  SP_RETURN_IF_ERROR(KeysAllowed(node, field,
                                 {"id", "message", "wait", "branch", "split", "update", "exit",
                                  "next", "on_event", "on_timeout", "name"},
                                 false));
  if (node["next"]) {
    SP_ASSIGN_OR_RETURN(s.next, targets.Resolve(node["next"], field + ".next"));
  }
  if (node["message"]) {
    s.kind = StepKind::kMessage;
    return ParseMessage(node["message"], field + ".message", refs, s);
  }
  if (node["wait"]) {
    s.kind = StepKind::kWait;
    s.on_event = s.next;
    s.on_timeout = s.next;
    SP_RETURN_IF_ERROR(ParseWait(node, node["wait"], field + ".wait", targets, s));
    return Status::Ok();
  }
  if ((node["on_event"] || node["on_timeout"])) {
    return Bad(field, node, "on_event and on_timeout belong to a wait with until_event");
  }
  if (node["branch"]) {
    s.kind = StepKind::kBranch;
    s.otherwise = s.next;
    return ParseBranch(node["branch"], field + ".branch", targets, refs, s);
  }
  if (node["split"]) {
    s.kind = StepKind::kSplit;
    return ParseSplit(node["split"], field + ".split", targets, s);
  }
  if (node["update"]) {
    s.kind = StepKind::kUpdate;
    const YAML::Node& u = node["update"];
    if (!u.IsMap() || !u["traits"] || !u["traits"].IsMap())
      return Bad(field + ".update", u, "expected { traits: { name: value, ... } }");
    for (const auto& kv : u["traits"]) {
      std::string f = field + ".update.traits." + kv.first.Scalar();
      SP_ASSIGN_OR_RETURN(std::string v, ScalarAt(kv.second, f));
      rules::Literal lit = rules::Literal::Of(v);
      if (lit.boolean) {
        s.set_traits[kv.first.Scalar()] = *lit.boolean;
      } else if (lit.number) {
        s.set_traits[kv.first.Scalar()] = *lit.number;
      } else {
        s.set_traits[kv.first.Scalar()] = v;
      }
    }
    return Status::Ok();
  }
  s.kind = StepKind::kExit;
  return Status::Ok();
}

// Every step's successors (kEnd / kExitNow excluded).
std::vector<int> Successors(const Step& s) {
  std::vector<int> out;
  auto add = [&out](int n) {
    if (n >= 0) out.push_back(n);
  };
  switch (s.kind) {
    case StepKind::kMessage:
    case StepKind::kUpdate:
      add(s.next);
      break;
    case StepKind::kWait:
      if (s.wait == WaitKind::kEvent) {
        add(s.on_event);
        add(s.on_timeout);
      } else {
        add(s.next);
      }
      break;
    case StepKind::kBranch:
      for (const auto& a : s.arms) add(a.next);
      add(s.otherwise);
      break;
    case StepKind::kSplit:
      for (const auto& v : s.variants) add(v.next);
      break;
    case StepKind::kExit:
      break;
  }
  return out;
}

// A cycle made only of steps that take no time would loop forever on one event: refuse it.
Status CheckCycles(const std::vector<Step>& steps) {
  const int n = static_cast<int>(steps.size());
  std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<int> path;
  std::function<Status(int)> visit = [&](int i) -> Status {
    color[i] = 1;
    path.push_back(i);
    for (int j : Successors(steps[i])) {
      if (steps[j].kind == StepKind::kWait) continue;  // a wait breaks the instant loop
      if (color[j] == 1) {
        std::string cycle;
        auto it = std::find(path.begin(), path.end(), j);
        for (; it != path.end(); ++it) cycle += steps[*it].id + " -> ";
        cycle += steps[j].id;
        return Status::InvalidArgument(fmt::format(
            "steps: the cycle {} has no wait, so a profile would loop forever in one instant; put "
            "a wait step in the cycle",
            cycle));
      }
      if (color[j] == 0) SP_RETURN_IF_ERROR(visit(j));
    }
    path.pop_back();
    color[i] = 2;
    return Status::Ok();
  };
  for (int i = 0; i < n; ++i) {
    if (steps[i].kind == StepKind::kWait) continue;
    if (color[i] == 0) SP_RETURN_IF_ERROR(visit(i));
  }
  return Status::Ok();
}

nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : node) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& v : node) a.push_back(ToJson(v));
      return a;
    }
    case YAML::NodeType::Scalar:
      return node.Scalar();
    default:
      return nullptr;
  }
}

Result<JourneyDefinition> ParseNode(const YAML::Node& root, const References& refs) {
  if (!root.IsMap())
    return Status::InvalidArgument("journey: expected a mapping with kind, id, entry, steps");
  // Before anything else: `goals:`, a repeated `goal:` key (yaml-cpp keeps both and `root["goal"]`
  // would read the first without a word) or a goal list — "one goal per journey".
  SP_RETURN_IF_ERROR(goals::CheckOneGoal(root));
  SP_RETURN_IF_ERROR(
      KeysAllowed(root, "journey",
                  {"kind", "id", "name", "note", "entry", "start", "end", "exclude", "suppress",
                   "listening_window", "settings", "steps", "goal", "consent"},
                  false));
  JourneyDefinition def;
  if (!root["id"]) return Bad("id", root, "missing; give the journey an `id`");
  SP_ASSIGN_OR_RETURN(std::string id, ScalarAt(root["id"], "id"));
  if (id.empty() || id.find('/') != std::string::npos)
    return Bad("id", root["id"], "must be non-empty and without '/'");
  def.id = JourneyId(std::move(id));
  if (root["name"]) {
    SP_ASSIGN_OR_RETURN(def.name, ScalarAt(root["name"], "name"));
  }
  if (def.name.empty()) def.name = def.id.value();
  if (root["note"]) {
    SP_ASSIGN_OR_RETURN(def.note, ScalarAt(root["note"], "note"));
  }

  // entry
  const YAML::Node& e = root["entry"];
  if (!e || !e.IsMap())
    return Bad("entry", root,
               "missing; give { event: <name>, where?, reentry? } or { segment: <name> }");
  SP_RETURN_IF_ERROR(KeysAllowed(
      e, "entry", {"event", "where", "segment", "join_later", "reentry", "funnel_step"}, false));
  if ((e["event"] ? 1 : 0) + (e["segment"] ? 1 : 0) + (e["funnel_step"] ? 1 : 0) != 1)
    return Bad("entry", e,
               "give exactly one of `event:` (a trigger), `segment:` or `funnel_step:`");
  if (e["funnel_step"]) {
    const YAML::Node& f = e["funnel_step"];
    const std::string example =
        "e.g. `funnel_step: { funnel: onboarding, step: 2, on: stalled, after: 1d }`";
    if (!f.IsMap()) return Bad("entry.funnel_step", f, "expected a map; " + example);
    SP_RETURN_IF_ERROR(
        KeysAllowed(f, "entry.funnel_step", {"funnel", "step", "on", "after"}, false));
    Entry::FunnelStep fs;
    SP_ASSIGN_OR_RETURN(std::string funnel, ScalarAt(f["funnel"], "entry.funnel_step.funnel"));
    fs.funnel = FunnelId(std::move(funnel));
    if (refs.funnel) {
      std::string err = refs.funnel(fs.funnel.value());
      if (!err.empty()) return Bad("entry.funnel_step.funnel", f["funnel"], err);
    }
    SP_ASSIGN_OR_RETURN(std::string step, ScalarAt(f["step"], "entry.funnel_step.step"));
    auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), fs.step);
    if (ec != std::errc() || end != step.data() + step.size() || fs.step < 1 || fs.step > 64)
      return Bad("entry.funnel_step.step", f["step"], "expected a step number from 1 to 64");
    const std::string on = f["on"] ? f["on"].Scalar() : "reached";
    if (on != "reached" && on != "stalled")
      return Bad("entry.funnel_step.on", f["on"], "expected reached or stalled");
    fs.stalled = on == "stalled";
    if (fs.stalled) {
      if (!f["after"])
        return Bad("entry.funnel_step.after", f,
                   "missing: how long at the step counts as stalled; " + example);
      auto d = ParseDuration(f["after"].Scalar());
      if (!d.ok() || *d <= 0)
        return Bad("entry.funnel_step.after", f["after"],
                   "expected a duration longer than 0s, e.g. 1d");
      fs.after = *d;
    } else if (f["after"]) {
      return Bad("entry.funnel_step.after", f["after"],
                 "`after` goes with `on: stalled`; a reached step enters at once");
    }
    def.entry.funnel_step = std::move(fs);
  } else if (e["event"]) {
    YAML::Node m;
    m["event"] = e["event"];
    if (e["where"]) m["where"] = e["where"];
    SP_ASSIGN_OR_RETURN(def.entry.trigger, rules::ParseMatcher(m, "entry"));
    if (system_events::IsReserved(def.entry.trigger->event)) {
      return Bad("entry.event", e["event"],
                 fmt::format("'{}' is recorded by signpost itself and cannot start a journey; "
                             "trigger on an event you send",
                             def.entry.trigger->event));
    }
  } else {
    if (e["where"])
      return Bad("entry.where", e["where"], "`where` applies to an entry event, not a segment");
    SP_ASSIGN_OR_RETURN(std::string segment, ScalarAt(e["segment"], "entry.segment"));
    def.entry.segment = SegmentId(std::move(segment));
    if (refs.segment) {
      std::string err = refs.segment(def.entry.segment.value());
      if (!err.empty()) return Bad("entry.segment", e["segment"], err);
    }
    if (e["join_later"]) def.entry.join_later = e["join_later"].Scalar() == "true";
  }
  if (e["reentry"]) {
    const YAML::Node& r = e["reentry"];
    std::string text;
    if (r.IsMap() && r["after"]) {
      text = "after " + r["after"].Scalar();
    } else {
      SP_ASSIGN_OR_RETURN(text, ScalarAt(r, "entry.reentry"));
    }
    if (text == "once") {
      def.entry.reentry = ReentryPolicy::kOnce;
    } else if (text == "always") {
      def.entry.reentry = ReentryPolicy::kAlways;
    } else if (text.rfind("after ", 0) == 0) {
      def.entry.reentry = ReentryPolicy::kAfter;
      auto d = ParseDuration(text.substr(6));
      if (!d.ok()) return Bad("entry.reentry", r, d.status().message());
      def.entry.reentry_after = *d;
    } else {
      return Bad("entry.reentry", r, "use once, always, or after <duration> (e.g. after 7d)");
    }
  }
  if (root["start"]) {
    SP_ASSIGN_OR_RETURN(def.start, TimeAt(root["start"], "start"));
  }
  if (root["end"]) {
    SP_ASSIGN_OR_RETURN(def.end, TimeAt(root["end"], "end"));
  }
  if (def.start && def.end && *def.end <= *def.start)
    return Bad("end", root["end"], "must be after start");
  for (const char* key : {"exclude", "suppress"}) {
    if (!root[key]) continue;
    SP_ASSIGN_OR_RETURN(auto names, NameList(root[key], key));
    for (size_t i = 0; i < names.size(); ++i) {
      if (!refs.segment) break;
      std::string err = refs.segment(names[i].value());
      if (!err.empty()) return Bad(fmt::format("{}[{}]", key, i), root[key], err);
    }
    (std::string(key) == "exclude" ? def.exclude : def.suppress) = std::move(names);
  }
  if (root["consent"]) {  // privacy: tracking consent
    SP_ASSIGN_OR_RETURN(def.consent, rules::ParseConsentRequirement(root["consent"], "consent"));
  }
  if (root["listening_window"]) {
    SP_ASSIGN_OR_RETURN(def.listening_window,
                        DurationAt(root["listening_window"], "listening_window"));
  }
  if (const YAML::Node& st = root["settings"]) {
    if (!st.IsMap())
      return Bad("settings", st, "expected { quiet_hours, holdout, timezone, frequency_cap }");
    SP_RETURN_IF_ERROR(KeysAllowed(st, "settings",
                                   {"quiet_hours", "holdout", "timezone", "frequency_cap"}, false));
    if (st["quiet_hours"]) {
      SP_ASSIGN_OR_RETURN(def.quiet_hours,
                          ParseQuietHours(st["quiet_hours"], "settings.quiet_hours"));
    }
    if (st["holdout"]) {
      SP_ASSIGN_OR_RETURN(def.holdout_percent, Percent(st["holdout"], "settings.holdout", 0, 50));
    }
    if (st["timezone"]) {
      SP_ASSIGN_OR_RETURN(def.timezone, ScalarAt(st["timezone"], "settings.timezone"));
      if (!KnownTimeZone(def.timezone))
        return Bad(
            "settings.timezone", st["timezone"],
            fmt::format("unknown time zone '{}'; use an IANA name such as Europe/Paris or UTC",
                        def.timezone));
    }
    if (st["frequency_cap"]) def.frequency_capped = st["frequency_cap"].Scalar() != "false";
  }

  // steps: ids first, so gotos may point forward
  const YAML::Node& steps = root["steps"];
  if (!steps || !steps.IsSequence() || steps.size() == 0)
    return Bad("steps", root, "missing; list the steps, e.g. - id: reminder\\n  message: {...}");
  std::map<std::string, int> ids;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string f = fmt::format("steps[{}]", i);
    if (!steps[i].IsMap() || !steps[i]["id"])
      return Bad(f + ".id", steps[i], "missing; give every step an `id`");
    SP_ASSIGN_OR_RETURN(std::string id, ScalarAt(steps[i]["id"], f + ".id"));
    if (id.empty() || id == "exit" || id == "end" || id == "entry")
      return Bad(f + ".id", steps[i]["id"], "must be non-empty and not exit, end or entry");
    if (!ids.emplace(id, static_cast<int>(i)).second)
      return Bad(f + ".id", steps[i]["id"],
                 fmt::format("two steps have id '{}'; ids must be unique", id));
  }
  Targets targets(ids);
  def.steps.resize(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    Step& s = def.steps[i];
    s.id = steps[i]["id"].Scalar();
    s.line = steps[i].Mark().line + 1;
    s.next = i + 1 < steps.size() ? static_cast<int>(i + 1) : kEnd;
    SP_RETURN_IF_ERROR(ParseStep(steps[i], fmt::format("steps[{}]", i), targets, refs, s));
  }
  SP_RETURN_IF_ERROR(CheckCycles(def.steps));

  if (root["goal"]) {
    if (root["goal"].IsSequence())
      return Bad("goal", root["goal"], "a journey has one goal; keep one");
    def.goal = ToJson(root["goal"]);
    if (refs.goal) {
      std::string err = refs.goal(def.goal);
      if (!err.empty()) return Status::InvalidArgument(err);
    }
  }
  return def;
}

}  // namespace

Result<JourneyDefinition> ParseJourneyDefinition(std::string_view text, const References& refs) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("journey: not valid YAML or JSON (line {}, column {}: {})", e.mark.line + 1,
                    e.mark.column + 1, e.msg));
  }
  try {
    return ParseNode(root, refs);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("journey: unreadable (line {}: {})", e.mark.line + 1, e.msg));
  }
}

std::string ReentryText(const Entry& e) {
  switch (e.reentry) {
    case ReentryPolicy::kOnce:
      return "once";
    case ReentryPolicy::kAlways:
      return "always";
    case ReentryPolicy::kAfter:
      return "after " + FormatDuration(e.reentry_after);
  }
  return "once";
}

}  // namespace signpost::journeys
