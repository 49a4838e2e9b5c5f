// dedup_bench: the in-memory dedup table (store::MessageIdIndex) on its own. Inserts --ids message
// ids (hashes of "m<seed>-<i>", seqs 1..N, in batches like the commit path: Reserve then Insert),
// then measures lookups of stored ids (hits), lookups of new ids (misses, the ingest hot path: a
// miss is certain, a candidate on a miss is a false positive that costs one read of the stored
// event), the rebuild at open (a new table pre-sized from the last seq, then filled chunk by
// chunk from the hash logs, 256 a chunk), and removal (erasure, retention) of every tenth id.
// Hashing is done before the timings; the fill is done once more, untimed, to find the least and
// most table bytes per id over growth (from 1M ids on).
// Prints human-readable lines on stderr and one JSON line on stdout:
//   ids, table_bytes, bytes_per_id (table bytes / stored ids), bytes_per_id_least and
//   bytes_per_id_most (over growth), slot_bits, key_bits (hash bits each entry keeps), the rates
//   per CPU-second
//   of this thread (insert_per_cpu_s, hit_lookup_per_cpu_s, miss_lookup_per_cpu_s, and the
//   lookups in batches of 1000 that prefetch first as the ingest path does:
//   hit_lookup_batched_per_cpu_s, miss_lookup_batched_per_cpu_s;
//   remove_per_cpu_s, rebuild_per_cpu_s, rebuild_cpu_seconds: what to compare on a shared
//   machine) and per wall second (insert_per_s, ..., rebuild_seconds), and
//   false_candidates_per_million_misses.
// Usage: dedup_bench [--ids 10000000] [--lookups 2000000] [--seed 42]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/message_id_index.h"

namespace {

using Steady = std::chrono::steady_clock;

// Wall seconds and this thread's CPU seconds since construction (the CPU figure is the one to
// compare on a shared machine).
struct Timer {
  Steady::time_point wall = Steady::now();
  double cpu = CpuNow();
  static double CpuNow() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  double Wall() const { return std::chrono::duration<double>(Steady::now() - wall).count(); }
  double Cpu() const { return CpuNow() - cpu; }
};

std::vector<uint64_t> Hashes(const std::string& prefix, uint64_t seed, size_t n) {
  std::vector<uint64_t> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = signpost::store::HashMessageId(fmt::format("{}{}-{}", prefix, seed, i));
  return out;
}

// Table bytes per stored id, least and most, over a fill (from kRangeFrom ids on).
struct PerIdRange {
  static constexpr size_t kRangeFrom = 1'000'000;
  double least = 0, most = 0;
  void See(const signpost::store::MessageIdIndex& index) {
    if (index.size() < kRangeFrom) return;
    const double b = static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.size());
    least = least == 0 ? b : std::min(least, b);
    most = std::max(most, b);
  }
};

