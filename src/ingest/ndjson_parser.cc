#include "ingest/ndjson_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <string>

#include "ingest/json_item.h"
#include "ingest/json_scan.h"
#include "ingest/rejection_text.h"

namespace signpost::ingest {

struct NdjsonParser::State {
  TimeMs received_at;
  Limits limits;
  JsonItemDefaults defaults;
  simdjson::dom::parser parser;
  uint64_t line = 0;
  std::string pending;        // the start of a line not yet ended (at most max_event_bytes + 1)
  uint64_t pending_size = 0;  // the true size of that line, also past what `pending` keeps

  void Line(std::string_view text, uint64_t size, ParsedEvents& out);
};

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }
}  // namespace

void NdjsonParser::State::Line(std::string_view text, uint64_t size, ParsedEvents& out) {
  ++line;
  if (line == 1 && text.substr(0, kBom.size()) == kBom) {
    text.remove_prefix(kBom.size());
    size -= kBom.size();
  }
  if (!text.empty() && text.back() == '\r' && size == text.size()) {
    text.remove_suffix(1);
    --size;
  }
  if (IsBlank(text)) return;
  auto reject = [&](ItemError error) {
    out.rejections.push_back(MakeRejection(fmt::format("line {}", line), std::move(error), text));
  };
  if (size > limits.max_event_bytes) {
    reject({"", fmt::format("the line is {} bytes, over the limit {}: make properties smaller",
                            size, DescribeByteLimit("max_event_bytes", limits.max_event_bytes))});
    return;
  }
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    // Name the field and the fault when the scanner finds it; else simdjson's reason.
    if (std::optional<JsonFault> fault = FindJsonFault(text)) {
      reject(std::move(fault->error));
    } else {
      reject({"", error == simdjson::UTF8_ERROR
                      ? std::string("the line is not valid UTF-8: save the file as UTF-8")
                      : fmt::format("the line is not valid JSON ({}): each line must be one "
                                    "complete JSON object",
                                    simdjson::error_message(error))});
    }
    return;
  }
  // Parse straight into the output vector (no Event move); take it back on a rejection.
  Event& event = out.events.emplace_back();
  if (auto error = ParseJsonItem(root, text, defaults, event)) {
    out.events.pop_back();
    reject(std::move(*error));
  }
}

NdjsonParser::NdjsonParser(TimeMs received_at, Limits limits) : state_(std::make_unique<State>()) {
  state_->received_at = received_at;
  state_->limits = limits;
  state_->defaults.received_at = received_at;
  state_->defaults.accept_received_at = true;
  state_->defaults.limits = limits;
}

NdjsonParser::~NdjsonParser() = default;
NdjsonParser::NdjsonParser(NdjsonParser&&) noexcept = default;
NdjsonParser& NdjsonParser::operator=(NdjsonParser&&) noexcept = default;

void NdjsonParser::Feed(std::string_view bytes, ParsedEvents& out) {
  State& s = *state_;
  // Keep at most this much of an unfinished line: enough to reject it with its text.
  const size_t keep = std::max(s.limits.max_event_bytes + 1, kMaxRejectionRawBytes);
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    const size_t len = nl ? static_cast<const char*>(nl) - bytes.data() : bytes.size();
    const std::string_view piece = bytes.substr(0, len);
    if (nl == nullptr) {  // an unfinished line: keep it for the next Feed
      if (s.pending.size() < keep) s.pending.append(piece.substr(0, keep - s.pending.size()));
      s.pending_size += len;
      return;
    }
    if (s.pending_size == 0) {
      s.Line(piece, len, out);  // the common case: the whole line is in this chunk
    } else {
      if (s.pending.size() < keep) s.pending.append(piece.substr(0, keep - s.pending.size()));
      s.Line(s.pending, s.pending_size + len, out);
      s.pending.clear();
      s.pending_size = 0;
    }
    bytes.remove_prefix(len + 1);
  }
}

void NdjsonParser::Finish(ParsedEvents& out) {
  State& s = *state_;
  if (s.pending_size == 0) return;
  s.Line(s.pending, s.pending_size, out);
  s.pending.clear();
  s.pending_size = 0;
}

uint64_t NdjsonParser::lines() const { return state_->line; }

void NdjsonParser::SetLinesBefore(uint64_t n) {
  state_->line = n;
  state_->pending.clear();
  state_->pending_size = 0;
}

}  // namespace signpost::ingest
