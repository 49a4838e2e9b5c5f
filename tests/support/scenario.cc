#include "tests/support/scenario.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/duration.h"
#include "base/time.h"

namespace signpost::scenario {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path Folder(std::string_view format) {
  const char* root = std::getenv("SIGNPOST_SOURCE_DIR");
  // Without CTest: the repository this library was built from.
  const fs::path base = root != nullptr ? fs::path(root) : fs::path(SIGNPOST_SOURCE_ROOT);
  return base / "tests" / "scenarios" / std::string(format);
}

std::vector<std::string> Files(std::string_view format) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(Folder(format), ec)) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

YAML::Node Load(std::string_view format, std::string_view file) {
  const fs::path path = Folder(format) / std::string(file);
  try {
    return YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << path.string() << ": " << e.what();
    return YAML::Node();
  }
}

std::string FileTestName::operator()(const ::testing::TestParamInfo<std::string>& info) const {
  std::string name = info.param;
  if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") name.resize(name.size() - 5);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : node) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& v : node) a.push_back(ToJson(v));
      return a;
    }
    case YAML::NodeType::Scalar: {
      if (node.Tag() != "!") {  // "!" is the tag of a quoted scalar
        json v = json::parse(node.Scalar(), nullptr, /*allow_exceptions=*/false);
        if (!v.is_discarded() && (v.is_number() || v.is_boolean() || v.is_null())) return v;
      }
      return node.Scalar();
    }
    default:
      return nullptr;
  }
}

namespace {

// "HH:MM" or "HH:MM:SS" as milliseconds after midnight; nullopt when `text` is not that form.
std::optional<TimeMs> TimeOfDay(std::string_view text) {
  if (text.size() != 5 && text.size() != 8) return std::nullopt;
  int parts[3] = {0, 0, 0};
  for (size_t i = 0, part = 0; i < text.size(); i += 3, ++part) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) ||
        !std::isdigit(static_cast<unsigned char>(text[i + 1])) ||
        (i + 2 < text.size() && text[i + 2] != ':')) {
      return std::nullopt;
    }
    parts[part] = (text[i] - '0') * 10 + (text[i + 1] - '0');
  }
  if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59) return std::nullopt;
  return parts[0] * kHourMs + parts[1] * kMinuteMs + parts[2] * kSecondMs;
}

}  // namespace

Result<TimeMs> ParseTime(std::string_view text, TimeMs base) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a time (" +
                                   std::string(why) +
                                   "): write ISO 8601 (2024-01-05T10:00:00Z or 2024-01-05 10:00), "
                                   "HH:MM[:SS] on the base day, or +<duration> after the base");
  };
  if (!text.empty() && text[0] == '+') {
    auto d = ParseDuration(text.substr(1));
    if (!d.ok()) return bad(d.status().message());
    return base + *d;
  }
  if (auto t = TimeOfDay(text)) return base - base % kDayMs + *t;
  auto iso = ParseIso8601(text);
  if (!iso.ok()) return bad(iso.status().message());
  return *iso;
}

TimeMs TimeOrFail(std::string_view text, TimeMs base) {
  auto t = ParseTime(text, base);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : base;
}

Result<TimeMs> BaseOf(const YAML::Node& doc, const char* key) {
  const TimeMs fallback = *ParseIso8601(kDefaultBase);
  if (!doc[key]) return fallback;
  return ParseTime(doc[key].Scalar(), fallback);
}

std::string Where(std::string_view file, const YAML::Node& node) {
  std::string out(file);
  if (node.Mark().line >= 0) out += ":" + std::to_string(node.Mark().line + 1);
  return out;
}

void ExpectSubset(const json& want, const json& got, const std::string& where, Lists lists) {
  if (want.is_object()) {
    ASSERT_TRUE(got.is_object()) << where << ": expected an object, got " << got.dump();
    for (const auto& [key, value] : want.items()) {
      ASSERT_TRUE(got.contains(key)) << where << "." << key << " is missing in " << got.dump();
      ExpectSubset(value, got[key], where + "." + key, lists);
    }
  } else if (want.is_array() && lists == Lists::kSubsets) {
    ASSERT_TRUE(got.is_array()) << where << ": expected a list, got " << got.dump();
    ASSERT_EQ(want.size(), got.size())
        << where << ": want " << want.dump() << ", got " << got.dump();
    for (size_t i = 0; i < want.size(); ++i) {
      ExpectSubset(want[i], got[i], where + "[" + std::to_string(i) + "]", lists);
    }
  } else if (want.is_number() && got.is_number()) {
    EXPECT_NEAR(want.get<double>(), got.get<double>(), 1e-9) << where;
  } else {
    EXPECT_EQ(want, got) << where;
  }
}

}  // namespace signpost::scenario
