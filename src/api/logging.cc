#include "api/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include "api/log_writer.h"
#include "base/json_text.h"
#include "base/time.h"

namespace signpost::api {

namespace {

constexpr std::string_view kLevelNames[] = {"trace", "debug",    "info", "warn",
                                            "error", "critical", "off"};

// spdlog's records, formatted on the logging thread and handed to a LogWriter.
class WriterSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  WriterSink(std::shared_ptr<LogWriter> writer, LogFormat format)
      : writer_(std::move(writer)), format_(format) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (format_ == LogFormat::kJson) {
      const TimeMs ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch())
              .count();
      writer_->Write(JsonLogLine(ms, msg.level,
                                 std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                                 std::string_view(msg.payload.data(), msg.payload.size())));
      return;
    }
    spdlog::memory_buf_t text;
    formatter_->format(msg, text);
    writer_->Write(std::string_view(text.data(), text.size()));
  }
  void flush_() override { writer_->Flush(); }

 private:
  std::shared_ptr<LogWriter> writer_;
  LogFormat format_;
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return Status::InvalidArgument("log format '" + std::string(name.substr(0, 40)) +
                                 "': use text or json");
}

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (const auto& [n, level] : kLevels)
    if (n == name) return level;
  return Status::InvalidArgument("log level '" + std::string(name.substr(0, 40)) +
                                 "': use trace, debug, info, warn, error or off");
}

std::string_view LogLevelName(spdlog::level::level_enum level) {
  const size_t i = static_cast<size_t>(level);
  return i < std::size(kLevelNames) ? kLevelNames[i] : "info";
}

std::string JsonLogLine(TimeMs time, spdlog::level::level_enum level, std::string_view logger,
                        std::string_view message) {
  JsonObjectText line;
  line.Add("time", FormatIso8601(time));
  line.Add("level", LogLevelName(level));
  line.Add("logger", logger);
  line.Add("message", message);
  std::string out = line.Finish();
  out += '\n';
  return out;
}

ApplicationLog::ApplicationLog(spdlog::level::level_enum level, LogFormat format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == LogFormat::kText && ::isatty(STDERR_FILENO)) {
    logger = std::make_shared<spdlog::logger>(
        "signpost", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  } else {
    writer_ = LogWriter::ToDescriptor(STDERR_FILENO);
    logger =
        std::make_shared<spdlog::logger>("signpost", std::make_shared<WriterSink>(writer_, format));
  }
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

ApplicationLog::~ApplicationLog() {
  spdlog::default_logger()->flush();
  auto plain = std::make_shared<spdlog::logger>(
      "signpost", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  plain->set_level(spdlog::level::warn);
  spdlog::set_default_logger(plain);  // the writer's sink goes with the logger it replaces
}

}  // namespace signpost::api
