// Response helpers and the one mapping from StatusCode to HTTP status (see response.h).
#include <spdlog/spdlog.h>

#include "http/response.h"

namespace herdpass::http {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

const char* ProblemTitle(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      break;
    case StatusCode::kInvalidArgument:
      return "Invalid argument";
    case StatusCode::kNotFound:
      return "Not found";
    case StatusCode::kAlreadyExists:
      return "Already exists";
    case StatusCode::kFailedPrecondition:
      return "Conflict with the current state";
    case StatusCode::kUnprocessable:
      return "Refused by the rules";
    case StatusCode::kPermissionDenied:
      return "Permission denied";
    case StatusCode::kUnauthenticated:
      return "Authentication required";
    case StatusCode::kResourceExhausted:
      return "Too many requests";
    case StatusCode::kUnavailable:
      return "Service unavailable";
    case StatusCode::kInternal:
      break;
  }
  return "Internal error";
}

Response ThenSend(Response r, std::function<Response(Response)> then) {
  if (!r.deferred) return then(std::move(r));
  Response out;
  out.deferred = [inner = std::move(r.deferred), then = std::move(then)](Response::Send send) {
    inner([then, send = std::move(send)](Response final) { send(then(std::move(final))); });
  };
  return out;
}

Response Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = Dump(body);
  return r;
}

Response Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Problem(int status, std::string_view type_name, std::string_view title,
                 std::string_view detail, const nlohmann::json& extra) {
  nlohmann::json j = nlohmann::json::object();
  j["type"] = std::string(kProblemTypeBase) + std::string(type_name);
  j["title"] = title;
  j["status"] = status;
  if (!detail.empty()) j["detail"] = detail;
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) {
      if (key == "type" || key == "title" || key == "status" || key == "detail") continue;
      j[key] = value;
    }
  }
  Response r;
  r.status = status;
  r.content_type = kProblemContentType;
  r.body = Dump(j);
  return r;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 500;  // a caller bug: an ok Status is not a problem
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnprocessable:
      return 422;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ProblemTypeName(StatusCode code) {
  if (code == StatusCode::kOk) return "internal";
  std::string name = StatusCodeName(code);
  for (char& c : name) {
    if (c == '_') c = '-';
  }
  return name;
}

Response ProblemFromStatus(const Status& status, const nlohmann::json& extra) {
  const StatusCode code = status.ok() ? StatusCode::kInternal : status.code();
  std::string_view detail = status.message();
  if (code == StatusCode::kInternal) {
    // Internal messages describe our bug, not the client's request: log them, send a generic text.
    spdlog::error("internal error answered 500: {}",
                  status.ok() ? "ProblemFromStatus called with an ok Status" : status.ToString());
    detail = "An internal error occurred.";
  }
  nlohmann::json members = nlohmann::json::object();
  if (code != StatusCode::kInternal) {
    if (extra.is_object()) members = extra;
    if (!status.field().empty()) members["field"] = status.field();
  }
  Response r =
      Problem(HttpStatusFor(code), ProblemTypeName(code), ProblemTitle(code), detail, members);
  if (code == StatusCode::kUnauthenticated) r.AddHeader("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace herdpass::http
