// http_load: the HTTP ingest load generator. N threads, each over its own keep-alive connection,
// POST /v1/batch with --batch unique track events per request (write key as Basic-auth username),
// for --seconds or until --requests have been sent. Prints one JSON line: events/s, requests/s,
// latency p50/p99/max of successful requests, and the errors.
//
//   http_load --url http://127.0.0.1:8080 --key WRITE_KEY [--threads 4] [--batch 100] [--seconds
//   10]
//
// --ack-log FILE appends the messageId of every event in an acknowledged (2xx) request, one a line,
// flushed before the next request: the crash test's record of what the server promised to keep.
// Failed requests are retried with new messageIds after --retry-delay-ms (the server may be down).
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "synthetic.h"

namespace sb = signpost::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string key;
  int threads = 4;
  int batch = 100;
  double seconds = 10;
  uint64_t requests = 0;  // 0 = no limit
  std::string run_id;     // messageId prefix; default: the start time in ms
  uint64_t profiles = 100000;
  std::string user_prefix = "load-";
  std::string ack_log;
  int retry_delay_ms = 50;
  int timeout_s = 30;
};

// What one thread measured.
struct ThreadResult {
  uint64_t ok_requests = 0;
  uint64_t errors = 0;
  std::vector<double> latencies_ms;  // of successful requests
  std::string first_error;
};

// "YYYY-MM-DDTHH:MM:SS.mmmZ" of epoch ms.
std::string Iso(int64_t ms) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ms)));
  const year_month_day ymd(day);
  const int64_t in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(in_day / 3600000),
                static_cast<int>(in_day / 60000 % 60), static_cast<int>(in_day / 1000 % 60),
                static_cast<int>(in_day % 1000));
  return buf;
}

// Builds the body of request `n` of thread `t`; appends its messageIds to `ids`.
std::string BatchBody(const Options& o, int t, uint64_t n, int64_t base_ms, sb::Rng& rng,
                      std::vector<std::string>& ids) {
  std::string body = R"({"batch":[)";
  ids.clear();
  for (int i = 0; i < o.batch; ++i) {
    std::string id =
        o.run_id + "-" + std::to_string(t) + "-" + std::to_string(n) + "-" + std::to_string(i);
    const uint64_t user = rng.Below(o.profiles);
    const auto name = sb::kEventNames[rng.Below(sb::kEventNames.size())];
    if (i > 0) body += ',';
    body += R"({"type":"track","messageId":")" + id + R"(","userId":")" + o.user_prefix +
            std::to_string(user) + R"(","event":")" + std::string(name) + R"(","timestamp":")" +
            Iso(base_ms + static_cast<int64_t>(n * o.batch + i)) + R"(","properties":{"thread":)" +
            std::to_string(t) + R"(,"request":)" + std::to_string(n) + "}}";
    ids.push_back(std::move(id));
  }
  body += "]}";
  return body;
}

