// The response a handler returns, and the helpers that build JSON and problem responses.
//
// Errors go out as RFC 9457 problem details (application/problem+json):
//   {"type": "https://herdpass.org/problems/<name>", "title": ..., "status": ..., "detail": ...,
//    "field": ... (when a Status names one), plus extra members}
// `type` is stable and is the thing clients switch on; `title` is fixed per type; `detail` is the
// human explanation of this occurrence.
//
// ProblemFromStatus is the ONE place that maps a StatusCode to an HTTP status:
//   kInvalidArgument    400  malformed input; `field` names what failed
//   kNotFound           404
//   kAlreadyExists      409
//   kFailedPrecondition 409  well formed, but the current state forbids it (e.g. a consumed
//                            certificate). Not 422: 422 is reserved for the certificate rule report
//                            (DESIGN.md 7), which carries a list of unmet rules, not one Status.
//   kPermissionDenied   403
//   kUnauthenticated    401  with "WWW-Authenticate: Bearer"
//   kResourceExhausted  429
//   kUnavailable        503
//   kInternal           500  the message is logged, never sent: the client sees a generic detail
// Status::detail() is never sent. The typed payloads service/ attaches (the existing id of a 409,
// the wait of a 429, ...) become members and headers in http/routes (ApiProblem), which knows the
// service's types; this layer does not.
// Value types; thread-compatible.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"

namespace herdpass::http {

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypeBase = "https://herdpass.org/problems/";

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra header fields. The server sets Content-Type, Content-Length, Connection, Date and Server
  // itself; do not put those here.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by a handler whose answer is ready only later (W2's kept answer, sent once its audit row is
  // committed by the store's writer) when it would rather not hold a thread while it waits: the
  // server calls it once, on the handler's thread, with a function to call once, on any thread,
  // with the response to send; the fields above are then unused. Empty for every other response.
  using Send = std::function<void(Response)>;
  std::function<void(Send)> deferred;

  Response& AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// `body` serialized as application/json. Invalid UTF-8 in strings is replaced, never thrown.
Response Json(int status, const nlohmann::json& body);

// A deferred response `r` whose final response goes through `then` before it is sent; any other
// response through `then` at once.
Response ThenSend(Response r, std::function<Response(Response)> then);

// A text response (for metrics, plain health checks).
Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

// A problem response. `type_name` is the last segment of the type URI ("not-found"); `extra` (an
// object or null) adds members but cannot replace type, title, status or detail.
Response Problem(int status, std::string_view type_name, std::string_view title,
                 std::string_view detail, const nlohmann::json& extra = nullptr);

// The problem response for a non-ok Status (see the table above). An ok Status is a caller bug and
// answers 500. `extra` as for Problem(); not sent for kInternal.
Response ProblemFromStatus(const Status& status, const nlohmann::json& extra = nullptr);

// The HTTP status ProblemFromStatus uses for `code`.
int HttpStatusFor(StatusCode code);

// The problem type name for `code`: StatusCodeName with '_' as '-' ("failed-precondition").
std::string ProblemTypeName(StatusCode code);
// The fixed human title of a problem type ("Invalid argument").
const char* ProblemTitle(StatusCode code);

}  // namespace herdpass::http
