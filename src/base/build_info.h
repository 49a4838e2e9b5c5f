// What this binary is: the project version (CMake's project VERSION), the git commit it was built
// from, the build type and the compiler. `signpost --version`, `signpost version` and the
// `signpost_build_info` gauge of /metrics print it.
//
// Declared here, defined by a file generated at every build (cmake/BuildInfo.cmake writes it from
// src/base/build_info.cc.in and rewrites it only when a value changes) and compiled alone into the
// small target `signpost_build_info`, which only the api and cli link: a new commit recompiles
// that one file and relinks the binary, nothing else.
//
// Thread-safety: constants, readable from any thread.
#pragma once

#include <string>
#include <string_view>

namespace signpost {

struct BuildInfo {
  std::string_view version;     // "0.1.0": CMake's project(VERSION)
  std::string_view commit;      // the git commit (12 hex digits, "-dirty" with local changes);
                                // "unknown" outside a git checkout
  std::string_view build_type;  // CMAKE_BUILD_TYPE: "RelWithDebInfo", "Debug", ...
  std::string_view compiler;    // "GNU 12.2.0", "Clang 14.0.6"
};

// This binary's build info. Never fails.
const BuildInfo& GetBuildInfo();

// One line for `--version`: "signpost 0.1.0 (commit 0123456789ab, RelWithDebInfo, GNU 12.2.0)".
std::string BuildInfoLine();

}  // namespace signpost
