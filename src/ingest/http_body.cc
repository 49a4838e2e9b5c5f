#include "ingest/http_body.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "base/time.h"
#include "ingest/dom_writer.h"
#include "ingest/json_item.h"
#include "ingest/json_scan.h"
#include "ingest/rejection_text.h"

namespace signpost::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kBodyBom = "\xEF\xBB\xBF";

bool IsBlankBody(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status NotJson(simdjson::error_code error) {
  if (error == simdjson::UTF8_ERROR) {
    return Status::InvalidArgument(
        "the request body is not valid UTF-8: send JSON encoded as UTF-8");
  }
  return Status::InvalidArgument(
      fmt::format("the request body is not valid JSON ({}): send one JSON object",
                  simdjson::error_message(error)));
}

// A batch's top-level `context` / `integrations`: absent or null -> false; an object -> true.
Result<bool> SharedObject(const object& root, std::string_view key, object& out) {
  element value;
  if (root.at_key(key).get(value) || value.is_null()) return false;
  if (value.get_object().get(out)) {
    return Status::InvalidArgument(fmt::format(
        "the batch's top-level `{}` must be a JSON object (it is merged into every item), got {}",
        key, JsonTypeName(value)));
  }
  return true;
}

// One batch item (parsed) -> an event or a rejection at batch[index].
void AddItem(element item, size_t index, const JsonItemDefaults& defaults, const Limits& limits,
             ParsedEvents& parsed) {
  const std::string raw = MinifiedJson(item);
  std::string location = fmt::format("batch[{}]", index);
  if (raw.size() > limits.max_event_bytes) {
    parsed.rejections.push_back(MakeRejection(
        std::move(location),
        {"", fmt::format("the event is {} bytes (minified), over the limit {}: make properties "
                         "smaller or split the data",
                         raw.size(), DescribeByteLimit("max_event_bytes", limits.max_event_bytes))},
        raw));
    return;
  }
  Event event;
  if (auto error = ParseJsonItem(item, raw, defaults, event)) {
    parsed.rejections.push_back(MakeRejection(std::move(location), std::move(*error), raw));
  } else {
    parsed.events.push_back(std::move(event));
  }
}

// `root` is the whole body, or (when `split` is set) the body with its batch emptied: its items
// are then parsed one by one from `split`, so a bad one is refused alone.
Result<ParsedEvents> ParseBatch(const object& root, const BatchSplit* split, TimeMs received_at,
                                const Limits& limits, ParsedEvents parsed) {
  element batch_value;
  simdjson::dom::array batch;
  if (root.at_key("batch").get(batch_value)) {
    return Status::InvalidArgument(
        "a /v1/batch body needs `batch`, an array of events: "
        "{\"batch\":[{\"type\":\"track\",...}]}");
  }
  if (batch_value.get_array().get(batch)) {
    return Status::InvalidArgument(
        fmt::format("`batch` must be an array of events, got {}", JsonTypeName(batch_value)));
  }
  const size_t count = split != nullptr ? split->items.size() : batch.size();
  if (count > limits.max_batch_events) {
    return Status::ResourceExhausted(
        fmt::format("the batch has {} events, over the limit max_batch_events = {}: send at most "
                    "{} per request",
                    count, limits.max_batch_events, limits.max_batch_events));
  }
  JsonItemDefaults defaults;
  defaults.received_at = received_at;
  defaults.limits = limits;
  object context, integrations;
  SP_ASSIGN_OR_RETURN(bool has_context, SharedObject(root, "context", context));
  SP_ASSIGN_OR_RETURN(bool has_integrations, SharedObject(root, "integrations", integrations));
  if (has_context) defaults.context = &context;
  if (has_integrations) defaults.integrations = &integrations;
  element sent_at;
  if (!root.at_key("sentAt").get(sent_at) && !sent_at.is_null()) {
    std::string_view text;
    if (sent_at.get_string().get(text)) {
      return Status::InvalidArgument(
          fmt::format("the batch's top-level `sentAt` must be an ISO 8601 string, got {}",
                      JsonTypeName(sent_at)));
    }
    Result<TimeMs> t = ParseIso8601(text);
    if (!t.ok()) {
      return Status::InvalidArgument("the batch's top-level `sentAt`: " + t.status().message());
    }
    defaults.sent_at = *t;
  }

  parsed.events.reserve(count);
  if (split == nullptr) {
    size_t index = 0;
    for (element item : batch) AddItem(item, index++, defaults, limits, parsed);
    return parsed;
  }
  simdjson::dom::parser item_parser;  // `root` lives in the caller's parser
  for (size_t index = 0; index < count; ++index) {
    const std::string_view text = split->items[index];
    element item;
    if (auto error = item_parser.parse(text.data(), text.size()).get(item)) {
      std::optional<JsonFault> fault = FindJsonFault(text);
      ItemError why = fault ? std::move(fault->error)
                            : ItemError{"", fmt::format("the event is not valid JSON ({}): send "
                                                        "each event as one JSON object",
                                                        simdjson::error_message(error))};
      parsed.rejections.push_back(
          MakeRejection(fmt::format("batch[{}]", index), std::move(why), text));
      continue;
    }
    AddItem(item, index, defaults, limits, parsed);
  }
  return parsed;
}

}  // namespace

