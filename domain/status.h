// Status and Result<T>: expected failures as values, in the spirit of absl::Status.
//
// Every layer returns these instead of throwing for anything a caller can cause (bad input, missing
// records, conflicts, a full disk). http/ maps StatusCode to an HTTP status in exactly one place
// (http/problem.cpp). Thread-compatible value types.
#pragma once

#include <any>
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace herdpass {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed; `field` names what
  kNotFound,            // the thing asked for does not exist (or is outside the caller's view)
  kAlreadyExists,       // a unique key is taken; `detail` may carry the existing id
  kFailedPrecondition,  // the request is well formed but the state forbids it
  kUnprocessable,       // well formed, but business rules refuse it (movement rules unmet)
  kPermissionDenied,    // authenticated, but the role or jurisdiction does not allow it
  kUnauthenticated,     // no valid credentials
  kResourceExhausted,   // throttled or over a limit
  kUnavailable,         // storage or another dependency failed; retrying may help
  kInternal,            // a bug
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {}, std::string detail = {})
      : code_(code),
        message_(std::move(message)),
        field_(std::move(field)),
        detail_(std::move(detail)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Human-readable, safe to show to a user: never SQL text or a stack trace.
  const std::string& message() const { return message_; }
  // For kInvalidArgument: the input field that failed, as the client named it
  // ("records[3].disease").
  const std::string& field() const { return field_; }
  // Optional text for the layer above the one that failed, e.g. the store's key of the existing row
  // for kAlreadyExists. Never parsed for structure and never sent to a client: what a client is
  // told beyond the message travels as a typed payload.
  const std::string& detail() const { return detail_; }

  // A typed detail, in the spirit of absl::Status payloads but typed and one per Status: the layer
  // that fails attaches a value (service/'s ExistingRecord, RetryAfter, ...), the layer that
  // answers reads it back by its type. The Status keeps a copy.
  //   return AlreadyExists("the phone is registered").WithPayload(ExistingRecord{id});
  template <typename T>
  Status WithPayload(T value) && {
    payload_ = std::move(value);
    return std::move(*this);
  }
  // The payload if it is a T, else nullptr. Valid as long as this Status is.
  template <typename T>
  const T* payload() const {
    return std::any_cast<T>(&payload_);
  }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string detail_;
  std::any payload_;
};

inline Status InvalidArgument(std::string field, std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message), std::move(field)};
}
inline Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status AlreadyExists(std::string message, std::string detail = {}) {
  return {StatusCode::kAlreadyExists, std::move(message), {}, std::move(detail)};
}
inline Status FailedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status Unprocessable(std::string message) {
  return {StatusCode::kUnprocessable, std::move(message)};
}
inline Status PermissionDenied(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}
inline Status Unauthenticated(std::string message) {
  return {StatusCode::kUnauthenticated, std::move(message)};
}
inline Status ResourceExhausted(std::string message) {
  return {StatusCode::kResourceExhausted, std::move(message)};
}
inline Status Unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}
inline Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

// Result<T> holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace herdpass

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define HP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::herdpass::Status hp_status_ = (expr);  \
    if (!hp_status_.ok()) return hp_status_; \
  } while (false)

// Declares or assigns `lhs` from `expr` (a Result<T>), or returns its Status from the enclosing
// function when it is not ok:  HP_ASSIGN_OR_RETURN(auto owner, store.FindOwner(id));
// `lhs` may not contain an unparenthesised comma. Expands to more than one statement: do not use it
// as the body of an unbraced if/else.
#define HP_STATUS_CONCAT_INNER_(a, b) a##b
#define HP_STATUS_CONCAT_(a, b) HP_STATUS_CONCAT_INNER_(a, b)
#define HP_ASSIGN_OR_RETURN(lhs, expr) \
  HP_ASSIGN_OR_RETURN_IMPL_(HP_STATUS_CONCAT_(hp_result_, __LINE__), lhs, expr)
#define HP_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr)   \
  auto result = (expr);                                \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()
