// EventService: ingest over HTTP, bulk import, dead letters.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <thread>

#include "base/allocator.h"
#include "engine/event_service.h"
#include "ingest/json_scan.h"

namespace signpost::engine {

namespace {

// Dead letters remember how to parse their raw text again: "http:<endpoint>", "ndjson:<file>",
// "csv:<file>" (a CSV dead letter's raw text starts with the file's header line).
constexpr std::string_view kHttpSource = "http:";
constexpr std::string_view kNdjsonSource = "ndjson:";
constexpr std::string_view kCsvSource = "csv:";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

ImportFormat FormatOf(const std::string& path, ImportFormat requested) {
  if (requested != ImportFormat::kAuto) return requested;
  return EndsWith(path, ".csv") ? ImportFormat::kCsv : ImportFormat::kNdjson;
}

void Accumulate(IngestOutcome& total, IngestOutcome&& part) {
  total.accepted += part.accepted;
  total.duplicates += part.duplicates;
  for (auto& r : part.rejections) total.rejections.push_back(std::move(r));
  for (auto& m : part.refused_merges) total.refused_merges.push_back(std::move(m));
}

// Lines (line ends) in `text`.
uint64_t CountLines(std::string_view text) {
  uint64_t n = 0;
  for (const char *p = text.data(), *end = text.data() + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))); ++p) {
    ++n;
  }
  return n;
}

// An NDJSON file parsed on several threads, chunk by chunk: a chunk's complete lines are cut at
// line ends into one part per thread, each part parsed by its own NdjsonParser numbered from the
// lines before it (so rejections name the same lines as one parser would). A line that spans two
// chunks is parsed alone, by a parser that keeps at most max_event_bytes of it, as one parser
// would. Events and rejections come out in file order. Not thread-safe (one import).
class ParallelNdjson {
 public:
  ParallelNdjson(TimeMs received_at, const ingest::Limits& limits, size_t threads)
      : spanning_(received_at, limits), parts_(std::max<size_t>(threads, 1)) {
    for (size_t i = 0; i < parts_.size(); ++i) parsers_.emplace_back(received_at, limits);
  }

  // Appends the events and rejections of the lines `chunk` completes to `out`.
  void Feed(std::string_view chunk, ingest::ParsedEvents& out) {
    if (open_line_) {  // the end of the line the last chunk left open
      const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
      if (nl == nullptr) return spanning_.Feed(chunk, out);
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - chunk.data()) + 1;
      spanning_.Feed(chunk.substr(0, len), out);
      lines_ = spanning_.lines();
      open_line_ = false;
      chunk.remove_prefix(len);
    }
    const size_t complete = chunk.rfind('\n') + 1;  // 0 when there is no line end
    const std::string_view whole = chunk.substr(0, complete), rest = chunk.substr(complete);
    // Cut at the first line end at or after each 1/n of the bytes.
    const size_t n = parsers_.size();
    std::vector<std::string_view> parts;
    std::vector<uint64_t> before;
    uint64_t lines = lines_;
    for (size_t k = 0, at = 0; k < n && at < whole.size(); ++k) {
      size_t cut = whole.size();
      const size_t target = whole.size() / n * (k + 1);
      if (k + 1 < n && target > at) {
        cut = static_cast<size_t>(static_cast<const char*>(std::memchr(
                                      whole.data() + target - 1, '\n', whole.size() - target + 1)) -
                                  whole.data()) +
              1;
      } else if (k + 1 < n) {
        continue;  // this part would be empty
      }
      parts.push_back(whole.substr(at, cut - at));
      before.push_back(lines);
      if (cut < whole.size()) lines += CountLines(parts.back());
      at = cut;
    }
    std::vector<std::future<void>> running;
    for (size_t k = 1; k < parts.size(); ++k) {
      running.push_back(std::async(std::launch::async, [this, k, &parts, &before] {
        ShareArena();  // its events are freed by the commit thread (base/allocator.h)
        parsers_[k].SetLinesBefore(before[k]);
        parsers_[k].Feed(parts[k], parts_[k]);
      }));
    }
    if (!parts.empty()) {
      parsers_[0].SetLinesBefore(before[0]);
      parsers_[0].Feed(parts[0], out);
    }
    for (auto& r : running) r.get();
    for (size_t k = 1; k < parts.size(); ++k) {
      ingest::ParsedEvents& part = parts_[k];
      out.events.insert(out.events.end(), std::make_move_iterator(part.events.begin()),
                        std::make_move_iterator(part.events.end()));
      out.rejections.insert(out.rejections.end(), std::make_move_iterator(part.rejections.begin()),
                            std::make_move_iterator(part.rejections.end()));
      part.events.clear();
      part.rejections.clear();
    }
    if (!parts.empty()) lines_ = parsers_[parts.size() - 1].lines();
    if (!rest.empty()) {
      spanning_.SetLinesBefore(lines_);
      spanning_.Feed(rest, out);  // keeps it: no line end
      open_line_ = true;
    }
  }

  // The last line when the file does not end with a line end.
  void Finish(ingest::ParsedEvents& out) {
    if (!open_line_) return;
    spanning_.Finish(out);
    lines_ = spanning_.lines();
    open_line_ = false;
  }

 private:
  ingest::NdjsonParser spanning_;
  std::vector<ingest::NdjsonParser> parsers_;  // one per part
  std::vector<ingest::ParsedEvents> parts_;    // what parts 1.. produce, before they join `out`
  bool open_line_ = false;                     // the last chunk ended inside a line
  uint64_t lines_ = 0;                         // lines before the next chunk's first complete one
};

}  // namespace