Result<ParsedEvents> ParseHttpBody(std::string_view endpoint, std::string_view body,
                                   TimeMs received_at, const Limits& limits) {
  const bool is_batch = endpoint == "batch";
  const std::optional<EventType> type = EventTypeFromName(endpoint);
  if (!is_batch && !type) {
    return Status::InvalidArgument(fmt::format(
        "unknown endpoint /v1/{}: use one of track, identify, alias, page, screen, group, batch",
        endpoint.substr(0, 64)));
  }
  if (body.substr(0, kBodyBom.size()) == kBodyBom)
    body.remove_prefix(kBodyBom.size());  // some clients add one
  if (IsBlankBody(body)) {
    return Status::InvalidArgument("the request body is empty: send one JSON object");
  }
  if (body.size() > limits.max_batch_bytes) {
    return Status::ResourceExhausted(
        fmt::format("the request body is {} bytes, over the limit {}: send smaller batches",
                    body.size(), DescribeByteLimit("max_batch_bytes", limits.max_batch_bytes)));
  }
  if (!is_batch && body.size() > limits.max_event_bytes) {
    return Status::ResourceExhausted(
        fmt::format("the event is {} bytes, over the limit {}: make properties smaller",
                    body.size(), DescribeByteLimit("max_event_bytes", limits.max_event_bytes)));
  }

  simdjson::dom::parser parser;
  element root;
  std::optional<BatchSplit> split;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    // A fault inside one item (bad UTF-8, a lone surrogate, 1e400, 2^70, depth) fails the whole
    // document: refuse that item alone when the body's structure can still be followed.
    if (is_batch) {
      split = SplitBatch(body);
      if (!split) return NotJson(error);
      if (auto shell_error = parser.parse(split->shell).get(root)) return NotJson(shell_error);
    } else {
      std::optional<JsonFault> fault = FindJsonFault(body);
      if (!fault || fault->syntax) return NotJson(error);
      ParsedEvents parsed;
      parsed.rejections.push_back(MakeRejection("body", std::move(fault->error), body));
      return parsed;
    }
  }
  object root_object;
  if (root.get_object().get(root_object)) {
    return Status::InvalidArgument(
        fmt::format("the request body must be a JSON object, got {}", JsonTypeName(root)));
  }

  ParsedEvents parsed;
  std::string_view write_key;
  if (!root_object.at_key("writeKey").get_string().get(write_key)) {
    parsed.write_key = std::string(write_key);
  }
  if (is_batch) {
    return ParseBatch(root_object, split ? &*split : nullptr, received_at, limits,
                      std::move(parsed));
  }

  JsonItemDefaults defaults;
  defaults.type = type;
  defaults.received_at = received_at;
  defaults.limits = limits;
  const std::string raw = MinifiedJson(root);
  Event event;
  if (auto error = ParseJsonItem(root, raw, defaults, event)) {
    parsed.rejections.push_back(MakeRejection("body", std::move(*error), body));
  } else {
    parsed.events.push_back(std::move(event));
  }
  return parsed;
}

}  // namespace signpost::ingest
