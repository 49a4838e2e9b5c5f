// gen_events: the deterministic event generator of the benchmarks (same flags = same bytes).
//
//   gen_events --events 100000000 --profiles 10000000 --seed 42 --format csv --out events.csv
//
// csv:    header `profile_id,ts_ms,event`, one event a line (the funnel benchmark's input).
// ndjson: the same events as Segment `track` events (messageId, userId = the profile id as a
//         string, event, ISO timestamp, a few properties): the import benchmark's input.
// Events come out in global time order (ties by profile, then per-profile sequence), as a live
// stream would deliver them. To stay in bounded memory the time range is cut into slices and every
// pass regenerates all profiles (cheap: a pure function of the seed) and keeps one slice.
// The file is written to OUT.tmp and renamed at the end, so a half-written file is never mistaken
// for a finished one. A JSON summary goes to stdout.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "synthetic.h"

namespace sb = signpost::bench;

namespace {

// A buffered writer over a FILE*: appends into a 1 MiB buffer and fwrite()s it when full.
class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) { buf_.reserve(kSize + 4096); }
  ~Writer() { Flush(); }
  void Put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kSize) Flush();
  }
  void PutInt(int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    Put(std::string_view(tmp, static_cast<size_t>(r.ptr - tmp)));
  }
  // Writes v as exactly `width` digits, zero-padded (v >= 0).
  void PutPadded(int64_t v, int width) {
    char tmp[24];
    for (int i = width - 1; i >= 0; --i, v /= 10) tmp[i] = static_cast<char>('0' + v % 10);
    Put(std::string_view(tmp, static_cast<size_t>(width)));
  }
  void Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) ok_ = false;
    written_ += buf_.size();
    buf_.clear();
  }
  bool ok() const { return ok_; }
  uint64_t written() const { return written_; }

 private:
  static constexpr size_t kSize = 1 << 20;
  std::FILE* f_;
  std::string buf_;
  uint64_t written_ = 0;
  bool ok_ = true;
};

// "YYYY-MM-DDTHH:MM:SS.mmmZ" for epoch ms (UTC).
void PutIso(Writer& w, int64_t ms) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ms)));
  const year_month_day ymd(day);
  int64_t in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  w.PutPadded(static_cast<int>(ymd.year()), 4);
  w.Put("-");
  w.PutPadded(static_cast<unsigned>(ymd.month()), 2);
  w.Put("-");
  w.PutPadded(static_cast<unsigned>(ymd.day()), 2);
  w.Put("T");
  w.PutPadded(in_day / 3600000, 2);
  w.Put(":");
  w.PutPadded(in_day / 60000 % 60, 2);
  w.Put(":");
  w.PutPadded(in_day / 1000 % 60, 2);
  w.Put(".");
  w.PutPadded(in_day % 1000, 3);
  w.Put("Z");
}

constexpr std::string_view kPlans[] = {"free", "starter", "pro", "team"};
constexpr std::string_view kSources[] = {"google", "newsletter", "direct", "partner", "social"};