void RunThread(const Options& o, int t, int64_t base_ms, Clock::time_point deadline,
               std::atomic<uint64_t>& budget, std::FILE* ack, std::mutex& ack_mu, ThreadResult& r) {
  httplib::Client client(o.url);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_basic_auth(o.key, "");
  client.set_connection_timeout(o.timeout_s, 0);
  client.set_read_timeout(o.timeout_s, 0);
  client.set_write_timeout(o.timeout_s, 0);
  sb::Rng rng(sb::SplitMix64(static_cast<uint64_t>(t) + 1));
  std::vector<std::string> ids;
  for (uint64_t n = 0; Clock::now() < deadline; ++n) {
    if (o.requests > 0) {
      uint64_t left = budget.load();
      do {
        if (left == 0) return;
      } while (!budget.compare_exchange_weak(left, left - 1));
    }
    const std::string body = BatchBody(o, t, n, base_ms, rng, ids);
    const auto t0 = Clock::now();
    auto res = client.Post("/v1/batch", body, "application/json");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (res && res->status >= 200 && res->status < 300) {
      ++r.ok_requests;
      r.latencies_ms.push_back(ms);
      if (ack != nullptr) {
        std::lock_guard lock(ack_mu);
        for (const auto& id : ids) std::fprintf(ack, "%s\n", id.c_str());
        std::fflush(ack);
      }
      continue;
    }
    ++r.errors;
    if (r.first_error.empty()) {
      r.first_error = res ? "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200)
                          : "connection: " + httplib::to_string(res.error());
    }
    if (o.requests > 0) budget.fetch_add(1);  // a failed request does not use up the budget
    std::this_thread::sleep_for(std::chrono::milliseconds(o.retry_delay_ms));
  }
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// JSON string literal (the error texts may hold quotes or control characters).
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"http_load: POST /v1/batch load generator for signpost serve"};
  app.add_option("--url", o.url, "Server base URL")->capture_default_str();
  app.add_option("--key", o.key, "Write key (Basic-auth username)")->required();
  app.add_option("--threads", o.threads, "Client threads, one connection each")
      ->capture_default_str();
  app.add_option("--batch", o.batch, "Events per request")->capture_default_str();
  app.add_option("--seconds", o.seconds, "Stop after this long")->capture_default_str();
  app.add_option("--requests", o.requests,
                 "Stop after this many successful requests (0 = no limit)");
  app.add_option("--run-id", o.run_id, "messageId prefix (default: r<start time ms>)");
  app.add_option("--profiles", o.profiles, "userIds are PREFIX0 .. PREFIX<profiles-1>")
      ->capture_default_str();
  app.add_option("--user-prefix", o.user_prefix, "userId prefix")->capture_default_str();
  app.add_option("--ack-log", o.ack_log, "Append acknowledged messageIds to this file");
  app.add_option("--retry-delay-ms", o.retry_delay_ms, "Pause after a failed request")
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "Connect/read/write timeout, seconds")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.threads < 1 || o.batch < 1 || o.profiles < 1) {
    std::fprintf(stderr, "error: --threads, --batch and --profiles must be >= 1\n");
    return 1;
  }
  // The wall clock only names this run and dates its events; all timing uses the steady clock.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (o.run_id.empty()) o.run_id = "r" + std::to_string(now_ms);
  std::FILE* ack = nullptr;
  if (!o.ack_log.empty() && (ack = std::fopen(o.ack_log.c_str(), "a")) == nullptr) {
    std::fprintf(stderr, "error: cannot open %s for appending\n", o.ack_log.c_str());
    return 1;
  }
  std::mutex ack_mu;
  std::atomic<uint64_t> budget{o.requests};
  std::vector<ThreadResult> results(static_cast<size_t>(o.threads));
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < o.threads; ++t) {
      workers.emplace_back([&, t] {
        RunThread(o, t, now_ms - 3600000, deadline, budget, ack, ack_mu,
                  results[static_cast<size_t>(t)]);
      });
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (ack != nullptr) std::fclose(ack);
  ThreadResult all;
  for (auto& r : results) {
    all.ok_requests += r.ok_requests;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    if (all.first_error.empty()) all.first_error = r.first_error;
  }
  const double max_ms = all.latencies_ms.empty()
                            ? 0
                            : *std::max_element(all.latencies_ms.begin(), all.latencies_ms.end());
  const double p50 = Percentile(all.latencies_ms, 0.50);
  const double p99 = Percentile(all.latencies_ms, 0.99);
  const uint64_t events = all.ok_requests * static_cast<uint64_t>(o.batch);
  std::printf(
      "{\"engine\":\"signpost\",\"bench\":\"http_ingest\",\"threads\":%d,\"batch\":%d,\"seconds\":%"
      ".3f,"
      "\"requests\":%llu,\"events\":%llu,\"requests_per_second\":%.1f,\"events_per_second\":%.1f,"
      "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"errors\":%llu,\"first_error\":%s,"
      "\"run_id\":%s}\n",
      o.threads, o.batch, elapsed, static_cast<unsigned long long>(all.ok_requests),
      static_cast<unsigned long long>(events), static_cast<double>(all.ok_requests) / elapsed,
      static_cast<double>(events) / elapsed, p50, p99, max_ms,
      static_cast<unsigned long long>(all.errors), JsonString(all.first_error).c_str(),
      JsonString(o.run_id).c_str());
  return all.ok_requests > 0 ? 0 : 1;
}
