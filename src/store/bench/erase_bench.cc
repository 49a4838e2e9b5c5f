// Erase and purge cost of the store: appends `events` small track events of max(events / 100,
// 10 * batch_users) users, round robin (so a user's events are spread over the whole log), then
//   1. erases one user's events (EraseEvents; time to acknowledged) and purges (time to gone);
//   2. erases `batch_users` more users' events in one EraseEvents call, then purges.
// Prints wall and CPU seconds (getrusage, all threads) and the folder size.
//
//   store_erase_bench DIR [events=1000000] [batch_users=10000]
//
// DIR must not exist (it is created and left behind for inspection).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/bench/timing.h"
#include "store/store.h"

namespace {

using signpost::Event;
using signpost::store::bench::Clock;
using signpost::store::bench::CpuSeconds;
using signpost::store::bench::Seconds;

double FolderMb(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes / 1e6;
}

std::vector<Event> MakeBatch(size_t first, size_t n, size_t users) {
  std::vector<Event> batch(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = first + i;
    Event& e = batch[i];
    e.type = signpost::EventType::kTrack;
    e.message_id = fmt::format("msg-{:016x}", k * 0x9E3779B97F4A7C15ULL);
    e.user_id = fmt::format("user-{}", k % users);
    e.event = k % 3 == 0 ? "Order Completed" : "Product Viewed";
    e.timestamp = 1700000000000 + static_cast<int64_t>(k) * 1000;
    e.received_at = e.timestamp + 5;
    e.properties = fmt::format(R"({{"price":{},"sku":"sku-{}"}})", k % 100, k % 1000);
  }
  return batch;
}

// The seqs of the events of users [first, first + n).
std::vector<uint64_t> SeqsOfUsers(const signpost::store::Store& store, size_t first, size_t n) {
  std::vector<uint64_t> seqs;
  for (size_t u = first; u < first + n; ++u) {
    auto events = store.EventsOf({fmt::format("user:user-{}", u)}, 0);
    if (!events.ok()) {
      std::fprintf(stderr, "read failed: %s\n", events.status().ToString().c_str());
      std::exit(1);
    }
    for (const Event& e : *events) seqs.push_back(e.seq);
  }
  return seqs;
}

void Check(const signpost::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [events=1000000] [batch_users=10000]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const size_t events = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  const size_t batch_users = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000;
  const size_t users = std::max<size_t>(events / 100, batch_users * 10);
  if (std::filesystem::exists(dir)) {
    std::fprintf(stderr, "%s exists; pass a new folder\n", dir.c_str());
    return 2;
  }
  auto opened = signpost::store::Store::Open({dir, true});
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto store = std::move(opened).value();
  auto t = Clock::now();
  for (size_t done = 0; done < events; done += 10000) {
    auto batch = MakeBatch(done, std::min<size_t>(10000, events - done), users);
    Check(store->Append(batch).status(), "append");
  }
  Check(store->Purge(), "purge");  // a settled folder to start from
  fmt::print("loaded {} events of {} users in {:.1f} s; folder {:.0f} MB\n", events, users,
             Seconds(t), FolderMb(dir));

  auto run = [&](const char* name, size_t first_user, size_t n_users) {
    const auto seqs = SeqsOfUsers(*store, first_user, n_users);
    double cpu = CpuSeconds();
    t = Clock::now();
    uint64_t erased = 0;
    Check(store->EraseEvents(seqs, {}, &erased), "erase");
    const double ack = Seconds(t), ack_cpu = CpuSeconds() - cpu;
    cpu = CpuSeconds();
    t = Clock::now();
    Check(store->Purge(), "purge");
    const double gone = Seconds(t), gone_cpu = CpuSeconds() - cpu;
    fmt::print(
        "{}: {} users, {} events erased: acknowledged in {:.3f} s ({:.3f} CPU-s, {:.0f} "
        "events/s); purge {:.2f} s ({:.2f} CPU-s); folder {:.0f} MB\n",
        name, n_users, erased, ack, ack_cpu, erased / std::max(ack, 1e-9), gone, gone_cpu,
        FolderMb(dir));
  };
  run("one person", 0, 1);
  run("batch", 1, batch_users);
  return 0;
}
