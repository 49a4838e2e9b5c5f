#include "ingest/csv_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "ingest/csv_reader.h"
#include "ingest/event_rules.h"
#include "ingest/json_text.h"
#include "ingest/rejection_text.h"

namespace signpost::ingest {
// The column targets and the column tree CsvParser::State holds (a named namespace: State is
// declared in the header, so its members may not use anonymous-namespace types).
namespace csv_columns {

// What a header column feeds.
enum class Target {
  kType,
  kMessageId,
  kUserId,
  kAnonymousId,
  kEvent,
  kName,
  kPreviousId,
  kGroupId,
  kTimestamp,
  kSentAt,
  kOriginalTimestamp,
  kReceivedAt,
  kNested
};

// A node of the tree the dotted columns build: a leaf names a column, an inner node has children.
struct Node {
  std::vector<std::pair<std::string, size_t>> children;  // key -> node index
  int column = -1;
};

}  // namespace csv_columns
namespace {

using csv_columns::Node;
using csv_columns::Target;

struct TopLevelColumn {
  std::string_view name;
  Target target;
};
constexpr std::array<TopLevelColumn, 12> kTopLevel = {{
    {"type", Target::kType},
    {"messageId", Target::kMessageId},
    {"userId", Target::kUserId},
    {"anonymousId", Target::kAnonymousId},
    {"event", Target::kEvent},
    {"name", Target::kName},
    {"previousId", Target::kPreviousId},
    {"groupId", Target::kGroupId},
    {"timestamp", Target::kTimestamp},
    {"sentAt", Target::kSentAt},
    {"originalTimestamp", Target::kOriginalTimestamp},
    {"receivedAt", Target::kReceivedAt},
}};
// The nested objects a dotted column may fill, in Event order.
constexpr std::array<std::string_view, 4> kObjects = {"properties", "traits", "context",
                                                      "integrations"};

constexpr std::string_view kValidColumns =
    "type, messageId, userId, anonymousId, event, name, previousId, groupId, timestamp, sentAt, "
    "originalTimestamp, receivedAt, properties.<key>, traits.<key>, context.<key>[.<key>...], "
    "integrations.<key>";

// Appends a cell as a JSON value: true/false, a number, or a string.
void AppendCell(std::string_view cell, std::string& out) {
  if (cell == "true" || cell == "false" || IsJsonNumber(cell)) {
    out += cell;
  } else {
    AppendJsonString(cell, out);
  }
}

}  // namespace

struct CsvParser::State {
  explicit State(TimeMs received, Limits l)
      : received_at(received), limits(l), reader(l.max_event_bytes) {}

  TimeMs received_at;
  Limits limits;
  CsvReader reader;
  Status status;
  bool have_header = false;
  uint64_t row = 0;
  std::vector<Target> targets;    // per column
  std::vector<Node> nodes;        // the dotted-column trees
  std::array<size_t, 4> roots{};  // node index of each kObjects root (0 = unused)
  ParsedEvents* out = nullptr;    // set during Feed/Finish

