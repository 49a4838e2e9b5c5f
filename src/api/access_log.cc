#include "api/access_log.h"

#include <fmt/format.h>

#include "api/log_writer.h"
#include "base/json_text.h"
#include "base/time.h"

namespace signpost::api {

namespace {

constexpr size_t kMaxPath = 1024;

// A capture whose name says it carries a credential (key revocation's {token}, the tracking
// pixel's and links' {token}, a signed link's {signature}).
bool IsSecretCapture(std::string_view name) {
  for (std::string_view word : {"token", "key", "secret", "sig", "password"})
    if (name.find(word) != std::string_view::npos) return true;
  return false;
}

// Splits "/a/b/c" into {"a","b","c"} ("/" into {}), views into `path`.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  size_t at = 1;
  for (;;) {
    const size_t end = path.find('/', at);
    out.push_back(
        path.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return out;
}

// nginx's escaping of a text log field: '"', '\' and bytes outside printable ASCII as \xHH.
void AppendEscaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
      out += fmt::format("\\x{:02X}", c);
    else
      out += static_cast<char>(c);
  }
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::Open(std::string_view destination, LogFormat format) {
  SP_ASSIGN_OR_RETURN(std::unique_ptr<LogWriter> writer, LogWriter::Open(destination));
  return std::make_unique<AccessLog>(std::shared_ptr<LogWriter>(std::move(writer)), format);
}

AccessLog::AccessLog(std::shared_ptr<LogWriter> writer, LogFormat format)
    : writer_(std::move(writer)), format_(format) {}

AccessLog::~AccessLog() = default;

void AccessLog::Record(const AccessRecord& r) { writer_->Write(Line(r, format_)); }

uint64_t AccessLog::dropped() const { return writer_->dropped(); }

std::string AccessLog::LoggedPath(const Request& request, const Route* route) {
  std::string_view path = request.path;
  if (path.empty()) return "-";
  std::string out;
  const std::vector<std::string_view> raw = Segments(path);
  if (route != nullptr && raw.size() == route->segments.size()) {
    const std::vector<std::string_view> pattern = Segments(route->pattern);
    for (size_t i = 0; i < raw.size(); ++i) {
      out += '/';
      const std::string_view p = i < pattern.size() ? pattern[i] : std::string_view();
      const size_t open = p.find('{'), close = p.find('}');
      const bool secret = route->segments[i].capture && open != std::string_view::npos &&
                          close != std::string_view::npos &&
                          IsSecretCapture(p.substr(open + 1, close - open - 1));
      out += secret ? p : raw[i];
    }
  } else {
    out = std::string(path);
  }
  if (out.size() > kMaxPath) out.resize(kMaxPath);
  return out;
}

std::string AccessLog::Line(const AccessRecord& r, LogFormat format) {
  const Request& req = *r.request;
  const RequestTrace& trace = *r.trace;
  const std::string path = LoggedPath(req, r.route);
  const std::string_view method = req.method.empty() ? "-" : std::string_view(req.method);
  const std::string_view method_logged = method.substr(0, 16);
  std::string out;
  if (format == LogFormat::kJson) {
    JsonObjectText line;
    line.Add("time", FormatIso8601(r.time));
    line.Add("level", "info");
    line.Add("logger", "access");
    line.Add("remote", trace.remote);
    line.Add("method", method_logged);
    line.Add("path", path);
    line.Add("route", r.route != nullptr ? std::string_view(r.route->pattern) : "other");
    line.Add("status", uint64_t(r.status));
    line.Add("bytes_in", trace.bytes_in);
    line.Add("bytes_out", r.bytes_out);
    line.AddRaw("duration_ms", fmt::format("{:.3f}", r.seconds * 1000));
    line.Add("user_agent", trace.user_agent);
    out = line.Finish();
  } else {
    out = FormatIso8601(r.time);
    out += ' ';
    out += trace.remote.empty() ? "-" : trace.remote;
    out += " \"";
    AppendEscaped(out, method_logged);
    out += ' ';
    AppendEscaped(out, path);
    out += fmt::format("\" {} {} {} {:.6f} \"", r.status, trace.bytes_in, r.bytes_out, r.seconds);
    AppendEscaped(out, trace.user_agent.empty() ? "-" : std::string_view(trace.user_agent));
    out += '"';
  }
  out += '\n';
  return out;
}

}  // namespace signpost::api
