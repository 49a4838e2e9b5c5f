// The `alerts` section of `kind: settings`: how sensitive step health is, per funnel and journey,
// and where alerts go. Read naming the field; written back as stored.
//
//   alerts:
//     sensitivity: medium          # every funnel step and journey goal: off | low | medium | high
//     funnels: { signup: high }    # per funnel id
//     journeys: { welcome: off }   # per journey id (its goal, send failures and pacing)
//     notify:                      # `kind: channel` definitions: webhook (Slack-compatible body
//       - channel: ops-slack       # {"text": ...}, HMAC-signed with the channel's secret), smtp
//       - channel: ops-mail        # (a mail to `to`), file (an NDJSON line)
//         to: oncall@example.com
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "analytics/step_health.h"
#include "signpost/status.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace signpost::engine {

struct AlertTarget {
  std::string channel;  // a `kind: channel` id
  std::string to;       // smtp: the address; "" otherwise
  bool operator==(const AlertTarget&) const = default;
};

struct AlertSettings {
  analytics::HealthSensitivity sensitivity = analytics::HealthSensitivity::kMedium;
  std::map<std::string, analytics::HealthSensitivity> funnels, journeys;
  std::vector<AlertTarget> notify;
  bool operator==(const AlertSettings&) const = default;
  analytics::HealthSensitivity ForFunnel(const std::string& id) const;
  analytics::HealthSensitivity ForJourney(const std::string& id) const;
};

// kInvalidArgument naming `settings.alerts.<field>` and the fix.
Status ParseAlertsSection(const YAML::Node& node, AlertSettings& out);
nlohmann::json AlertsSectionBody(const AlertSettings& alerts);

}  // namespace signpost::engine
