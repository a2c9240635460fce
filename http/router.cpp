#include "http/router.h"

#include <stdexcept>

namespace herdpass::http {

// One node per path segment position. Children: literal segments (a short vector: a linear scan of
// a few entries is faster than hashing), one parameter child, one catch-all child.
struct Router::Node {
  struct Endpoint {
    std::string method;
    std::string pattern;
    std::vector<std::string> param_names;  // in path order
    Handler handler;
  };
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::unique_ptr<Node> rest;  // "{name...}": endpoints live on this node
  std::vector<Endpoint> endpoints;

  const Endpoint* FindEndpoint(std::string_view method) const {
    for (const auto& e : endpoints) {
      if (e.method == method) return &e;
    }
    return nullptr;
  }
};

namespace {

using Node = Router::Node;

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view seg) {
  return seg.size() >= 3 && seg.front() == '{' && seg.back() == '}';
}

// Walks the tree for the remaining path `rest` (no leading '/'; `at_end` when no segment is left).
// Collects raw parameter values in `values`. With a non-empty `method`, only nodes having an
// endpoint for it count, so "GET /a/b" does not hide "POST /a/{x}".
const Node* Walk(const Node& n, std::string_view rest, bool at_end, std::string_view method,
                 std::vector<std::string_view>& values) {
  auto accepts = [&](const Node& node) {
    return method.empty() ? !node.endpoints.empty() : node.FindEndpoint(method) != nullptr;
  };
  if (at_end) {
    if (accepts(n)) return &n;
    if (n.rest && accepts(*n.rest)) {
      values.emplace_back();
      return n.rest.get();
    }
    return nullptr;
  }
  size_t slash = rest.find('/');
  std::string_view seg = rest.substr(0, slash);
  bool next_end = slash == std::string_view::npos;
  std::string_view next = next_end ? std::string_view() : rest.substr(slash + 1);
  for (const auto& [literal, child] : n.literals) {
    if (literal == seg) {
      if (const Node* found = Walk(*child, next, next_end, method, values)) return found;
      break;
    }
  }
  if (n.param && !seg.empty()) {
    values.push_back(seg);
    if (const Node* found = Walk(*n.param, next, next_end, method, values)) return found;
    values.pop_back();
  }
  if (n.rest && accepts(*n.rest)) {
    values.push_back(rest);
    return n.rest.get();
  }
  return nullptr;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, Handler handler) {
  if (method.empty() || pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  if (!handler) throw std::invalid_argument("route without a handler: " + pattern);
  Node* n = root_.get();
  std::vector<std::string> names;
  auto segments = SplitSegments(pattern);
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view seg = segments[i];
    if (IsParam(seg)) {
      std::string_view name = seg.substr(1, seg.size() - 2);
      bool is_rest = name.size() > 3 && name.ends_with("...");
      if (is_rest) {
        if (i + 1 != segments.size()) {
          throw std::invalid_argument("{name...} must be the last segment: " + pattern);
        }
        name.remove_suffix(3);
      }
      if (name.find_first_of("{}/") != std::string_view::npos) {
        throw std::invalid_argument("malformed parameter in route: " + pattern);
      }
      names.emplace_back(name);
      auto& child = is_rest ? n->rest : n->param;
      if (!child) child = std::make_unique<Node>();
      n = child.get();
      continue;
    }
    if (seg.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("malformed segment in route: " + pattern);
    }
    Node* next = nullptr;
    for (auto& [literal, child] : n->literals) {
      if (literal == seg) next = child.get();
    }
    if (next == nullptr) {
      n->literals.emplace_back(std::string(seg), std::make_unique<Node>());
      next = n->literals.back().second.get();
    }
    n = next;
  }
  if (n->FindEndpoint(method) != nullptr) {
    throw std::invalid_argument("route registered twice: " + method + " " + pattern);
  }
  routes_.push_back({method, pattern});
  n->endpoints.push_back(
      {std::move(method), std::move(pattern), std::move(names), std::move(handler)});
}

std::vector<RouteInfo> Router::Routes() const { return routes_; }
size_t Router::size() const { return routes_.size(); }

Router::Match Router::Find(std::string_view method, std::string_view path,
                           std::vector<std::pair<std::string, std::string>>* params) const {
  Match m;
  if (path.empty() || path.front() != '/') return m;
  std::vector<std::string_view> values;
  std::string_view rest = path.substr(1);
  if (const Node* n = Walk(*root_, rest, false, method, values)) {
    const Node::Endpoint* e = n->FindEndpoint(method);
    m.kind = Match::kFound;
    m.handler = &e->handler;
    m.pattern = e->pattern;
    if (params != nullptr) {
      params->clear();
      params->reserve(values.size());
      for (size_t i = 0; i < values.size() && i < e->param_names.size(); ++i) {
        params->emplace_back(e->param_names[i], PercentDecode(values[i], false));
      }
    }
    return m;
  }
  values.clear();
  if (const Node* n = Walk(*root_, rest, false, {}, values)) {
    m.kind = Match::kMethodNotAllowed;
    m.pattern = n->endpoints.front().pattern;
    for (const auto& e : n->endpoints) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += e.method;
    }
  }
  return m;
}

Response Router::Dispatch(Request& request) const {
  Match m = Find(request.method, request.path, &request.path_params);
  request.route = m.pattern;
  switch (m.kind) {
    case Match::kFound:
      return (*m.handler)(request);
    case Match::kMethodNotAllowed: {
      Response r = Problem(405, "method-not-allowed", "Method not allowed",
                           "This resource does not support " + request.method + ".");
      r.AddHeader("Allow", m.allow);
      return r;
    }
    case Match::kNotFound:
      break;
  }
  return Problem(404, "not-found", "Not found", "No resource at this path.");
}

}  // namespace herdpass::http
