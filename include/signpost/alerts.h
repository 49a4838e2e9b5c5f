// Alerts: the typed findings any detector raises and the incidents the AlertService keeps
// (src/engine/alert_service.h). One incident per problem: a finding's `key` names the problem, and
// raising it again while its incident is open only updates that incident. An incident is open,
// acknowledged or resolved; it may be muted until a time (no notifications meanwhile). src/wire
// writes them (alert_json.cc) as the documents of docs/openapi.yaml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signpost/clock.h"

namespace signpost {

enum class AlertSeverity { kInfo, kWarning, kCritical };
enum class AlertState { kOpen, kAcknowledged, kResolved };

// "info" | "warning" | "critical".
const char* AlertSeverityName(AlertSeverity s);
// "open" | "acknowledged" | "resolved".
const char* AlertStateName(AlertState s);

// What a detector found. Every field is copied into the incident; a later Raise with the same key
// replaces the title, detail, severity, affected list and figures of the open incident.
struct AlertFinding {
  std::string key;  // the problem's identity: "step/funnel/signup/2", "drift/rename/Email Verified"
  std::string kind;  // "step_volume", "step_conversion", "goal_volume", "send_failures",
                     // "goal_pacing", or a drift detector's kind ("schema_drift", ...)
  AlertSeverity severity = AlertSeverity::kWarning;
  std::string title;   // one line: "Signup funnel step 2 (Email Verified): volume down 100%"
  std::string detail;  // a few sentences: observed against expected, the window, a suggestion
  // The definitions the problem touches: "funnel/signup#2", "journey/welcome", "goal/welcome".
  std::vector<std::string> affected;
  // Figures of the check that raised it (step health: observed and expected events in the
  // window); none for findings without them.
  std::optional<double> observed, expected;
  std::optional<int> window_hours;
};

struct AlertIncident {
  uint64_t id = 0;  // 1, 2, ... in the order opened
  AlertFinding finding;
  AlertState state = AlertState::kOpen;
  TimeMs opened_at = 0;
  TimeMs last_seen_at = 0;  // the latest Raise
  std::optional<TimeMs> acknowledged_at;
  std::string acknowledged_by;  // the actor (signpost/acting_as.h) or ""
  std::optional<TimeMs> resolved_at;
  std::string resolved_by;  // "auto" when the detector cleared it, else the actor
  std::optional<TimeMs> muted_until;
  uint64_t raised = 0;  // how many times a detector raised it while open
  // Notifications sent for it: one per configured channel and transition (opened, resolved).
  struct Notification {
    std::string channel;
    std::string transition;  // "opened" | "resolved"
    TimeMs at = 0;
    bool ok = false;
    std::string error;
    uint32_t attempts = 0;
  };
  std::vector<Notification> notifications;
  // Muted at `now`.
  bool MutedAt(TimeMs now) const { return muted_until && *muted_until > now; }
};

struct AlertQuery {
  // "open" (open and acknowledged; the default), "all", or one state's name.
  std::string state = "open";
  std::string kind;     // "" = every kind
  std::string subject;  // "" = all; else only incidents whose affected list has an entry starting
                        // with it ("funnel/signup", "journey/welcome")
  size_t limit = 100;   // newest first
};

struct AlertList {
  std::vector<AlertIncident> incidents;  // newest first
  uint64_t open = 0, acknowledged = 0;   // over every incident, whatever the query
  TimeMs now = 0;
  std::optional<TimeMs> last_evaluated_at;  // the latest step-health evaluation
};

}  // namespace signpost