  void OnRecord(CsvRecord& record);
  Status ReadHeader(const std::vector<std::string>& names);
  Status AddNested(size_t root, std::string_view path, std::string_view name, int column);
  // Appends the object of node `index` (only the non-empty cells under it); false if none.
  bool AppendObject(size_t index, const std::vector<std::string>& cells, std::string& out) const;
  std::optional<ItemError> ReadRow(const CsvRecord& record, Event& event) const;
};

Status CsvParser::State::AddNested(size_t root, std::string_view path, std::string_view name,
                                   int column) {
  size_t node = roots[root];
  while (true) {
    const size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    if (key.empty()) {
      return Status::InvalidArgument(
          fmt::format("header column \"{}\" has an empty key: write {}.<key>, e.g. {}.plan", name,
                      kObjects[root], kObjects[root]));
    }
    if (nodes[node].column >= 0) break;  // a prefix of this path is already a leaf
    size_t child = 0;
    for (const auto& [k, index] : nodes[node].children) {
      if (k == key) child = index;
    }
    if (child == 0) {
      child = nodes.size();
      nodes[node].children.emplace_back(std::string(key), child);
      nodes.emplace_back();
    }
    node = child;
    if (dot == std::string_view::npos) {
      if (nodes[node].column >= 0 || !nodes[node].children.empty()) break;
      nodes[node].column = column;
      return Status::Ok();
    }
    path.remove_prefix(dot + 1);
  }
  return Status::InvalidArgument(fmt::format(
      "header column \"{}\" conflicts with another column: one key cannot be both a value and an "
      "object (e.g. properties.a and properties.a.b); rename one of them",
      name));
}

Status CsvParser::State::ReadHeader(const std::vector<std::string>& names) {
  nodes.assign(1, Node{});  // index 0 is a sentinel, so 0 can mean "no node"
  for (size_t column = 0; column < names.size(); ++column) {
    std::string_view name = names[column];
    if (column == 0 && name.substr(0, 3) == "\xEF\xBB\xBF") name.remove_prefix(3);  // BOM
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    std::optional<Target> target;
    for (const TopLevelColumn& top : kTopLevel) {
      if (top.name == name) target = top.target;
    }
    if (target) {
      for (size_t earlier = 0; earlier < targets.size(); ++earlier) {
        if (targets[earlier] == *target) {
          return Status::InvalidArgument(
              fmt::format("header column \"{}\" appears twice (columns {} and {}): keep one", name,
                          earlier + 1, column + 1));
        }
      }
      targets.push_back(*target);
      continue;
    }
    const size_t dot = name.find('.');
    size_t root = kObjects.size();
    for (size_t i = 0; i < kObjects.size(); ++i) {
      if (dot != std::string_view::npos && name.substr(0, dot) == kObjects[i]) root = i;
    }
    if (root == kObjects.size()) {
      return Status::InvalidArgument(
          fmt::format("unknown header column \"{}\" (column {}): valid columns are {}",
                      name.substr(0, 128), column + 1, kValidColumns));
    }
    if (roots[root] == 0) {
      roots[root] = nodes.size();
      nodes.emplace_back();
    }
    SP_RETURN_IF_ERROR(AddNested(root, name.substr(dot + 1), name, static_cast<int>(column)));
    targets.push_back(Target::kNested);
  }
  return Status::Ok();
}

bool CsvParser::State::AppendObject(size_t index, const std::vector<std::string>& cells,
                                    std::string& out) const {
  const size_t start = out.size();
  out += '{';
  bool any = false;
  for (const auto& [key, child] : nodes[index].children) {
    const size_t mark = out.size();
    if (any) out += ',';
    AppendJsonString(key, out);
    out += ':';
    const Node& node = nodes[child];
    bool wrote = false;
    if (node.column >= 0) {
      const std::string& cell = cells[static_cast<size_t>(node.column)];
      if (!cell.empty()) {
        AppendCell(cell, out);
        wrote = true;
      }
    } else {
      wrote = AppendObject(child, cells, out);
    }
    if (wrote) {
      any = true;
    } else {
      out.resize(mark);
    }
  }
  if (!any) {
    out.resize(start);
    return false;
  }
  out += '}';
  return true;
}

std::optional<ItemError> CsvParser::State::ReadRow(const CsvRecord& record, Event& event) const {
  ItemTimes times;
  for (size_t column = 0; column < targets.size(); ++column) {
    const std::string& cell = record.fields[column];
    if (cell.empty()) continue;
    std::optional<TimeMs>* time = nullptr;
    switch (targets[column]) {
      case Target::kType: {
        std::optional<EventType> type = EventTypeFromName(cell);
        if (!type) {
          return ItemError{"type",
                           fmt::format("type \"{}\" is unknown: use one of {}",
                                       std::string_view(cell).substr(0, 64), ValidTypeNames())};
        }
        event.type = *type;
        break;
      }
      case Target::kMessageId:
        event.message_id = cell;
        break;
      case Target::kUserId:
        event.user_id = cell;
        break;
      case Target::kAnonymousId:
        event.anonymous_id = cell;
        break;
      case Target::kEvent:
        event.event = cell;
        break;
      case Target::kName:
        break;  // applied below, once the type is known
      case Target::kPreviousId:
        event.previous_id = cell;
        break;
      case Target::kGroupId:
        event.group_id = cell;
        break;
      case Target::kTimestamp:
        time = &times.timestamp;
        break;
      case Target::kSentAt:
        time = &times.sent_at;
        break;
      case Target::kOriginalTimestamp:
        time = &times.original_timestamp;
        break;
      case Target::kReceivedAt:
        time = &times.received_at;
        break;
      case Target::kNested:
        break;
    }
    if (time != nullptr) {
      Result<TimeMs> t = ParseIso8601(cell);
      if (!t.ok()) {
        std::string field(kTopLevel[static_cast<size_t>(targets[column])].name);
        return ItemError{field, field + ": " + t.status().message()};
      }
      *time = *t;
    }
  }
  // `name` is the page/screen name; `event` the track name. Only the one of the type is used.
  if (event.type == EventType::kPage || event.type == EventType::kScreen) {
    event.event.clear();
    for (size_t column = 0; column < targets.size(); ++column) {
      if (targets[column] == Target::kName) event.event = record.fields[column];
    }
  } else if (event.type != EventType::kTrack) {
    event.event.clear();
  }
  if (event.type != EventType::kAlias) event.previous_id.clear();
  if (event.type != EventType::kGroup) event.group_id.clear();
  std::array<std::string*, 4> objects = {&event.properties, &event.traits, &event.context,
                                         &event.integrations};
  for (size_t i = 0; i < kObjects.size(); ++i) {
    if (roots[i] == 0) continue;
    std::string json;
    if (AppendObject(roots[i], record.fields, json)) *objects[i] = std::move(json);
  }
  return CompleteEvent(times, received_at, limits, record.raw, event);
}

void CsvParser::State::OnRecord(CsvRecord& record) {
  if (!status.ok()) return;
  if (!have_header) {
    have_header = true;
    auto reject = [&](Status s) {
      status = std::move(s);
      out->rejections.push_back(MakeRejection("header", {"", status.message()}, record.raw));
    };
    if (!record.error.empty())
      return reject(Status::InvalidArgument("the header row: " + record.error));
    if (record.raw_size > limits.max_event_bytes) {
      return reject(Status::InvalidArgument("the header row is longer than max_event_bytes"));
    }
    if (!simdjson::validate_utf8(record.raw.data(), record.raw.size())) {
      return reject(
          Status::InvalidArgument("the header row is not valid UTF-8: save the file as UTF-8"));
    }
    Status header = ReadHeader(record.fields);
    if (!header.ok()) reject(std::move(header));
    return;
  }
  ++row;
  if (record.blank()) return;
  auto reject = [&](ItemError error) {
    out->rejections.push_back(
        MakeRejection(fmt::format("row {}", row), std::move(error), record.raw));
  };
  if (record.raw_size > limits.max_event_bytes) {
    return reject(
        {"", fmt::format("the row is {} bytes, over the limit {}: make it smaller", record.raw_size,
                         DescribeByteLimit("max_event_bytes", limits.max_event_bytes))});
  }
  if (!record.error.empty()) return reject({"", record.error});
  if (!simdjson::validate_utf8(record.raw.data(), record.raw.size())) {
    return reject({"", "the row is not valid UTF-8: save the file as UTF-8"});
  }
  if (record.fields.size() != targets.size()) {
    return reject({"", fmt::format("the row has {} columns but the header has {}: quote cells "
                                   "that contain commas or line breaks",
                                   record.fields.size(), targets.size())});
  }
  Event event;
  if (auto error = ReadRow(record, event)) return reject(std::move(*error));
  out->events.push_back(std::move(event));
}

CsvParser::CsvParser(TimeMs received_at, Limits limits)
    : state_(std::make_unique<State>(received_at, limits)) {}
CsvParser::~CsvParser() = default;
CsvParser::CsvParser(CsvParser&&) noexcept = default;
CsvParser& CsvParser::operator=(CsvParser&&) noexcept = default;

void CsvParser::Feed(std::string_view bytes, ParsedEvents& out) {
  state_->out = &out;
  state_->reader.Feed(bytes, [this](CsvRecord& r) { state_->OnRecord(r); });
  state_->out = nullptr;
}

void CsvParser::Finish(ParsedEvents& out) {
  state_->out = &out;
  state_->reader.Finish([this](CsvRecord& r) { state_->OnRecord(r); });
  state_->out = nullptr;
}

const Status& CsvParser::status() const { return state_->status; }
uint64_t CsvParser::rows() const { return state_->row; }

}  // namespace signpost::ingest