Result<IngestOutcome> EventService::IngestHttp(
    std::string_view endpoint, std::string_view body, std::string_view auth_key,
    const std::function<bool(std::string_view)>& write_key_ok) {
  auto parsed = ingest::ParseHttpBody(endpoint, body, clock_.NowMs(), limits_);
  // Authenticate before anything is kept: a request without a valid key leaves no trace.
  std::string key(auth_key);
  if (key.empty() && parsed.ok()) key = parsed->write_key;
  if (key.empty() || !write_key_ok(key)) {
    ++unauthenticated_;
    return Status::Unauthenticated(
        key.empty() ? "no write key: send it as the HTTP Basic auth username (empty password) or "
                      "as `writeKey` in the body"
                    : "the write key is unknown or revoked: create one with `signpost keys "
                      "create --kind write`");
  }
  const std::string source = fmt::format("{}{}", kHttpSource, endpoint);
  if (!parsed.ok()) {
    ++refused_requests_;
    // Kept as a dead letter too (the start of the body, its size in the reason), so a sender's
    // malformed or oversized requests can be seen and fixed; identical bodies are kept once.
    Rejection whole;
    whole.location = "body";
    whole.reason = fmt::format(
        "{} (the request body was {} bytes{})", parsed.status().message(), body.size(),
        body.size() > ingest::kMaxRejectionRawBytes ? "; its first 64 KiB are kept" : "");
    whole.raw = std::string(body.substr(0, ingest::kMaxRejectionRawBytes));
    Status kept = store_.AddDeadLetters({whole}, source, clock_.NowMs()).status();
    if (!kept.ok()) return kept;
    return parsed.status();
  }
  return Submit(std::move(parsed).value(), source);
}

Result<IngestOutcome> EventService::IngestEvents(std::vector<Event> events) {
  ingest::ParsedEvents parsed;
  parsed.events = std::move(events);
  return Submit(std::move(parsed), "api");
}

