// Append throughput of the store: small track events in batches, sync on, into a fresh folder;
// then a full re-append (all duplicates), a reopen (loads the message-id hashes) and a full scan.
//
//   store_append_bench DIR [events=1000000] [batch=10000] [sync=1] [passes=2]
//
// passes=1 skips the duplicate pass (for profiling the new-event path alone).
//
// DIR must not exist (it is created and left behind for inspection).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/bench/timing.h"
#include "store/store.h"

namespace {

using signpost::Event;
using signpost::store::bench::Clock;
using signpost::store::bench::CpuSeconds;
using signpost::store::bench::Seconds;

std::vector<Event> MakeBatch(size_t first, size_t n) {
  std::vector<Event> batch(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = first + i;
    Event& e = batch[i];
    e.type = signpost::EventType::kTrack;
    e.message_id = fmt::format("msg-{:016x}", k * 0x9E3779B97F4A7C15ULL);
    e.user_id = fmt::format("user-{}", k % 100000);
    e.event = k % 3 == 0 ? "Order Completed" : "Product Viewed";
    e.timestamp = 1700000000000 + static_cast<int64_t>(k) * 1000;
    e.received_at = e.timestamp + 5;
    e.properties = fmt::format(R"({{"price":{},"sku":"sku-{}"}})", k % 100, k % 1000);
  }
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [events=1000000] [batch=10000]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const size_t total = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  const size_t batch_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000;
  const bool sync = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  const int passes = argc > 5 ? std::atoi(argv[5]) : 2;

  double append_s = 0, dup_s = 0, append_cpu = 0, dup_cpu = 0;
  {
    auto store = signpost::store::Store::Open({dir, sync});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    // Build batches outside the timed region: this measures the store, not the generator.
    for (int pass = 0; pass < passes; ++pass) {
      double timed = 0, cpu = 0;
      for (size_t first = 0; first < total; first += batch_size) {
        auto batch = MakeBatch(first, std::min(batch_size, total - first));
        const auto start = Clock::now();
        const double cpu_start = CpuSeconds();
        auto r = (*store)->Append(batch);
        timed += Seconds(start);
        cpu += CpuSeconds() - cpu_start;
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
          return 1;
        }
      }
      (pass == 0 ? append_s : dup_s) = timed;
      (pass == 0 ? append_cpu : dup_cpu) = cpu;
    }
  }
  auto start = Clock::now();
  auto store = signpost::store::Store::Open({dir, true});
  if (!store.ok()) return 1;
  const double open_s = Seconds(start);
  start = Clock::now();
  uint64_t scanned = 0, bytes = 0;
  auto s = (*store)->ScanEvents(0, [&](const Event& e) {
    ++scanned;
    bytes += e.properties.size();
    return true;
  });
  const double scan_s = Seconds(start);
  if (!s.ok() || scanned != total) {
    std::fprintf(stderr, "scan: %s, %llu events\n", s.ToString().c_str(),
                 static_cast<unsigned long long>(scanned));
    return 1;
  }
  fmt::print("events {} batch {} (sync {})\n", total, batch_size, sync ? "on" : "off");
  fmt::print(
      "append new:        {:8.3f} s  {:10.0f} events/s   (cpu {:.3f} s: {:.0f} events per cpu-s)\n",
      append_s, total / append_s, append_cpu, total / append_cpu);
  if (passes > 1)
    fmt::print(
        "append duplicates: {:8.3f} s  {:10.0f} events/s   (cpu {:.3f} s: {:.0f} events per "
        "cpu-s)\n",
        dup_s, total / dup_s, dup_cpu, total / dup_cpu);
  fmt::print("reopen (load ids): {:8.3f} s\n", open_s);
  fmt::print("scan all:          {:8.3f} s  {:10.0f} events/s\n", scan_s, total / scan_s);
  return 0;
}