void PutNdjson(Writer& w, uint64_t seed, const sb::SyntheticEvent& e) {
  // Properties are a pure function of (seed, profile, seq): no state to carry between passes.
  const uint64_t h = sb::SplitMix64(sb::SplitMix64(seed ^ e.profile) + e.seq);
  const uint64_t profile_h = sb::SplitMix64(seed + e.profile);
  w.Put(R"({"type":"track","messageId":"g)");
  w.PutInt(static_cast<int64_t>(seed));
  w.Put("-");
  w.PutInt(e.profile);
  w.Put("-");
  w.PutInt(e.seq);
  w.Put(R"(","userId":")");
  w.PutInt(e.profile);
  w.Put(R"(","event":")");
  w.Put(sb::kEventNames[e.name]);
  w.Put(R"(","timestamp":")");
  PutIso(w, e.ts_ms);
  w.Put(R"(","properties":{"plan":")");
  w.Put(kPlans[profile_h % 4]);
  w.Put(R"(","source":")");
  w.Put(kSources[h % 5]);
  w.Put(R"(","step":)");
  w.PutInt(e.name < 5 ? e.name + 1 : 0);
  if (e.name == 4) {  // Order Completed carries revenue in cents-precise dollars
    const int64_t cents = 500 + static_cast<int64_t>((h >> 8) % 50000);
    w.Put(R"(,"revenue":)");
    w.PutInt(cents / 100);
    w.Put(".");
    w.PutPadded(cents % 100, 2);
  }
  w.Put(R"(},"context":{"library":{"name":"signpost-gen_events","version":"1"}}})");
  w.Put("\n");
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1'000'000, profiles = 100'000, seed = 42;
  std::string format = "csv", out;
  int64_t start_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  int64_t days = 30;
  uint64_t slice_events = 32'000'000;
  CLI::App app{"gen_events: deterministic synthetic events for the signpost benchmarks"};
  app.add_option("--events", events, "Number of events")->capture_default_str();
  app.add_option("--profiles", profiles, "Number of profiles (<= events)")->capture_default_str();
  app.add_option("--seed", seed, "PRNG seed: same seed, same bytes")->capture_default_str();
  app.add_option("--format", format, "csv | ndjson")
      ->check(CLI::IsMember({"csv", "ndjson"}))
      ->capture_default_str();
  app.add_option("--out", out, "Output file")->required();
  app.add_option("--start-ms", start_ms, "First instant, epoch ms")->capture_default_str();
  app.add_option("--days", days, "Length of the time range in days")->capture_default_str();
  app.add_option("--slice-events", slice_events, "Events held in memory per pass (about)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (profiles == 0 || profiles > events || profiles > UINT32_MAX ||
      events > profiles * sb::kMaxEventsPerProfile || days <= 0) {
    std::fprintf(
        stderr, "error: need 1 <= profiles <= events <= profiles * %u, profiles < 2^32, days > 0\n",
        sb::kMaxEventsPerProfile);
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::string tmp = out + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "error: cannot create %s\n", tmp.c_str());
    return 1;
  }
  const int64_t range_ms = days * 86400000;
  const std::vector<uint32_t> counts = sb::EventsPerProfile(seed, events, profiles);
  const sb::ProfileModel model;
  const uint64_t passes = std::max<uint64_t>(1, (events + slice_events - 1) / slice_events);
  uint64_t emitted = 0;
  {
    Writer w(f);
    if (format == "csv") w.Put("profile_id,ts_ms,event\n");
    std::vector<sb::SyntheticEvent> one, slice;
    for (uint64_t pass = 0; pass < passes; ++pass) {
      const int64_t lo =
          start_ms + static_cast<int64_t>(static_cast<__int128>(range_ms) * pass / passes);
      const int64_t hi =
          start_ms + static_cast<int64_t>(static_cast<__int128>(range_ms) * (pass + 1) / passes);
      slice.clear();
      for (uint64_t p = 0; p < profiles; ++p) {
        one.clear();
        sb::GenerateProfile(seed, static_cast<uint32_t>(p + 1), counts[p], start_ms, range_ms,
                            model, one);
        if (one.back().ts_ms < lo || one.front().ts_ms >= hi) continue;
        for (const auto& e : one) {
          if (e.ts_ms >= lo && e.ts_ms < hi) slice.push_back(e);
        }
      }
      std::sort(slice.begin(), slice.end(),
                [](const sb::SyntheticEvent& a, const sb::SyntheticEvent& b) {
                  if (a.ts_ms != b.ts_ms) return a.ts_ms < b.ts_ms;
                  if (a.profile != b.profile) return a.profile < b.profile;
                  return a.seq < b.seq;
                });
      for (const auto& e : slice) {
        if (format == "csv") {
          w.PutInt(e.profile);
          w.Put(",");
          w.PutInt(e.ts_ms);
          w.Put(",");
          w.Put(sb::kEventNames[e.name]);
          w.Put("\n");
        } else {
          PutNdjson(w, seed, e);
        }
      }
      emitted += slice.size();
    }
    w.Flush();
    const bool ok = w.ok() && std::fclose(f) == 0;
    if (!ok || emitted != events || std::rename(tmp.c_str(), out.c_str()) != 0) {
      std::fprintf(stderr, "error: writing %s failed (%llu of %llu events)\n", out.c_str(),
                   static_cast<unsigned long long>(emitted),
                   static_cast<unsigned long long>(events));
      std::remove(tmp.c_str());
      return 1;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "{\"file\":\"%s\",\"format\":\"%s\",\"events\":%llu,\"profiles\":%llu,\"seed\":%llu,"
        "\"bytes\":%llu,\"passes\":%llu,\"seconds\":%.3f}\n",
        out.c_str(), format.c_str(), static_cast<unsigned long long>(events),
        static_cast<unsigned long long>(profiles), static_cast<unsigned long long>(seed),
        static_cast<unsigned long long>(w.written()), static_cast<unsigned long long>(passes),
        seconds);
  }
  return 0;
}