Result<ImportSummary> EventService::Import(
    const std::string& path, ImportFormat requested,
    const std::function<void(const ImportProgress&)>& progress, const std::string& name) {
  const std::string& shown = name.empty() ? path : name;
  const auto start = std::chrono::steady_clock::now();
  const KeepFreedPages keep;  // the chunks' memory reused, not faulted in again (base/allocator.h)
  ShareArena();               // with the commit thread, which frees the events parsed here
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file; check the path and permissions");
  in.seekg(0, std::ios::end);
  ImportProgress p;
  p.bytes_total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);

  const ImportFormat format = FormatOf(shown, requested);
  const TimeMs received_at = clock_.NowMs();
  ParallelNdjson ndjson(received_at, limits_,
                        std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16));
  ingest::CsvParser csv(received_at, limits_);
  std::string csv_header;  // prefixed to CSV dead letters so they can be parsed again
  const std::string source =
      fmt::format("{}{}", format == ImportFormat::kCsv ? kCsvSource : kNdjsonSource, shown);

  ImportSummary summary;
  std::future<Result<IngestOutcome>> in_flight;  // the previous chunk, committing while we parse
  auto finish_in_flight = [&]() -> Status {
    if (!in_flight.valid()) return Status::Ok();
    auto r = in_flight.get();
    if (!r.ok()) return r.status();
    p.accepted += r->accepted;
    p.duplicates += r->duplicates;
    Accumulate(summary.outcome, std::move(r).value());
    return Status::Ok();
  };
  auto submit = [&](ingest::ParsedEvents& parsed) -> Status {
    if (format == ImportFormat::kCsv) {
      for (auto& r : parsed.rejections) {
        if (r.location.rfind("row", 0) == 0) r.raw = csv_header + "\n" + r.raw;
      }
    }
    SP_RETURN_IF_ERROR(KeepRejections(parsed.rejections, source));
    SP_RETURN_IF_ERROR(ScreenEvents(parsed.events, source, parsed.rejections));  // plans
    p.rejected += parsed.rejections.size();
    for (auto& r : parsed.rejections) summary.outcome.rejections.push_back(std::move(r));
    SP_RETURN_IF_ERROR(finish_in_flight());
    if (!parsed.events.empty()) in_flight = commits_->Submit(std::move(parsed.events));
    parsed = ingest::ParsedEvents();
    // Room for a chunk's events up front (~1 per 200 bytes): no regrowth moving Events around.
    parsed.events.reserve(options_.import_chunk_bytes / 200);
    return Status::Ok();
  };

  std::string buffer(options_.import_chunk_bytes, '\0');
  ingest::ParsedEvents parsed;
  parsed.events.reserve(options_.import_chunk_bytes / 200);
  bool first_chunk = true;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    std::string_view chunk(buffer.data(), n);
    if (format == ImportFormat::kCsv) {
      if (first_chunk) {
        csv_header = std::string(chunk.substr(0, chunk.find_first_of("\r\n")));
      }
      csv.Feed(chunk, parsed);
      if (!csv.status().ok()) {
        SP_RETURN_IF_ERROR(finish_in_flight());
        return csv.status();
      }
    } else {
      ndjson.Feed(chunk, parsed);
    }
    if (first_chunk && p.bytes_total > n) {
      // The dedup table sized once for the rest of the file (at the first chunk's events per
      // byte) instead of growing step by step under the commits.
      const double rest = double(p.bytes_total - n) / double(n) * double(parsed.events.size());
      store_.ReserveEvents(static_cast<size_t>(std::min(rest, double(size_t{1} << 32))));
    }
    first_chunk = false;
    p.bytes_read += n;
    SP_RETURN_IF_ERROR(submit(parsed));
    if (progress) progress(p);
  }
  if (format == ImportFormat::kCsv) {
    csv.Finish(parsed);
  } else {
    ndjson.Finish(parsed);
  }
  SP_RETURN_IF_ERROR(submit(parsed));
  SP_RETURN_IF_ERROR(finish_in_flight());
  if (progress) progress(p);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

// ---- dead letters -------------------------------------------------------------------------------

DeadLetterInfo DeadLetterInfoOf(const store::DeadLetter& d) {
  // Kept as received: refused bytes (invalid UTF-8) are shown as U+FFFD.
  return {.id = d.id,
          .source = d.source,
          .at = d.at,
          .rejection = {.location = d.rejection.location,
                        .field = ingest::ToValidUtf8(d.rejection.field),
                        .reason = ingest::ToValidUtf8(d.rejection.reason),
                        .raw = ingest::ToValidUtf8(d.rejection.raw)}};
}

