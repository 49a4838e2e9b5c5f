// signpost_funnel: loads a CSV of events (profile_id,ts_ms,event) into an EventIndex and runs an
// ordered any_attempt funnel on it, timed. Prints one line of JSON:
// {"engine":"signpost","events":N,"profiles":P,"load_seconds":x,"bytes_per_event":b,
//  "projection_bytes_per_event":p,"first_query_seconds":f,"query_seconds":[...],"best_seconds":m,
//  "steps":[c1,...], "load_cpu_seconds":c, "query_cpu_seconds":[...], "best_cpu_seconds":b,
//  "first_path_seconds":[...], "first_path_best_seconds":fb, "first_path_cpu_seconds":[...],
//  "first_path_best_cpu_seconds":fc}
// (first_path: the first query's path, the sealed columns without a projection, run --first-runs
// times after the others, its counts checked against theirs)
// (CPU seconds of all threads, for a machine shared with other work)
// and, with --rebuild-data DIR (a data folder `signpost import` made), the index rebuilt from that
// store as Engine::Open does: "index_rebuild_events", "index_rebuild_seconds":[...],
// "index_rebuild_best_seconds", "index_rebuild_events_per_second", "index_rebuild_bytes_per_event",
// "index_rebuild_store_open_seconds", "index_rebuild_cpu_seconds":[...], and the event-by-event
// path it replaced, once: "index_rebuild_event_by_event_seconds" (and _cpu_seconds).
// With --only-rebuild (and --rebuild-data), only the rebuild figures, without the CSV, the funnel
// or the event-by-event path: a quick A/B of the rebuild.
// Usage: signpost_funnel --data FILE.csv --steps 'e1,e2,e3' --window-ms 604800000
//        [--threads 2] [--runs 5] [--first-runs 5] [--rebuild-data DIR] [--only-rebuild]
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "analytics/bulk_load.h"
#include "analytics/event_index.h"
#include "analytics/funnel_kernel.h"
#include "analytics/funnel_query.h"
#include "engine/index_rebuild.h"
#include "identity/profile_store.h"
#include "store/store.h"

namespace {

using signpost::analytics::EventIndex;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU seconds used by every thread of the process so far: on a machine shared with other work the
// wall time depends on the others, the CPU time much less.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
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

// Parses the lines of [p, end) (no header) into `out`, numbering them from 1. Returns an error
// message naming the line (counted from `first_line`), or "".
std::string ParseLines(const char* p, const char* end, uint64_t first_line,
                       signpost::analytics::BulkRows* out) {
  uint64_t line = first_line;
  uint64_t seq = 0;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* e = nl == nullptr ? end : nl;
    const char* next = nl == nullptr ? end : nl + 1;
    if (e > p && e[-1] == '\r') --e;
    if (p != e) {
      int64_t profile = 0, ts = 0;
      if (!ParseInt(p, e, &profile) || p >= e || *p++ != ',' || !ParseInt(p, e, &ts) || p >= e ||
          *p++ != ',') {
        return "line " + std::to_string(line) + ": expected profile_id,ts_ms,event";
      }
      std::string_view name(p, static_cast<size_t>(e - p));
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
        name = name.substr(1, name.size() - 2);
      out->Add(static_cast<uint64_t>(profile), ts, ++seq, name, signpost::EventType::kTrack);
    }
    ++line;
    p = next;
  }
  return "";
}

