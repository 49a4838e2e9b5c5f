// signpost_funnel: loads a CSV of events (profile_id,ts_ms,event) into an EventIndex and runs an
// ordered any_attempt funnel on it, timed. Prints one line of JSON:
// {"engine":"signpost","events":N,"profiles":P,"load_seconds":x,"bytes_per_event":b,
//  "query_seconds":[...],"best_seconds":m,"steps":[c1,...]}
// Usage: signpost_funnel --data FILE.csv --steps 'e1,e2,e3' --window-ms 604800000
//        [--threads 2] [--runs 5]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analytics/event_index.h"
#include "analytics/funnel_query.h"

namespace {

using signpost::analytics::EventIndex;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Parses an unsigned/signed integer at p; advances p past it.
bool ParseInt(const char*& p, const char* end, int64_t* out) {
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    ++p;
  }
  if (p >= end || *p < '0' || *p > '9') return false;
  int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  *out = neg ? -v : v;
  return true;
}

// Reads the whole CSV into `index`. Returns an error message, or "" on success.
std::string LoadCsv(const std::string& path, EventIndex* index) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "cannot open " + path;
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (size > 0) index->Reserve(static_cast<size_t>(size) / 24);  // lines are ~35 bytes
  std::vector<char> buf(64 << 20);
  std::string carry;
  uint64_t seq = 0, line = 0;
  bool header = true;
  auto handle = [&](const char* p, const char* end) -> std::string {
    ++line;
    if (end > p && end[-1] == '\r') --end;
    if (p == end) return "";
    if (header) {
      header = false;
      if (std::string(p, end) != "profile_id,ts_ms,event")
        return "line 1: expected header profile_id,ts_ms,event";
      return "";
    }
    int64_t profile = 0, ts = 0;
    if (!ParseInt(p, end, &profile) || p >= end || *p++ != ',' || !ParseInt(p, end, &ts) ||
        p >= end || *p++ != ',') {
      return "line " + std::to_string(line) + ": expected profile_id,ts_ms,event";
    }
    std::string_view name(p, static_cast<size_t>(end - p));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    index->AddTrack(signpost::ProfileId(static_cast<uint64_t>(profile)), ts, ++seq, name);
    return "";
  };
  while (true) {
    size_t got = std::fread(buf.data(), 1, buf.size(), f);
    if (got == 0) break;
    const char* p = buf.data();
    const char* end = p + got;
    if (!carry.empty()) {
      const char* nl = static_cast<const char*>(memchr(p, '\n', got));
      if (nl == nullptr) {
        carry.append(p, end);
        continue;
      }
      carry.append(p, nl);
      std::string err = handle(carry.data(), carry.data() + carry.size());
      if (!err.empty()) return err;
      carry.clear();
      p = nl + 1;
    }
    while (p < end) {
      const char* nl = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
      if (nl == nullptr) {
        carry.assign(p, end);
        break;
      }
      std::string err = handle(p, nl);
      if (!err.empty()) return err;
      p = nl + 1;
    }
  }
  std::fclose(f);
  if (!carry.empty()) {
    std::string err = handle(carry.data(), carry.data() + carry.size());
    if (!err.empty()) return err;
  }
  index->Seal();
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signpost funnel benchmark: ordered any_attempt funnel over a CSV of events"};
  std::string data, steps;
  int64_t window_ms = 7 * signpost::kDayMs;
  int threads = 2, runs = 5;
  app.add_option("--data", data, "CSV with header profile_id,ts_ms,event")->required();
  app.add_option("--steps", steps, "Comma-separated step event names")->required();
  app.add_option("--window-ms", window_ms, "Conversion window in ms (default 7 days)");
  app.add_option("--threads", threads, "Query threads (default 2)");
  app.add_option("--runs", runs, "Timed runs after one warm-up (default 5)");
  CLI11_PARSE(app, argc, argv);

  EventIndex index;
  auto t0 = std::chrono::steady_clock::now();
  std::string err = LoadCsv(data, &index);
  if (!err.empty()) {
    std::cerr << "signpost_funnel: " << err << "\n";
    return 1;
  }
  double load_seconds = Seconds(t0);

  std::string adhoc = steps;
  std::replace(adhoc.begin(), adhoc.end(), ',', '>');
  auto def = signpost::analytics::ParseAdHocFunnel(adhoc);
  if (!def.ok()) {
    std::cerr << "signpost_funnel: " << def.status().ToString() << "\n";
    return 1;
  }
  def->window = window_ms;
  signpost::analytics::FunnelOptions options;
  options.threads = threads;
  options.timings = false;

  std::vector<double> times;
  std::vector<uint64_t> counts;
  for (int run = 0; run <= runs; ++run) {
    auto q0 = std::chrono::steady_clock::now();
    auto report = signpost::analytics::RunFunnel(index, *def, options, nullptr);
    double secs = Seconds(q0);
    if (!report.ok()) {
      std::cerr << "signpost_funnel: " << report.status().ToString() << "\n";
      return 1;
    }
    if (run > 0) times.push_back(secs);  // run 0 is the warm-up
    counts.clear();
    for (const auto& s : report->steps) counts.push_back(s.count);
  }
  nlohmann::json out;
  out["engine"] = "signpost";
  out["events"] = index.EventCount();
  out["profiles"] = index.ProfileCount();
  out["load_seconds"] = load_seconds;
  out["bytes_per_event"] = index.EventCount() == 0 ? 0.0
                                                   : static_cast<double>(index.MemoryBytes()) /
                                                         static_cast<double>(index.EventCount());
  out["query_seconds"] = times;
  out["best_seconds"] = times.empty() ? 0.0 : *std::min_element(times.begin(), times.end());
  out["steps"] = counts;
  std::cout << out.dump() << std::endl;
  return 0;
}
