#include "http/static_files.h"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include "http/compression.h"

namespace herdpass::http {

struct StaticFiles::File {
  std::string content_type;
  bool html = false;
  bool immutable = false;  // under assets/
  std::string body;
  std::string etag;       // strong, quoted
  std::string gzip;       // empty when not compressible or not smaller
  std::string gzip_etag;  // etag of the gzip representation
};

namespace {

namespace fs = std::filesystem;

struct Type {
  std::string_view extension;
  std::string_view content_type;
  bool compressible;
};

// The types a Vite build produces; anything else goes out as application/octet-stream (and, with
// nosniff, is not guessed at by the browser).
constexpr std::array kTypes = {
    Type{"html", "text/html; charset=utf-8", true},
    Type{"js", "text/javascript; charset=utf-8", true},
    Type{"mjs", "text/javascript; charset=utf-8", true},
    Type{"css", "text/css; charset=utf-8", true},
    Type{"json", "application/json", true},
    Type{"webmanifest", "application/manifest+json", true},
    Type{"map", "application/json", true},
    Type{"svg", "image/svg+xml", true},
    Type{"txt", "text/plain; charset=utf-8", true},
    Type{"ico", "image/x-icon", true},
    Type{"wasm", "application/wasm", true},
    Type{"png", "image/png", false},
    Type{"woff2", "font/woff2", false},
};
constexpr Type kUnknownType{"", "application/octet-stream", false};

// The extension of the last segment of `path` ("" when it has none; a leading dot, as in
// ".well-known", does not start one).
std::string_view Extension(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

const Type& TypeOf(std::string_view path) {
  std::string_view ext = Extension(path);
  for (const Type& t : kTypes) {
    if (EqualsIgnoreCase(t.extension, ext)) return t;
  }
  return kUnknownType;
}

std::string Etag(std::string_view body, std::string_view suffix) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  // 128 bits of the hash are plenty to tell versions of one file apart.
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, digest, 16);
  // Appended piece by piece: GCC 12's -Wrestrict misfires on "..." + std::string&& at -O3.
  std::string etag = "\"";
  etag.append(hex).append(suffix).push_back('"');
  return etag;
}

std::unique_ptr<StaticFiles::File> MakeFile(std::string_view relative, std::string body) {
  const Type& type = TypeOf(relative);
  auto f = std::make_unique<StaticFiles::File>();
  f->content_type = type.content_type;
  f->html = type.extension == "html";
  f->immutable = relative.starts_with("assets/");
  f->etag = Etag(body, "");
  if (type.compressible) {
    // gzip at the highest level: compressed once, at startup.
    std::string gz = Gzip(body, Z_BEST_COMPRESSION);
    if (!gz.empty() && gz.size() < body.size()) {
      f->gzip = std::move(gz);
      f->gzip_etag = Etag(body, "-gzip");
    }
  }
  f->body = std::move(body);
  return f;
}

Status WebError(std::string message) { return InvalidArgument("web", std::move(message)); }

bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

// Does If-None-Match (a list of entity tags, or "*") match `etag`? Weak comparison (RFC 9110
// 13.1.2): W/"x" matches "x".
bool NoneMatch(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    while (!header.empty() &&
           (header.front() == ' ' || header.front() == '\t' || header.front() == ',')) {
      header.remove_prefix(1);
    }
    if (header.empty()) break;
    if (header.front() == '*') return true;
    if (header.starts_with("W/")) header.remove_prefix(2);
    if (header.empty() || header.front() != '"') return false;  // malformed: no match
    size_t close = header.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (header.substr(0, close + 1) == etag) return true;
    header.remove_prefix(close + 1);
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The raw path as decoded segments joined by '/', without the leading '/' ("" for "/"). Stricter
// than PercentDecode (which keeps malformed escapes for query strings): see the header.
Result<std::string> DecodePath(std::string_view raw, bool* api) {
  if (raw.empty() || raw.front() != '/')
    return InvalidArgument("path", "The path must start with '/'.");
  raw.remove_prefix(1);
  std::string out;
  out.reserve(raw.size());
  bool first = true;
  while (true) {
    size_t slash = raw.find('/');
    const bool last = slash == std::string_view::npos;
    std::string_view seg = raw.substr(0, slash);
    std::string decoded;
    for (size_t i = 0; i < seg.size(); ++i) {
      char c = seg[i];
      if (c == '%') {
        int hi = i + 2 < seg.size() ? HexValue(seg[i + 1]) : -1;
        int lo = i + 2 < seg.size() ? HexValue(seg[i + 2]) : -1;
        if (hi < 0 || lo < 0) return InvalidArgument("path", "The path has a malformed %-escape.");
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        return InvalidArgument("path", "The path holds a control character.");
      }
      if (c == '/' || c == '\\') {
        return InvalidArgument("path", "The path holds an encoded '/' or '\\'.");
      }
      decoded.push_back(c);
    }
    if (decoded == "." || decoded == "..") {
      return InvalidArgument("path", "The path holds a '.' or '..' segment.");
    }
    if (decoded.empty() && !last) {
      return InvalidArgument("path", "The path holds an empty segment.");
    }
    if (first) *api = decoded == "api";
    first = false;
    if (!out.empty() || !decoded.empty()) {
      if (!out.empty()) out.push_back('/');
      out += decoded;
    }
    if (last) break;
    raw.remove_prefix(slash + 1);
  }
  return out;
}

// `csp`: the Content-Security-Policy of an HTML answer; "" for any other.
void AddCommonHeaders(Response& r, std::string_view csp) {
  r.AddHeader("X-Content-Type-Options", "nosniff");
  r.AddHeader("Referrer-Policy", "no-referrer");
  if (!csp.empty()) r.AddHeader("Content-Security-Policy", std::string(csp));
}

Response StaticProblem(Response r) {
  AddCommonHeaders(r, "");
  return r;
}

constexpr std::string_view kNotBuiltPage = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>HerdPass</title></head>
<body>
<h1>HerdPass</h1>
<p>The web app was not built. Build it with <code>make web</code> and start the server with
<code>herdpass serve --web web/dist</code> (<code>make run</code> does both).</p>
<p>The API works without it: it is described at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body>
</html>
)";

constexpr char kCatchAll[] = "/{path...}";

// The methods an API route at `path` takes, for the Allow header of a 405: the router matched the
// static catch-all, which is no API route.
std::string ApiAllow(const Router* api, std::string_view path) {
  std::string allow;
  if (api == nullptr) return allow;
  for (std::string_view method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    const Router::Match m = api->Find(method, path, nullptr);
    if (m.kind != Router::Match::kFound || m.pattern == kCatchAll) continue;
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

// An /api/ path no route took: 405 with the methods it does take, else 404.
Response ApiNotRouted(const Request& request, const Router* api) {
  const std::string allow = ApiAllow(api, request.path);
  if (allow.empty()) {
    return StaticProblem(Problem(404, "not-found", "Not found", "No resource at this path."));
  }
  Response r = Problem(405, "method-not-allowed", "Method not allowed",
                       "This resource does not support " + request.method + ".");
  r.AddHeader("Allow", allow);
  return StaticProblem(std::move(r));
}

}  // namespace

StaticFiles::StaticFiles() = default;
StaticFiles::~StaticFiles() = default;

Result<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::string& dir, std::string csp) {
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(root, ec)) {
    return WebError("'" + dir + "' is not a directory" + (ec ? ": " + ec.message() : ""));
  }
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return WebError("'" + dir + "' has no index.html: build the web app first (make web)");
  }
  std::unique_ptr<StaticFiles> files(new StaticFiles());
  files->csp_ = std::move(csp);
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::string relative = entry.path().lexically_relative(root).generic_string();
    std::error_code entry_ec;
    fs::path target = entry.path();
    if (entry.is_symlink(entry_ec)) {
      target = fs::canonical(entry.path(), entry_ec);
      if (entry_ec || !IsWithin(target, root)) {
        return WebError("'" + relative + "' in '" + dir +
                        "' is a link leading outside it (or nowhere)");
      }
      if (fs::is_directory(target, entry_ec))
        continue;  // its files are served under their own path
    }
    if (!fs::is_regular_file(target, entry_ec)) continue;
    const auto size = fs::file_size(target, entry_ec);
    if (entry_ec) return WebError("cannot read '" + relative + "' in '" + dir + "'");
    if (size > kMaxStaticFileBytes) {
      return WebError("'" + relative + "' in '" + dir + "' is over " +
                      std::to_string(kMaxStaticFileBytes >> 20) + " MiB");
    }
    std::ifstream in(target, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in || body.size() != size) {
      return WebError("cannot read '" + relative + "' in '" + dir + "'");
    }
    files->files_.emplace(relative, MakeFile(relative, std::move(body)));
  }
  if (ec) return WebError("cannot list '" + dir + "': " + ec.message());
  return files;
}