Result<DeadLetterList> EventService::DeadLetters(size_t limit) const {
  const TimeMs now = clock_.NowMs();
  SP_RETURN_IF_ERROR(minimise_->SweepDeadLetters(now));
  SP_ASSIGN_OR_RETURN(auto letters, store_.dead_letters().List(0, limit));
  DeadLetterList out;
  for (auto& d : letters) {
    if (minimise_->RawBodyExpired(d.at, now)) d.rejection.raw.clear();  // privacy: never shown
    out.dead_letters.push_back(DeadLetterInfoOf(d));
  }
  out.total = store_.dead_letters().count();
  return out;
}

Result<IngestOutcome> EventService::ReimportDeadLetters(const std::vector<uint64_t>& ids) {
  // privacy: bodies past their period are gone before anything is parsed again.
  SP_RETURN_IF_ERROR(minimise_->SweepDeadLetters(clock_.NowMs(), /*force=*/true));
  std::vector<store::DeadLetter> letters;
  if (ids.empty()) {
    uint64_t after = 0;
    for (;;) {
      SP_ASSIGN_OR_RETURN(auto page, store_.dead_letters().List(after, 1000));
      if (page.empty()) break;
      after = page.back().id;
      for (auto& d : page) letters.push_back(std::move(d));
    }
  } else {
    for (uint64_t id : ids) {
      SP_ASSIGN_OR_RETURN(auto d, store_.dead_letters().Get(id));
      letters.push_back(std::move(d));
    }
  }
  IngestOutcome total;
  std::vector<uint64_t> fixed;
  for (const auto& d : letters) {
    std::string_view src = d.source;
    // Parsed as if received when it first arrived, so clock-skew correction gives the same time.
    const TimeMs now = d.at;
    ingest::ParsedEvents parsed;
    if (src.rfind(kHttpSource, 0) == 0) {
      std::string_view endpoint = src.substr(kHttpSource.size());
      // A batch item is an event object of its own; any other endpoint's raw text, and a whole
      // refused batch request (location "body"), is the body.
      const bool item = endpoint == "batch" && d.rejection.location != "body";
      auto r = ingest::ParseHttpBody(
          endpoint, item ? "{\"batch\":[" + d.rejection.raw + "]}" : d.rejection.raw, now, limits_);
      if (!r.ok()) {  // still refused as a whole: it stays, with today's reason
        Rejection still = d.rejection;
        still.reason = r.status().message();
        total.rejections.push_back(std::move(still));
        continue;
      }
      parsed = std::move(r).value();
    } else if (src.rfind(kCsvSource, 0) == 0) {
      ingest::CsvParser csv(now, limits_);
      csv.Feed(d.rejection.raw, parsed);
      csv.Finish(parsed);
    } else {
      ingest::NdjsonParser ndjson(now, limits_);
      ndjson.Feed(d.rejection.raw, parsed);
      ndjson.Finish(parsed);
    }
    if (parsed.events.empty() || !parsed.rejections.empty()) {
      Rejection still = d.rejection;
      if (!parsed.rejections.empty()) still = parsed.rejections.front();
      total.rejections.push_back(std::move(still));
      continue;
    }
    if (screen_) {  // tracking plans: still refused, the letter stays (with today's reason)
      std::vector<Rejection> refused = screen_(parsed.events, src);
      if (!refused.empty()) {
        Rejection still = d.rejection;
        still.reason = std::move(refused.front().reason);
        total.rejections.push_back(std::move(still));
        continue;
      }
    }
    SP_ASSIGN_OR_RETURN(IngestOutcome o, commits_->Submit(std::move(parsed.events)).get());
    Accumulate(total, std::move(o));
    fixed.push_back(d.id);
  }
  if (!fixed.empty()) SP_RETURN_IF_ERROR(store_.dead_letters().Delete(fixed).status());
  return total;
}

}  // namespace signpost::engine
