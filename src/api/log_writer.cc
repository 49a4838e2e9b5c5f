#include "api/log_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace signpost::api {

Result<std::unique_ptr<LogWriter>> LogWriter::Open(std::string_view path, size_t max_buffered) {
  if (path == "-") return ToDescriptor(STDOUT_FILENO, max_buffered);
  const std::string p(path);
  const int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return Status::IoError("cannot open log file '" + p +
                           "' for appending: " + std::strerror(errno));
  return std::unique_ptr<LogWriter>(new LogWriter(fd, true, max_buffered));
}

std::unique_ptr<LogWriter> LogWriter::ToDescriptor(int fd, size_t max_buffered) {
  return std::unique_ptr<LogWriter>(new LogWriter(fd, false, max_buffered));
}

LogWriter::LogWriter(int fd, bool owned, size_t max_buffered)
    : fd_(fd), owned_(owned), max_buffered_(max_buffered) {
  thread_ = std::thread([this] { Loop(); });
}

LogWriter::~LogWriter() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  stopping_.store(true);
  work_cv_.NotifyOne();
  thread_.join();
  if (owned_) ::close(fd_);
}

void LogWriter::Write(std::string_view line) {
  bool was_empty = false;
  {
    MutexLock lock(mu_);
    if (buffer_.size() + line.size() > max_buffered_) {
      ++dropped_;
      return;
    }
    was_empty = buffer_.empty();
    buffer_.append(line);
    ++lines_in_;
  }
  // The thread sleeps only when the buffer is empty: one wake-up per batch, not per line.
  if (was_empty) work_cv_.NotifyOne();
}

void LogWriter::Flush() {
  MutexLock lock(mu_);
  const uint64_t target = lines_in_;
  while (lines_out_ < target) done_cv_.Wait(lock);
}

uint64_t LogWriter::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

bool LogWriter::WriteAll(const std::string& bytes) {
  constexpr int kPollMs = 100;
  int waited_stopping_ms = 0;
  size_t at = 0;
  while (at < bytes.size()) {
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) {
      if (abandoned_) return false;
      if (stopping_.load() && (waited_stopping_ms += kPollMs) >= kStopGraceMs) {
        abandoned_ = true;  // the rest is dropped at once
        return false;
      }
      continue;
    }
    if (p.revents & (POLLERR | POLLNVAL)) return false;
    const size_t piece = std::min<size_t>(bytes.size() - at, PIPE_BUF);
    const ssize_t n = ::write(fd_, bytes.data() + at, piece);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

void LogWriter::Loop() {
  std::string batch;
  for (;;) {
    uint64_t lines = 0;
    {
      MutexLock lock(mu_);
      while (buffer_.empty() && !stop_) work_cv_.Wait(lock);
      if (buffer_.empty()) return;  // stopped, everything written
      batch.swap(buffer_);
      lines = lines_in_ - lines_out_;
    }
    const bool ok = WriteAll(batch);
    batch.clear();
    {
      MutexLock lock(mu_);
      if (!ok) dropped_ += lines;
      lines_out_ += lines;
    }
    done_cv_.NotifyAll();
  }
}

}  // namespace signpost::api
