// Status and Result<T>: how signpost reports expected failures.
//
// A Status is cheap to copy when ok (no allocation). Functions that can fail return a
// Status or a Result<T>; exceptions are used only at the edges (HTTP replies, CLI exit).
// Both types are [[nodiscard]]: a call whose Status or Result is dropped does not compile
// (-Werror). Where ignoring a failure is truly right, say so with `.IgnoreError()` and a comment.
// Thread-safety: plain values; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace signpost {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong; the message says which field and the fix
  kNotFound,            // the thing named does not exist
  kAlreadyExists,       // a duplicate where one was not allowed
  kFailedPrecondition,  // the state does not allow this now (e.g. refused identity merge)
  kUnauthenticated,     // missing or invalid write key / admin token
  kResourceExhausted,   // a size or count limit was passed
  kCorruption,          // stored data cannot be read
  kIoError,             // the disk or the network failed
  kInternal,            // a bug: should not happen
};

// Returns a stable lowercase name for `code`, e.g. "invalid_argument".
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;
  // Drops this status on purpose; the call site's comment says why the failure does not matter.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T on success, a non-ok Status on failure.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The failure; Status::Ok() when ok().
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // Drops this result on purpose; the call site's comment says why a failure does not matter.
  void IgnoreError() const {}

 private:
  std::variant<T, Status> v_;
};

}  // namespace signpost

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define SP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::signpost::Status sp_status_ = (expr);  \
    if (!sp_status_.ok()) return sp_status_; \
  } while (0)

#define SP_CONCAT_INNER(a, b) a##b
#define SP_CONCAT(a, b) SP_CONCAT_INNER(a, b)
// `SP_ASSIGN_OR_RETURN(auto x, F());` binds x to F()'s value or returns its Status.
#define SP_ASSIGN_OR_RETURN(lhs, expr) \
  SP_ASSIGN_OR_RETURN_IMPL(SP_CONCAT(sp_result_, __LINE__), lhs, expr)
#define SP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