std::unique_ptr<StaticFiles> StaticFiles::NotBuilt() {
  std::unique_ptr<StaticFiles> files(new StaticFiles());
  files->files_.emplace("index.html", MakeFile("index.html", std::string(kNotBuiltPage)));
  return files;
}

size_t StaticFiles::total_bytes() const {
  size_t n = 0;
  for (const auto& [path, f] : files_) n += f->body.size();
  return n;
}

size_t StaticFiles::gzipped_bytes() const {
  size_t n = 0;
  for (const auto& [path, f] : files_) n += f->gzip.empty() ? f->body.size() : f->gzip.size();
  return n;
}

Response StaticFiles::Serve(const Request& request, const Router* api) const {
  bool under_api = false;
  auto path = DecodePath(request.path, &under_api);
  if (!path.ok()) return StaticProblem(ProblemFromStatus(path.status()));
  // The router found no API route for this GET; say what it would have said without us.
  if (under_api) return ApiNotRouted(request, api);
  std::string_view key = path->empty() ? std::string_view("index.html") : std::string_view(*path);
  auto found = files_.find(key);
  if (found == files_.end()) {
    if (!Extension(key).empty()) {
      return StaticProblem(Problem(404, "not-found", "Not found", "No file at this path."));
    }
    found = files_.find("index.html");  // a deep link into the single-page app
    if (found == files_.end()) {
      return StaticProblem(Problem(404, "not-found", "Not found", "No file at this path."));
    }
  }
  const File& f = *found->second;
  const bool gzip = !f.gzip.empty() && AcceptsGzip(request.Header("Accept-Encoding"));
  const std::string& etag = gzip ? f.gzip_etag : f.etag;

  Response r;
  r.content_type = f.content_type;
  r.AddHeader("ETag", etag);
  r.AddHeader("Cache-Control", f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!f.gzip.empty()) r.AddHeader("Vary", "Accept-Encoding");
  AddCommonHeaders(r, f.html ? std::string_view(csp_) : std::string_view());
  if (NoneMatch(request.Header("If-None-Match"), etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  if (gzip) {
    r.AddHeader("Content-Encoding", "gzip");
    r.body = f.gzip;
  } else {
    r.body = f.body;
  }
  return r;
}

void RegisterStaticRoute(Router& router, const StaticFiles& files) {
  const Router* api = &router;
  router.Add("GET", kCatchAll,
             [&files, api](Request& request) { return files.Serve(request, api); });
  // Other methods: an /api/ path keeps the API's 404 or 405; the web app's paths take GET only.
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    router.Add(method, kCatchAll, [api](Request& request) {
      if (request.path.rfind("/api/", 0) == 0) return ApiNotRouted(request, api);
      Response r = Problem(405, "method-not-allowed", "Method not allowed",
                           "The web app's files are read with GET.");
      r.AddHeader("Allow", "GET");
      return StaticProblem(std::move(r));
    });
  }
}

}  // namespace herdpass::http
