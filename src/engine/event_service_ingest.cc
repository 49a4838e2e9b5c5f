// EventService: ingest over HTTP, bulk import, dead letters.
#include <fmt/format.h>

#include <chrono>
#include <fstream>

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
    const std::function<void(const ImportProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file; check the path and permissions");
  in.seekg(0, std::ios::end);
  ImportProgress p;
  p.bytes_total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);

  const ImportFormat format = FormatOf(path, requested);
  const TimeMs received_at = clock_.NowMs();
  ingest::NdjsonParser ndjson(received_at, limits_);
  ingest::CsvParser csv(received_at, limits_);
  std::string csv_header;  // prefixed to CSV dead letters so they can be parsed again
  const std::string source =
      fmt::format("{}{}", format == ImportFormat::kCsv ? kCsvSource : kNdjsonSource, path);

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
    SP_ASSIGN_OR_RETURN(IngestOutcome o, commits_->Submit(std::move(parsed.events)).get());
    Accumulate(total, std::move(o));
    fixed.push_back(d.id);
  }
  if (!fixed.empty()) SP_RETURN_IF_ERROR(store_.dead_letters().Delete(fixed).status());
  return total;
}

}  // namespace signpost::engine
