// Engine: ingest over HTTP, bulk import, dead letters.
#include <fmt/format.h>

#include <chrono>
#include <fstream>

#include "engine/engine_impl.h"
#include "engine/event_json.h"
#include "ingest/json_scan.h"

namespace signpost {

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

Status Engine::Impl::KeepRejections(const std::vector<Rejection>& rejections,
                                    std::string_view source) {
  if (rejections.empty()) return Status::Ok();
  rejected += rejections.size();
  return store().AddDeadLetters(rejections, source, clock->NowMs()).status();
}

Result<IngestOutcome> Engine::Impl::Submit(ingest::ParsedEvents parsed, std::string_view source) {
  SP_RETURN_IF_ERROR(KeepRejections(parsed.rejections, source));
  IngestOutcome out;
  if (!parsed.events.empty()) {
    SP_ASSIGN_OR_RETURN(out, commits->Submit(std::move(parsed.events)).get());
  }
  out.rejections = std::move(parsed.rejections);
  return out;
}

Result<IngestOutcome> Engine::IngestHttp(std::string_view endpoint, std::string_view body,
                                         std::string_view auth_key) {
  Impl& m = *impl_;
  auto parsed = ingest::ParseHttpBody(endpoint, body, m.clock->NowMs(), m.limits);
  // Authenticate before anything is kept: a request without a valid key leaves no trace.
  std::string key(auth_key);
  if (key.empty() && parsed.ok()) key = parsed->write_key;
  if (!CheckKey(key, "write")) {
    ++m.unauthenticated;
    return Status::Unauthenticated(
        key.empty() ? "no write key: send it as the HTTP Basic auth username (empty password) or "
                      "as `writeKey` in the body"
                    : "the write key is unknown or revoked: create one with `signpost keys "
                      "create --kind write`");
  }
  const std::string source = fmt::format("{}{}", kHttpSource, endpoint);
  if (!parsed.ok()) {
    ++m.refused_requests;
    // Kept as a dead letter too (the start of the body, its size in the reason), so a sender's
    // malformed or oversized requests can be seen and fixed; identical bodies are kept once.
    Rejection whole;
    whole.location = "body";
    whole.reason = fmt::format(
        "{} (the request body was {} bytes{})", parsed.status().message(), body.size(),
        body.size() > ingest::kMaxRejectionRawBytes ? "; its first 64 KiB are kept" : "");
    whole.raw = std::string(body.substr(0, ingest::kMaxRejectionRawBytes));
    Status kept = m.store().AddDeadLetters({whole}, source, m.clock->NowMs()).status();
    if (!kept.ok()) return kept;
    return parsed.status();
  }
  return m.Submit(std::move(parsed).value(), source);
}

// The engine's own events (journeys, delivery outcomes, opens and clicks, goals) go straight to the
// commit queue: they carry the reserved names and "sp:" ids that every outside path refuses
// (ingest::CompleteEvent), so they must never pass through a parser.
Result<IngestOutcome> Engine::Impl::RecordSystemEvents(std::vector<Event> events) {
  if (events.empty()) return IngestOutcome{};
  return commits->Submit(std::move(events)).get();
}

Result<IngestOutcome> Engine::IngestEvents(std::vector<Event> events) {
  ingest::ParsedEvents parsed;
  parsed.events = std::move(events);
  return impl_->Submit(std::move(parsed), "api");
}

Result<ImportSummary> Engine::Import(const std::string& path, ImportFormat requested,
                                     const std::function<void(const ImportProgress&)>& progress) {
  Impl& m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file; check the path and permissions");
  in.seekg(0, std::ios::end);
  ImportProgress p;
  p.bytes_total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);

  const ImportFormat format = FormatOf(path, requested);
  const TimeMs received_at = m.clock->NowMs();
  ingest::NdjsonParser ndjson(received_at, m.limits);
  ingest::CsvParser csv(received_at, m.limits);
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
    SP_RETURN_IF_ERROR(m.KeepRejections(parsed.rejections, source));
    p.rejected += parsed.rejections.size();
    for (auto& r : parsed.rejections) summary.outcome.rejections.push_back(std::move(r));
    SP_RETURN_IF_ERROR(finish_in_flight());
    if (!parsed.events.empty()) in_flight = m.commits->Submit(std::move(parsed.events));
    parsed = ingest::ParsedEvents();
    // Room for a chunk's events up front (~1 per 200 bytes): no regrowth moving Events around.
    parsed.events.reserve(m.options.import_chunk_bytes / 200);
    return Status::Ok();
  };

  std::string buffer(m.options.import_chunk_bytes, '\0');
  ingest::ParsedEvents parsed;
  parsed.events.reserve(m.options.import_chunk_bytes / 200);
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

Result<nlohmann::json> Engine::ListDeadLetters(size_t limit) const {
  SP_ASSIGN_OR_RETURN(auto letters, impl_->store().dead_letters().List(0, limit));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : letters) {
    out.push_back({{"id", d.id},
                   {"source", d.source},
                   {"at", d.at},
                   {"location", d.rejection.location},
                   {"field", ingest::ToValidUtf8(d.rejection.field)},
                   {"reason", ingest::ToValidUtf8(d.rejection.reason)},
                   // Kept as received: refused bytes (invalid UTF-8) are shown as U+FFFD.
                   {"raw", ingest::ToValidUtf8(d.rejection.raw)}});
  }
  return nlohmann::json{{"dead_letters", out}, {"total", impl_->store().dead_letters().count()}};
}

Result<IngestOutcome> Engine::ReimportDeadLetters(const std::vector<uint64_t>& ids) {
  Impl& m = *impl_;
  std::vector<store::DeadLetter> letters;
  if (ids.empty()) {
    uint64_t after = 0;
    for (;;) {
      SP_ASSIGN_OR_RETURN(auto page, m.store().dead_letters().List(after, 1000));
      if (page.empty()) break;
      after = page.back().id;
      for (auto& d : page) letters.push_back(std::move(d));
    }
  } else {
    for (uint64_t id : ids) {
      SP_ASSIGN_OR_RETURN(auto d, m.store().dead_letters().Get(id));
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
          endpoint, item ? "{\"batch\":[" + d.rejection.raw + "]}" : d.rejection.raw, now,
          m.limits);
      if (!r.ok()) {  // still refused as a whole: it stays, with today's reason
        Rejection still = d.rejection;
        still.reason = r.status().message();
        total.rejections.push_back(std::move(still));
        continue;
      }
      parsed = std::move(r).value();
    } else if (src.rfind(kCsvSource, 0) == 0) {
      ingest::CsvParser csv(now, m.limits);
      csv.Feed(d.rejection.raw, parsed);
      csv.Finish(parsed);
    } else {
      ingest::NdjsonParser ndjson(now, m.limits);
      ndjson.Feed(d.rejection.raw, parsed);
      ndjson.Finish(parsed);
    }
    if (parsed.events.empty() || !parsed.rejections.empty()) {
      Rejection still = d.rejection;
      if (!parsed.rejections.empty()) still = parsed.rejections.front();
      total.rejections.push_back(std::move(still));
      continue;
    }
    SP_ASSIGN_OR_RETURN(IngestOutcome o, m.commits->Submit(std::move(parsed.events)).get());
    Accumulate(total, std::move(o));
    fixed.push_back(d.id);
  }
  if (!fixed.empty()) SP_RETURN_IF_ERROR(m.store().dead_letters().Delete(fixed).status());
  return total;
}

}  // namespace signpost