// Fills `index` with hashes[i] -> seq i + 1, `batch` ids per Reserve.
void Fill(signpost::store::MessageIdIndex& index, const std::vector<uint64_t>& hashes, size_t batch,
          PerIdRange* range = nullptr) {
  for (size_t i = 0; i < hashes.size(); i += batch) {
    const size_t end = std::min(hashes.size(), i + batch);
    index.Reserve(end - i);
    for (size_t k = i; k < end; ++k) index.Prefetch(hashes[k]);  // as the commit path does
    for (size_t k = i; k < end; ++k) index.Insert(hashes[k], k + 1);
    if (range != nullptr) range->See(index);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dedup_bench: the message-id dedup table"};
  size_t ids = 10'000'000, lookups = 2'000'000;
  uint64_t seed = 42;
  app.add_option("--ids", ids)->capture_default_str();
  app.add_option("--lookups", lookups)->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  lookups = std::min(lookups, ids);

  const std::vector<uint64_t> stored = Hashes("m", seed, ids);
  const std::vector<uint64_t> fresh = Hashes("new", seed, lookups);
  std::vector<uint64_t> probes;  // stored ids in a scattered order
  probes.reserve(lookups);
  for (size_t i = 0; i < lookups; ++i) probes.push_back(stored[(i * 2654435761u) % ids]);

  // Commit path: batches of 1000.
  signpost::store::MessageIdIndex index;
  Timer timer;
  Fill(index, stored, 1000);
  const double insert_s = timer.Wall(), insert_cpu = timer.Cpu();
  // Bytes per id over growth: the same fill again, measured after every batch (not timed).
  PerIdRange range;
  {
    signpost::store::MessageIdIndex grown;
    Fill(grown, stored, 1000, &range);
  }

  // Lookups one after the other, then in batches of 1000 that prefetch first (as Stage does).
  uint64_t found = 0;
  timer = Timer();
  for (uint64_t h : probes) index.ForEach(h, [&](uint64_t) { ++found; });
  const double hit_s = timer.Wall(), hit_cpu = timer.Cpu();
  uint64_t false_candidates = 0;
  timer = Timer();
  for (uint64_t h : fresh) index.ForEach(h, [&](uint64_t) { ++false_candidates; });
  const double miss_s = timer.Wall(), miss_cpu = timer.Cpu();
  auto batched = [&](const std::vector<uint64_t>& hashes, uint64_t& count) {
    for (size_t i = 0; i < hashes.size(); i += 1000) {
      const size_t end = std::min(hashes.size(), i + 1000);
      for (size_t k = i; k < end; ++k) index.Prefetch(hashes[k]);
      for (size_t k = i; k < end; ++k) index.ForEach(hashes[k], [&](uint64_t) { ++count; });
    }
  };
  uint64_t found_batched = 0, false_batched = 0;
  timer = Timer();
  batched(probes, found_batched);
  const double hit_batched_cpu = timer.Cpu();
  timer = Timer();
  batched(fresh, false_batched);
  const double miss_batched_cpu = timer.Cpu();

  // Open: a new table filled from the hash logs, one chunk of 256 at a time.
  double rebuild_s = 0, rebuild_cpu = 0;
  {
    signpost::store::MessageIdIndex rebuilt;
    timer = Timer();
    rebuilt.Reserve(ids, ids);  // pre-sized from the last seq, as open does
    Fill(rebuilt, stored, 256);
    rebuilt.ShrinkToFit();
    rebuild_s = timer.Wall();
    rebuild_cpu = timer.Cpu();
    if (rebuilt.size() != index.size()) {
      std::cerr << "dedup_bench: the rebuilt table differs\n";
      return 1;
    }
  }

  const size_t table_bytes = index.MemoryBytes();
  const size_t size = index.size();
  size_t removed = 0;
  timer = Timer();
  for (size_t i = 0; i < ids; i += 10, ++removed) index.Remove(stored[i], i + 1);
  const double remove_s = timer.Wall(), remove_cpu = timer.Cpu();
  size_t still = 0;
  for (size_t i = 0; i < ids; i += 10)
    index.ForEach(stored[i], [&](uint64_t s) { still += s == i + 1; });
  if (found < lookups || found_batched != found || false_batched != false_candidates ||
      still != 0 || index.size() != size - removed) {
    std::cerr << "dedup_bench: lookups disagree with what was stored\n";
    return 1;
  }

  const double per_id = static_cast<double>(table_bytes) / static_cast<double>(size);
  const double n = static_cast<double>(ids), m = static_cast<double>(lookups);
  fmt::print(stderr,
             "dedup_bench: {} ids: {} table bytes, {:.2f} bytes per id ({:.2f} to {:.2f} over "
             "growth from 1M ids, {}-bit slots); per CPU-second: insert "
             "{:.2f}M, hit lookup {:.2f}M, miss lookup {:.2f}M (in prefetching batches of 1000: "
             "{:.2f}M, {:.2f}M; {} false candidates in {} misses), rebuild {:.2f}M ({:.3f} CPU-s, "
             "{:.3f} s wall), remove {:.2f}M\n",
             size, table_bytes, per_id, range.least, range.most, index.SlotBits(),
             n / insert_cpu / 1e6, m / hit_cpu / 1e6, m / miss_cpu / 1e6, m / hit_batched_cpu / 1e6,
             m / miss_batched_cpu / 1e6, false_candidates, lookups, n / rebuild_cpu / 1e6,
             rebuild_cpu, rebuild_s, static_cast<double>(removed) / remove_cpu / 1e6);
  nlohmann::json out = {
      {"ids", size},
      {"table_bytes", table_bytes},
      {"bytes_per_id", per_id},
      {"slot_bits", index.SlotBits()},
      {"key_bits", index.KeyBits()},
      {"bytes_per_id_least", range.least},
      {"bytes_per_id_most", range.most},
      {"insert_per_cpu_s", n / insert_cpu},
      {"hit_lookup_per_cpu_s", m / hit_cpu},
      {"miss_lookup_per_cpu_s", m / miss_cpu},
      {"hit_lookup_batched_per_cpu_s", m / hit_batched_cpu},
      {"miss_lookup_batched_per_cpu_s", m / miss_batched_cpu},
      {"remove_per_cpu_s", static_cast<double>(removed) / remove_cpu},
      {"rebuild_cpu_seconds", rebuild_cpu},
      {"rebuild_per_cpu_s", n / rebuild_cpu},
      {"insert_per_s", n / insert_s},
      {"hit_lookup_per_s", m / hit_s},
      {"miss_lookup_per_s", m / miss_s},
      {"remove_per_s", static_cast<double>(removed) / remove_s},
      {"rebuild_seconds", rebuild_s},
      {"false_candidates_per_million_misses", 1e6 * static_cast<double>(false_candidates) / m}};
  std::cout << out.dump() << "\n";
  return 0;
}
