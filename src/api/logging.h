// The two logs of `signpost serve` and their formats: the application log (spdlog: what the
// server does, its warnings and errors; on stderr) and the access log (access_log.h). Both are
// written as text or, with `--log-format json`, as one JSON object per line with at least
// {"time", "level", "logger", ...}: "message" for the application log, the request's fields for the
// access log. Both go through a LogWriter (its own thread, a bounded buffer), so a slow disk never
// holds a thread answering requests.
//
// Thread-safety: the parse functions are pure. ApplicationLog installs spdlog's default logger:
// create it once, on the main thread, before the threads that log start; destroy it after they
// stopped.
#pragma once

#include <spdlog/common.h>

#include <memory>
#include <string>
#include <string_view>

#include "signpost/clock.h"
#include "signpost/status.h"

namespace signpost::api {

class LogWriter;

enum class LogFormat { kText, kJson };

// "text" | "json"; kInvalidArgument naming the accepted values otherwise.
Result<LogFormat> ParseLogFormat(std::string_view name);
// "trace" | "debug" | "info" | "warn" | "error" | "off"; kInvalidArgument otherwise.
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name);
// The level's name as the JSON lines write it ("warn", not spdlog's "warning").
std::string_view LogLevelName(spdlog::level::level_enum level);

// One application log line as JSON, '\n' included:
// {"time":"2026-12-07T06:00:00.123Z","level":"warn","logger":"signpost","message":"..."}.
std::string JsonLogLine(TimeMs time, spdlog::level::level_enum level, std::string_view logger,
                        std::string_view message);

// The application log of `serve`: spdlog's default logger at `level`, written to stderr through a
// LogWriter, as text (spdlog's pattern; in colour when stderr is a terminal and the format is
// text) or as JSON lines. The destructor writes what is buffered and puts back a plain stderr
// logger at warn, as every other command has.
class ApplicationLog {
 public:
  ApplicationLog(spdlog::level::level_enum level, LogFormat format);
  ~ApplicationLog();
  ApplicationLog(const ApplicationLog&) = delete;
  ApplicationLog& operator=(const ApplicationLog&) = delete;

 private:
  std::shared_ptr<LogWriter> writer_;  // null when writing in colour to a terminal
};

}  // namespace signpost::api