// Reads the whole CSV into `index`: the file mapped, split at line ends into one piece per
// thread, each parsed into its own rows, then one bulk load (seq = line order, as a stream
// would number them). Returns an error message, or "" on success.
std::string LoadCsv(const std::string& path, EventIndex* index, int threads) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "cannot open " + path;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return "cannot stat " + path;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return "line 1: expected header profile_id,ts_ms,event";
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return "cannot map " + path;
  const char* begin = static_cast<const char*>(map);
  const char* end = begin + size;
  const char* body = static_cast<const char*>(memchr(begin, '\n', size));
  body = body == nullptr ? end : body + 1;
  std::string header(begin, body - begin);
  while (!header.empty() && (header.back() == '\n' || header.back() == '\r')) header.pop_back();
  if (header != "profile_id,ts_ms,event") {
    ::munmap(map, size);
    return "line 1: expected header profile_id,ts_ms,event";
  }
  threads = std::max(1, threads);
  std::vector<const char*> cut(threads + 1, end);
  cut[0] = body;
  for (int t = 1; t < threads; ++t) {
    const char* at = body + static_cast<size_t>(end - body) / threads * t;
    at = std::max(at, cut[t - 1]);
    const char* nl = static_cast<const char*>(memchr(at, '\n', static_cast<size_t>(end - at)));
    cut[t] = nl == nullptr ? end : nl + 1;
  }
  std::vector<signpost::analytics::BulkRows> parts(threads);
  std::vector<std::string> errors(threads);
  // Line numbers are only needed for error messages: a piece that fails is re-parsed with its
  // first line counted.
  auto work = [&](int t) {
    parts[t].Reserve(static_cast<size_t>(cut[t + 1] - cut[t]) / 30);
    errors[t] = ParseLines(cut[t], cut[t + 1], 2, &parts[t]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  uint64_t line = 2, seq = 0;
  std::string err;
  for (int t = 0; t < threads; ++t) {
    if (!errors[t].empty()) {
      signpost::analytics::BulkRows scratch;
      err = ParseLines(cut[t], cut[t + 1], line, &scratch);
      break;
    }
    if (std::any_of(errors.begin() + t + 1, errors.end(), [](auto& e) { return !e.empty(); }))
      line += static_cast<uint64_t>(std::count(cut[t], cut[t + 1], '\n'));
    parts[t].ShiftSeqs(seq);
    seq += parts[t].size();
  }
  ::munmap(map, size);
  if (!err.empty()) return err;
  signpost::Status loaded = index->BulkLoad(parts, threads);
  return loaded.ok() ? "" : loaded.ToString();
}

// Times the index rebuild from the store of a data folder (`signpost import` made it): the store
// and identity graph opened once, then `runs` rebuilds into fresh indexes (engine/index_rebuild.h,
// what Engine::Open does). Fills `out` with the figures; returns an error message or "".
std::string TimeRebuild(const std::string& dir, int runs, int threads, bool event_by_event,
                        nlohmann::json* out) {
  auto t0 = std::chrono::steady_clock::now();
  signpost::store::StoreOptions so;
  so.dir = dir;
  auto store = signpost::store::Store::Open(so);
  if (!store.ok()) return store.status().ToString();
  auto profiles = signpost::identity::ProfileStore::Open(**store);
  if (!profiles.ok()) return profiles.status().ToString();
  const double open_seconds = Seconds(t0);
  std::vector<double> times, cpu;
  uint64_t events = 0;
  double bytes = 0;
  for (int run = 0; run < std::max(1, runs); ++run) {
    EventIndex index;
    auto r0 = std::chrono::steady_clock::now();
    const double rc0 = CpuSeconds();
    signpost::Status st = signpost::engine::RebuildIndex(**store, **profiles, index, threads);
    times.push_back(Seconds(r0));
    cpu.push_back(CpuSeconds() - rc0);
    if (!st.ok()) return st.ToString();
    events = index.EventCount();
    bytes =
        events == 0 ? 0.0 : static_cast<double>(index.MemoryBytes()) / static_cast<double>(events);
  }
  const double best = *std::min_element(times.begin(), times.end());
  // Before: the event-by-event path Engine::Open took until this rebuild (every event fully
  // decoded, its profile looked up in the identity graph, Add, then Seal), once.
  if (event_by_event) {
    EventIndex index;
    auto r0 = std::chrono::steady_clock::now();
    const double rc0 = CpuSeconds();
    signpost::Status st = (*store)->ScanEvents(0, [&](const signpost::Event& e) {
      index.Add((*profiles)->ProfileOf(e.PrimaryIdentity()), e);
      return true;
    });
    index.Seal();
    if (!st.ok()) return st.ToString();
    (*out)["index_rebuild_event_by_event_seconds"] = Seconds(r0);
    (*out)["index_rebuild_event_by_event_cpu_seconds"] = CpuSeconds() - rc0;
  }
  (*out)["index_rebuild_events"] = events;
  (*out)["index_rebuild_store_open_seconds"] = open_seconds;
  (*out)["index_rebuild_seconds"] = times;
  (*out)["index_rebuild_best_seconds"] = best;
  (*out)["index_rebuild_events_per_second"] = best > 0 ? static_cast<double>(events) / best : 0.0;
  (*out)["index_rebuild_bytes_per_event"] = bytes;
  (*out)["index_rebuild_cpu_seconds"] = cpu;
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signpost funnel benchmark: ordered any_attempt funnel over a CSV of events"};
  std::string data, steps;
  int64_t window_ms = 7 * signpost::kDayMs;
  int threads = 2, runs = 5, first_runs = 5;
  bool only_rebuild = false;
  app.add_option("--data", data, "CSV with header profile_id,ts_ms,event");
  app.add_option("--steps", steps, "Comma-separated step event names");
  app.add_option("--window-ms", window_ms, "Conversion window in ms (default 7 days)");
  app.add_option("--threads", threads, "Query threads (default 2)");
  app.add_option("--runs", runs, "Timed runs after the first two (default 5)");
  app.add_option("--first-runs", first_runs,
                 "Timed runs of the first-query path (the sealed columns, no projection) after "
                 "the others (default 5)");
  std::string rebuild_data;
  app.add_option("--rebuild-data", rebuild_data,
                 "Also time the index rebuild from this data folder's store (signpost import)");
  app.add_flag("--only-rebuild", only_rebuild,
               "Only time the rebuild of --rebuild-data (no CSV, funnel or event-by-event path)");
  CLI11_PARSE(app, argc, argv);
  if (only_rebuild) {
    nlohmann::json out;
    const std::string err = rebuild_data.empty()
                                ? "--only-rebuild needs --rebuild-data"
                                : TimeRebuild(rebuild_data, runs, threads, false, &out);
    if (!err.empty()) {
      std::cerr << "signpost_funnel: rebuild: " << err << "\n";
      return 1;
    }
    std::cout << out.dump() << std::endl;
    return 0;
  }
  if (data.empty() || steps.empty()) {
    std::cerr << "signpost_funnel: --data and --steps are required\n";
    return 1;
  }

  EventIndex index;
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = CpuSeconds();
  std::string err = LoadCsv(data, &index, threads);
  if (!err.empty()) {
    std::cerr << "signpost_funnel: " << err << "\n";
    return 1;
  }
  double load_seconds = Seconds(t0);
  const double load_cpu_seconds = CpuSeconds() - c0;

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
  double first_seconds = 0, second_seconds = 0;
  std::vector<double> cpu_times;
  // Run 0: the first query of these steps (the full columns); run 1: the second (it builds the
  // step projection, cached for the timed runs after it).
  for (int run = 0; run <= runs + 1; ++run) {
    auto q0 = std::chrono::steady_clock::now();
    const double qc0 = CpuSeconds();
    auto report = signpost::analytics::RunFunnel(index, *def, options, nullptr);
    double secs = Seconds(q0);
    if (run > 1) cpu_times.push_back(CpuSeconds() - qc0);
    if (!report.ok()) {
      std::cerr << "signpost_funnel: " << report.status().ToString() << "\n";
      return 1;
    }
    if (run > 1) times.push_back(secs);
    if (run == 0) first_seconds = secs;
    if (run == 1) second_seconds = secs;
    counts.clear();
    for (const auto& s : report->steps) counts.push_back(s.count);
  }
  // The first query's path again, `first_runs` times (the projection set aside): one first run is
  // a single sample, these give its best and its CPU seconds.
  std::vector<double> first_times, first_cpu;
  signpost::analytics::AllowStepProjectionForTesting(false);
  for (int run = 0; run < first_runs; ++run) {
    auto q0 = std::chrono::steady_clock::now();
    const double qc0 = CpuSeconds();
    auto report = signpost::analytics::RunFunnel(index, *def, options, nullptr);
    first_times.push_back(Seconds(q0));
    first_cpu.push_back(CpuSeconds() - qc0);
    if (!report.ok()) {
      std::cerr << "signpost_funnel: " << report.status().ToString() << "\n";
      return 1;
    }
    for (size_t k = 0; k < counts.size() && k < report->steps.size(); ++k) {
      if (report->steps[k].count != counts[k]) {
        std::cerr << "signpost_funnel: the first-query path disagrees at step " << k + 1 << "\n";
        return 1;
      }
    }
  }
  signpost::analytics::AllowStepProjectionForTesting(true);
  nlohmann::json out;
  out["engine"] = "signpost";
  out["events"] = index.EventCount();
  out["profiles"] = index.ProfileCount();
  out["load_seconds"] = load_seconds;
  out["load_cpu_seconds"] = load_cpu_seconds;
  out["bytes_per_event"] = index.EventCount() == 0 ? 0.0
                                                   : static_cast<double>(index.MemoryBytes()) /
                                                         static_cast<double>(index.EventCount());
  out["projection_bytes_per_event"] = index.EventCount() == 0
                                          ? 0.0
                                          : static_cast<double>(index.ProjectionMemoryBytes()) /
                                                static_cast<double>(index.EventCount());
  out["threads"] = threads;
  // The first run (the full columns), the second (it builds the step projection, then cached for
  // the timed runs).
  out["first_query_seconds"] = first_seconds;
  out["projection_build_query_seconds"] = second_seconds;
  out["query_seconds"] = times;
  // CPU seconds of each timed run (all threads): the work, whatever else the machine runs.
  out["query_cpu_seconds"] = cpu_times;
  out["best_cpu_seconds"] =
      cpu_times.empty() ? 0.0 : *std::min_element(cpu_times.begin(), cpu_times.end());
  out["best_seconds"] = times.empty() ? 0.0 : *std::min_element(times.begin(), times.end());
  out["first_path_seconds"] = first_times;
  out["first_path_best_seconds"] =
      first_times.empty() ? 0.0 : *std::min_element(first_times.begin(), first_times.end());
  out["first_path_cpu_seconds"] = first_cpu;
  out["first_path_best_cpu_seconds"] =
      first_cpu.empty() ? 0.0 : *std::min_element(first_cpu.begin(), first_cpu.end());
  out["steps"] = counts;
  if (!rebuild_data.empty()) {
    err = TimeRebuild(rebuild_data, runs, threads, true, &out);
    if (!err.empty()) {
      std::cerr << "signpost_funnel: rebuild: " << err << "\n";
      return 1;
    }
  }
  std::cout << out.dump() << std::endl;
  return 0;
}
