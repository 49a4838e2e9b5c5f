#include "delivery/render.h"

#include "base/time.h"

namespace signpost::delivery {

using nlohmann::json;

namespace {

Result<std::string> RenderField(const std::string& text, const char* field, const json& vars,
                                Escape escape) {
  if (text.empty()) return std::string();
  SP_ASSIGN_OR_RETURN(TemplateText t, TemplateText::Parse(text, field));
  return t.Render(vars, escape);
}

// Renders the string leaves of `payload`; a leaf that does not parse is sent as written.
json RenderLeaves(const json& payload, const json& vars) {
  if (payload.is_string()) {
    auto t = TemplateText::Parse(payload.get<std::string>(), "payload", kPayloadRoots);
    return t.ok() ? json(t->Render(vars, Escape::kNone)) : payload;
  }
  json out = payload;
  if (payload.is_object()) {
    for (auto& [k, v] : out.items()) v = RenderLeaves(payload[k], vars);
  } else if (payload.is_array()) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = RenderLeaves(payload[i], vars);
  }
  return out;
}

}  // namespace

json MessageVars(const Message& m) {
  json vars = m.vars.is_object() ? m.vars : json::object();
  vars["to"] = m.to;
  if (!vars.contains("event")) {
    json props = json::parse(m.entry_properties, nullptr, false);
    if (props.is_discarded()) props = json::object();
    vars["event"] = {{"name", m.entry_event}, {"properties", props}};
    vars["entry"] = {{"properties", std::move(props)}, {"at", FormatIso8601(m.entered_at)}};
  }
  if (!vars.contains("journey"))
    vars["journey"] = {{"id", m.journey}, {"step", m.step}, {"version", m.version}};
  return vars;
}

Result<Rendered> RenderMessage(const TemplateDef& t, const Message& m,
                               const TrackingSetup* tracking) {
  json vars = MessageVars(m);
  Rendered r;
  TrackingClaims base{false,     m.key,   m.identity, m.journey.value(),
                      m.version, m.entry, m.step,     m.channel,
                      "",        false,   ""};
  // The unsubscribe link first: a template may place it in the body ({{unsubscribe_url}}).
  if (tracking != nullptr && !tracking->consent.empty()) {
    TrackingClaims unsubscribe = base;
    unsubscribe.unsubscribe = true;
    unsubscribe.consent = tracking->consent;
    const std::string token = SignToken(unsubscribe, tracking->secret);
    r.unsubscribe_url = tracking->public_url + "/t/u/" + token;
    if (!tracking->unsubscribe_mailto.empty())
      r.unsubscribe_mailto =
          "mailto:" + tracking->unsubscribe_mailto + "?subject=unsubscribe%20" + token;
  }
  vars["unsubscribe_url"] = r.unsubscribe_url;
  SP_ASSIGN_OR_RETURN(r.subject, RenderField(m.subject.empty() ? t.subject : m.subject, "subject",
                                             vars, Escape::kNone));
  SP_ASSIGN_OR_RETURN(r.text, RenderField(t.text, "text", vars, Escape::kNone));
  SP_ASSIGN_OR_RETURN(r.html, RenderField(t.html, "html", vars, Escape::kHtml));
  SP_ASSIGN_OR_RETURN(r.body, RenderField(t.body, "body", vars, Escape::kNone));
  if (tracking != nullptr && !r.html.empty()) {
    std::vector<std::string> hosts = TemplateLinkHosts(t.html);
    hosts.insert(hosts.end(), tracking->link_hosts.begin(), tracking->link_hosts.end());
    r.html = AddTracking(r.html, base, tracking->public_url, tracking->secret, hosts);
  }
  return r;
}

json WebhookBody(const ChannelDef& c, const Message& m, const Rendered& r) {
  if (!c.payload.is_null()) {
    json vars = MessageVars(m);
    vars["body"] = r.body;
    vars["subject"] = r.subject;
    vars["key"] = m.key;
    vars["channel"] = m.channel;
    vars["step"] = m.step;
    vars["unsubscribe_url"] = r.unsubscribe_url;
    return RenderLeaves(c.payload, vars);
  }
  return RenderedJson(m, r);
}

json RenderedJson(const Message& m, const Rendered& r) {
  json out = MessageSummaryJson(m);
  if (!r.subject.empty()) out["subject"] = r.subject;
  if (!r.body.empty()) out["body"] = r.body;
  if (!r.text.empty()) out["text"] = r.text;
  if (!r.html.empty()) out["html"] = r.html;
  if (!r.unsubscribe_url.empty()) out["unsubscribe_url"] = r.unsubscribe_url;
  return out;
}

}  // namespace signpost::delivery
