// The file channel: one NDJSON line per message, fsynced (see channels.h).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/time.h"
#include "delivery/channels.h"

namespace signpost::delivery {

std::string FilePath(const ChannelDef& c, std::string_view data_dir) {
  std::filesystem::path path(c.path);
  if (path.is_relative()) path = std::filesystem::path(data_dir) / path;
  return path.string();
}

std::string FileLine(const Message& m, const Rendered& r, TimeMs now) {
  nlohmann::json line = {{"at", FormatIso8601(now)}};
  line.update(RenderedJson(m, r));
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

SendOutcome AppendLines(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return {SendStatus::kTransient, fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string what = fmt::format("{}: write failed: {}", path, std::strerror(errno));
      ::close(fd);
      return {SendStatus::kTransient, what};
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return {SendStatus::kTransient, fmt::format("{}: fsync failed", path)};
  return {SendStatus::kAccepted, ""};
}

SendOutcome AppendToFile(const ChannelDef& c, std::string_view data_dir, const Message& m,
                         const Rendered& r, TimeMs now) {
  return AppendLines(FilePath(c, data_dir), FileLine(m, r, now));
}

}  // namespace signpost::delivery
