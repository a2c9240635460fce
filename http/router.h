// Maps (method, path) to a handler.
//
// Patterns are '/'-separated segments; a segment "{name}" binds one non-empty path segment to the
// parameter `name`, and a final segment "{name...}" binds the rest of the path (zero or more
// segments, slashes kept), for static files. Literal segments win over parameters: with "/a/b" and
// "/a/{x}",
// "/a/b" goes to the first. Patterns are compiled into a segment tree once, at Add(); Match() walks
// it without allocating, except to store the bound parameters.
//
// Thread safety: Add() only before the server starts; after that the router is read-only and
// Match() and Dispatch() may run on any number of threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace herdpass::http {

// Synchronous; runs on a handler thread and may block (on the database, for instance). May throw:
// the server turns an exception into a generic 500 problem and logs it; the client never sees
// what().
using Handler = std::function<Response(Request&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` (upper case, e.g. "GET") on `pattern` (starting with '/').
  // Registering the same method and pattern twice, or a malformed pattern, is a programming error
  // and throws std::invalid_argument at startup.
  void Add(std::string method, std::string pattern, Handler handler);

  // Every registered (method, pattern), in registration order: the OpenAPI test compares these.
  std::vector<RouteInfo> Routes() const;
  size_t size() const;

  struct Match {
    enum Kind { kFound, kNotFound, kMethodNotAllowed } kind = kNotFound;
    const Handler* handler = nullptr;  // kFound only
    std::string_view pattern;          // kFound and kMethodNotAllowed
    std::string allow;                 // kMethodNotAllowed: "GET, POST"
  };
  // Finds the route for `method` and `path`, binding parameters into `params`.
  Match Find(std::string_view method, std::string_view path,
             std::vector<std::pair<std::string, std::string>>* params) const;

  // Finds and runs the handler: 404 problem for an unknown path, 405 problem with an Allow header
  // for a known path and another method. Exceptions from the handler propagate to the caller. Sets
  // request.path_params and request.route.
  Response Dispatch(Request& request) const;

  struct Node;  // the compiled segment tree; opaque, defined in router.cpp

 private:
  std::unique_ptr<Node> root_;
  std::vector<RouteInfo> routes_;
};

}  // namespace herdpass::http
