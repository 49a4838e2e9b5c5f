// ingest_bench: how fast the import parsers turn bytes into Events, on one core.
//
//   ingest_bench [events=1000000] [runs=5] [scenario=all|ndjson|csv|http]
//
// Generates `events` Segment track/identify/page events (about 330 bytes each as NDJSON, like an
// analytics-node payload with properties and context), then times, after one warm-up run, the
// NDJSON parser, the CSV parser and ParseHttpBody on 100-event batches, fed 8 MiB chunks from
// memory (no disk, no store). Prints the best and median of `runs` runs, in thread CPU time (what
// one core does, even when other processes share the machine) and in wall time.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace {

using signpost::TimeMs;
using namespace signpost::ingest;

constexpr TimeMs kNow = 1795910400000;  // 2026-11-29T00:00:00Z: after every generated day (1-28)
constexpr const char* kEvents[] = {"Product Viewed", "Product Added", "Checkout Started",
                                   "Order Completed", "Signed Up"};

std::string NdjsonLine(uint64_t i) {
  const uint64_t user = (i * 2654435761u) % 100000;
  const char* type = i % 10 == 0 ? "identify" : i % 10 == 1 ? "page" : "track";
  return fmt::format(
      R"({{"type":"{}","messageId":"msg-{:012}","userId":"user-{}","anonymousId":"anon-{}",)"
      R"("event":"{}","name":"Home","timestamp":"2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z",)"
      R"("properties":{{"product_id":"p-{}","price":{}.99,"quantity":{},"currency":"USD"}},)"
      R"("traits":{{"plan":"pro"}},"context":{{"library":{{"name":"@segment/analytics-node",)"
      R"("version":"2.1.0"}},"ip":"10.0.{}.{}"}}}})",
      type, i, user, user, kEvents[i % 5], 1 + i % 28, i % 24, i % 60, (i / 60) % 60, i % 1000,
      i % 977, i % 300, 1 + i % 5, i % 256, (i / 256) % 256);
}

std::string CsvRow(uint64_t i) {
  const uint64_t user = (i * 2654435761u) % 100000;
  return fmt::format("msg-{:012},user-{},{},2026-11-{:02}T{:02}:{:02}:{:02}Z,p-{},{}.99,{},USD\n",
                     i, user, kEvents[i % 5], 1 + i % 28, i % 24, i % 60, (i / 60) % 60, i % 977,
                     i % 300, 1 + i % 5);
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timings {
  std::vector<double> cpu, wall;  // sorted seconds
};

// Runs `body` once to warm up, then `runs` times.
Timings Time(int runs, const std::function<size_t()>& body, size_t expect) {
  Timings t;
  for (int run = -1; run < runs; ++run) {
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    const size_t events = body();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = ThreadCpuSeconds() - cpu_start;
    if (events != expect) {
      std::fprintf(stderr, "expected %zu events, got %zu\n", expect, events);
      std::exit(1);
    }
    if (run >= 0) {
      t.cpu.push_back(cpu);
      t.wall.push_back(wall);
    }
  }
  std::sort(t.cpu.begin(), t.cpu.end());
  std::sort(t.wall.begin(), t.wall.end());
  return t;
}

void Report(const char* name, const Timings& t, size_t events, size_t bytes) {
  const double cpu = t.cpu.front(), cpu_median = t.cpu[t.cpu.size() / 2];
  std::printf(
      "%-21s cpu: %5.2f M events/s best, %5.2f median, %4.0f MB/s | wall: %5.2f best, "
      "%5.2f median  (%.0f bytes/event)\n",
      name, events / cpu / 1e6, events / cpu_median / 1e6, bytes / cpu / 1e6,
      events / t.wall.front() / 1e6, events / t.wall[t.wall.size() / 2] / 1e6,
      static_cast<double>(bytes) / static_cast<double>(events));
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string only = argc > 3 ? argv[3] : "all";
  auto wanted = [&](const char* name) { return only == "all" || only == name; };
  constexpr size_t kChunk = 8 << 20;

  std::string ndjson;
  for (size_t i = 0; i < n; ++i) ndjson += NdjsonLine(i) + "\n";
  std::string csv =
      "messageId,userId,event,timestamp,properties.product_id,properties.price,"
      "properties.quantity,properties.currency\n";
  for (size_t i = 0; i < n; ++i) csv += CsvRow(i);
  std::vector<std::string> batches;
  for (size_t i = 0; i < n; i += 100) {
    std::string body = R"({"sentAt":"2026-11-29T00:00:00Z","batch":[)";
    for (size_t j = i; j < std::min(n, i + 100); ++j) {
      if (j > i) body += ',';
      body += NdjsonLine(j);
    }
    batches.push_back(body + "]}");
  }
  std::printf("ingest_bench: %zu events, %d runs after a warm-up, one thread\n", n, runs);

  auto feed = [&](auto& parser, const std::string& text) {
    ParsedEvents out;
    size_t events = 0;
    for (size_t pos = 0; pos < text.size(); pos += kChunk) {
      parser.Feed(std::string_view(text).substr(pos, kChunk), out);
      events += out.events.size();  // the importer hands each chunk to the store, then clears
      out.events.clear();
    }
    parser.Finish(out);
    return events + out.events.size();
  };
  if (wanted("ndjson"))
    Report("ndjson",
           Time(
               runs,
               [&] {
                 NdjsonParser parser(kNow);
                 return feed(parser, ndjson);
               },
               n),
           n, ndjson.size());
  if (wanted("csv"))
    Report("csv",
           Time(
               runs,
               [&] {
                 CsvParser parser(kNow);
                 return feed(parser, csv);
               },
               n),
           n, csv.size());
  size_t batch_bytes = 0;
  for (const auto& b : batches) batch_bytes += b.size();
  if (wanted("http"))
    Report("http batch (100/req)",
           Time(
               runs,
               [&] {
                 size_t events = 0;
                 for (const auto& body : batches)
                   events += ParseHttpBody("batch", body, kNow)->events.size();
                 return events;
               },
               n),
           n, batch_bytes);
  return 0;
}
