#include "cli/report_text.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/command_support.h"
#include "cli/output.h"

namespace signpost::cli {

using nlohmann::json;

namespace {

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

std::string Percent(const json& v) {
  return v.is_number() ? fmt::format("{:.1f}%", v.get<double>() * 100) : "-";
}

std::string Seconds(const json& v) {
  if (!v.is_number()) return "-";
  double s = v.get<double>();
  if (s < 120) return fmt::format("{:.0f}s", s);
  if (s < 7200) return fmt::format("{:.1f}m", s / 60);
  if (s < 172800) return fmt::format("{:.1f}h", s / 3600);
  return fmt::format("{:.1f}d", s / 86400);
}

}  // namespace

void PrintImportSummary(const json& s) {
  std::cout << fmt::format(
      "{}: {} accepted, {} duplicates, {} rejected in {:.2f}s ({:.0f} events/s)\n",
      s["file"].get<std::string>(), s["accepted"].get<size_t>(), s["duplicates"].get<size_t>(),
      s["rejected"].get<size_t>(), s["seconds"].get<double>(),
      s["events_per_second"].get<double>());
  for (const auto& r : s["rejections"]) {
    std::cout << "  rejected " << Text(r["location"]) << " " << Text(r["field"]) << ": "
              << Text(r["reason"]) << "\n";
  }
  if (s["rejected"].get<size_t>() > 0)
    std::cout << "  rejected input is kept: `signpost deadletters` lists it, "
                 "`signpost deadletters reimport` retries it\n";
}

int PrintImportSummaries(const Globals& g, const json& summaries) {
  if (g.json) {
    PrintJson(summaries.size() == 1 ? summaries[0] : summaries);
  } else {
    for (const auto& s : summaries) PrintImportSummary(s);
  }
  return 0;
}

void PrintProfile(const json& p) {
  std::cout << "profile " << Text(p["id"]) << "\n";
  std::cout << "  identities: ";
  for (const auto& i : p["identities"]) std::cout << Text(i) << " ";
  std::cout << "\n";
  if (p.contains("consent")) std::cout << "  consent: " << p["consent"].dump() << "\n";
  if (p.contains("traits")) {
    for (const auto& [k, v] : p["traits"].items())
      std::cout << "  " << k << " = " << v.dump() << "\n";
  }
  if (p.contains("event_count")) std::cout << "  events: " << p["event_count"] << "\n";
  if (p.contains("refused_merges") && !p["refused_merges"].empty()) {
    std::cout << "  refused merges:\n";
    for (const auto& m : p["refused_merges"]) std::cout << "    " << Text(m) << "\n";
  }
}

void PrintEvents(const json& doc) {
  std::vector<std::vector<std::string>> rows = {
      {"timestamp", "type", "event", "identity", "messageId"}};
  for (const auto& e : doc["events"]) {
    std::string who = e.value("userId", "");
    if (who.empty()) who = "anon:" + e.value("anonymousId", "");
    rows.push_back(
        {Text(e["timestamp"]), Text(e["type"]), e.value("event", ""), who, Text(e["messageId"])});
  }
  PrintTable(rows);
}

void PrintDeadLetters(const json& doc) {
  std::vector<std::vector<std::string>> rows = {{"id", "source", "location", "field", "reason"}};
  for (const auto& d : doc["dead_letters"]) {
    rows.push_back({Text(d["id"]), Text(d["source"]), Text(d["location"]), Text(d["field"]),
                    Text(d["reason"])});
  }
  PrintTable(rows);
}

void PrintKeys(const json& doc) {
  std::vector<std::vector<std::string>> rows = {{"token", "kind", "name", "revoked"}};
  // Locally the list of keys with their tokens; a server's {"keys": [...]} has each token's
  // prefix only (it never sends a whole token after creating it).
  for (const auto& k : doc.is_array() ? doc : doc.value("keys", json::array())) {
    const std::string token = k.contains("token") ? Text(k["token"]) : Text(k["prefix"]) + "...";
    rows.push_back({token, Text(k["kind"]), Text(k["name"]), Text(k["revoked"])});
  }
  PrintTable(rows);
}

void PrintFunnel(const json& r) {
  std::cout << "funnel " << Text(r.value("funnel", json())) << " (version "
            << Text(r.value("version", json())) << ", " << Text(r.value("order", json())) << ", "
            << Text(r.value("entry", json())) << ", window "
            << Seconds(json(r.value("window_ms", 0.0) / 1000.0)) << ")\n";
  std::vector<std::vector<std::string>> rows = {
      {"#", "step", "reached", "from prev", "from first", "dropped", "median", "p90"}};
  for (const auto& s : r.value("steps", json::array())) {
    json timing = s.value("time_from_previous", json());
    auto seconds = [&timing](const char* key) {
      return timing.is_object() && timing.value("samples", 0) > 0
                 ? Seconds(json(timing.value(key, 0.0) / 1000.0))
                 : std::string("-");
    };
    rows.push_back({Text(s.value("step", json())) + (s.value("optional", false) ? "?" : ""),
                    Text(s.value("name", json())), Text(s.value("count", json())),
                    Percent(s.value("conversion_from_previous", json())),
                    Percent(s.value("conversion_from_first", json())),
                    Text(s.value("dropped", json())), seconds("median_ms"), seconds("p90_ms")});
  }
  PrintTable(rows);
  std::cout << "completed " << Text(r.value("completed", json())) << " of "
            << Text(r.value("entered", json())) << " (" << Percent(r.value("conversion", json()))
            << ")\n";
  const json breakdown = r.value("breakdown", json());
  if (breakdown.is_object() && breakdown.contains("rows")) {
    std::cout << "\nbreakdown by " << Text(breakdown.value("by", json())) << "\n";
    std::vector<std::vector<std::string>> b = {{"value", "entered", "completed", "conversion"}};
    for (const auto& row : breakdown["rows"]) {
      const json counts = row.value("counts", json::array());
      b.push_back({Text(row.value("value", json())), counts.empty() ? "-" : Text(counts.front()),
                   counts.empty() ? "-" : Text(counts.back()),
                   Percent(row.value("conversion", json()))});
    }
    PrintTable(b);
  }
}

void PrintPeople(const json& doc) {
  std::vector<std::vector<std::string>> rows = {{"profile", "identity", "last step", "stuck for"}};
  for (const auto& p : doc["people"]) {
    const json ids = p.value("identities", json::array());
    rows.push_back({Text(p.value("profile", json())), ids.empty() ? "-" : Text(ids.front()),
                    Text(p.value("last_step_at", json())),
                    Seconds(json(p.value("stuck_ms", 0.0) / 1000.0))});
  }
  PrintTable(rows);
}

}  // namespace signpost::cli
