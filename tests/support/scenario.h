// The machinery every scenario runner shares (tests only; tests/scenarios/README.md gives the
// formats): the files of one format, a parameterised test's name for a file, YAML values as JSON,
// the one time syntax, and the comparison of an expected subset with a report. All functions are
// pure apart from reading the folder: thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::scenario {

// The time `HH:MM` and `+<duration>` count from when a file names no base.
inline constexpr std::string_view kDefaultBase = "2024-01-01T00:00:00Z";

// tests/scenarios/<format>: under $SIGNPOST_SOURCE_DIR (set by CTest), else under the repository
// this file was compiled from.
std::filesystem::path Folder(std::string_view format);

// The names of the `*.yaml` files of tests/scenarios/<format>, sorted (empty when there is none).
std::vector<std::string> Files(std::string_view format);

// Loads tests/scenarios/<format>/<file>; a file that is not YAML fails the test that reads it
// (and gives a null node).
YAML::Node Load(std::string_view format, std::string_view file);

// A file's name as a test name: "05_window_bound.yaml" -> "05_window_bound" (any character that
// is not a letter or a digit becomes '_').
struct FileTestName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const;
};

// One runner per format: runs the TEST_P cases of `fixture` (a TestWithParam<std::string>, the
// file name) once per file of tests/scenarios/<format>, named Files/<fixture>.<case>/<file>, and
// adds the test <fixture>Folder.HoldsAtLeast, which fails when the folder has fewer than `at_least`
// files (so a moved folder cannot pass by running nothing).
#define SIGNPOST_SCENARIO_FILES(fixture, format, at_least)                               \
  INSTANTIATE_TEST_SUITE_P(Files, fixture,                                               \
                           ::testing::ValuesIn(::signpost::scenario::Files(format)),     \
                           ::signpost::scenario::FileTestName());                        \
  TEST(fixture##Folder, HoldsAtLeast) {                                                  \
    EXPECT_GE(::signpost::scenario::Files(format).size(), static_cast<size_t>(at_least)) \
        << "scenarios missing in " << ::signpost::scenario::Folder(format);              \
  }

// A YAML value as JSON: maps, lists and null as such; a quoted scalar is a string; a plain one is
// a number, true or false when it reads as that JSON literal, else a string.
nlohmann::json ToJson(const YAML::Node& node);

// The one time syntax of every scenario file:
//   an ISO 8601 time ("2024-01-05T10:00:00Z", "2024-01-05 10:00", with an offset or milliseconds),
//   "HH:MM" or "HH:MM:SS" on the day of `base`, or "+<duration>" after `base` ("+1d2h", "+0s").
// InvalidArgument (saying which forms are accepted) for anything else.
Result<TimeMs> ParseTime(std::string_view text, TimeMs base);

// ParseTime for a runner: a bad time fails the running test (naming the text and the forms) and
// gives `base`.
TimeMs TimeOrFail(std::string_view text, TimeMs base);

// The time of `doc[key]` (ParseTime, from kDefaultBase), kDefaultBase when the key is absent.
Result<TimeMs> BaseOf(const YAML::Node& doc, const char* key = "base");

// "file:line" of `node` (1-based; "file" alone for a node without a position), for messages.
std::string Where(std::string_view file, const YAML::Node& node);

// How ExpectSubset compares lists: element by element as subsets (same length), or exactly.
enum class Lists { kSubsets, kExact };

// Every key of `want` must be in `got` with a matching value: objects recursively (extra keys of
// `got` allowed), numbers within 1e-9, lists by `lists`, anything else equal. Failures name the
// path from `where`.
void ExpectSubset(const nlohmann::json& want, const nlohmann::json& got, const std::string& where,
                  Lists lists = Lists::kSubsets);

}  // namespace signpost::scenario
