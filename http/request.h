// The request a handler sees: our own type, so that no Beast type leaks into endpoint code.
//
// A Request is built by the Server for one HTTP request and handed to exactly one handler on one
// thread; it is a plain value (thread-compatible, not thread-safe). Everything in it was sent by
// the client: validate before use.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/status.h"

namespace herdpass::http {

// Header fields in arrival order, looked up case-insensitively (RFC 9110 section 5.1). A linear
// scan beats a hash map for the dozen fields of a typical request.
class Headers {
 public:
  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // The first field named `name` (any case), or "" when there is none.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // as sent: "/api/v1/owners?phone=%2B7701"
  std::string path;    // target up to '?', not percent-decoded: routes match raw segments
  // Query parameters, percent-decoded, '+' read as a space. When a name repeats, the first wins.
  std::unordered_map<std::string, std::string> query;
  Headers headers;
  std::string body;
  // The client's IP address without the port, e.g. "127.0.0.1" or "::1": the peer's, or behind a
  // trusted reverse proxy the one it forwarded (http/client_address.h).
  std::string remote_address;
  // Parameters bound by the route pattern ("{tag}" -> "tag"), percent-decoded, in pattern order.
  std::vector<std::pair<std::string, std::string>> path_params;
  // The pattern of the route that matched ("/api/v1/animals/{tag}"); empty when none did.
  std::string_view route;

  // The header `name` (any case), or "" when absent.
  std::string_view Header(std::string_view name) const { return headers.Get(name); }
  // The path parameter `name`, or "" when the route has none of that name.
  std::string_view Param(std::string_view name) const;
  // The query parameter `name`, or "" when absent. Use `query.contains` to tell absent from empty.
  std::string_view Query(std::string_view name) const;
  // The token of an "Authorization: Bearer <token>" header (scheme matched case-insensitively), or
  // "" when there is no such header. The token is not validated here.
  std::string BearerToken() const;
};

// Parses the body as JSON. A malformed body is kInvalidArgument with field "body" and a message
// that says where parsing stopped (never echoing the body itself).
Result<nlohmann::json> ParseJsonBody(const Request& request);

// Percent-decodes `in` (RFC 3986). With `plus_as_space`, '+' becomes ' ' (form/query encoding).
// Malformed escapes ("%zz", a trailing "%") are kept literally, as most servers do.
std::string PercentDecode(std::string_view in, bool plus_as_space);

// Percent-encodes `in` for a query string: RFC 3986's unreserved characters stay, every other
// byte is %XX (so a space is %20, never '+'). By hand: Boost.URL is newer than Debian 12's Boost.
std::string PercentEncode(std::string_view in);

// Splits "a=1&b=&c" into decoded pairs {a:1, b:"", c:""}; the first occurrence of a name wins.
std::unordered_map<std::string, std::string> ParseQuery(std::string_view query);

// ASCII case-insensitive equality, for header names and auth schemes.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace herdpass::http
