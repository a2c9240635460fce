// The web app: a directory of static files (Vite's build output, web/dist) served from memory.
//
// Load() reads every regular file under the directory once, at startup (the build is small, a few
// MB), computes a strong ETag from each file's SHA-256 and, for compressible types, a gzip copy
// (kept only when smaller). After that no request touches the file system, so no request path can
// reach a file outside the directory whatever it contains.
//
// Serving (Serve(), for GET):
//   - The path is split on '/', each segment percent-decoded strictly; a malformed escape, NUL or
//     another control character, an encoded '/' or '\', an empty inner segment, "." or ".."
//     answers a 400 problem (field "path"). "/" is index.html.
//   - A file answers 200 with its Content-Type (by extension), and gzip-encoded when the client
//     accepts gzip and a gzip copy exists. Files with a gzip copy always carry "Vary:
//     Accept-Encoding", both encodings, so that caches keep them apart. Each encoding has its own
//     strong ETag; If-None-Match naming it answers 304.
//   - Cache-Control: files under assets/ (Vite's content-hashed names) are "public,
//     max-age=31536000, immutable"; every other file (index.html, sw.js, the manifest) "no-cache".
//   - A path under /api/ that reached this handler names no API route: 404 problem, or 405 with
//     Allow when the API has the path for another method, as the router itself would answer.
//   - A missing path without an extension in its last segment is a deep link of the single-page
//     app (/verify, /inspector/x): index.html, 200. A missing path with an extension: 404 problem.
//   - Every response carries "X-Content-Type-Options: nosniff" and "Referrer-Policy: no-referrer";
//     HTML also the Content-Security-Policy given to Load() (kContentSecurityPolicy by default; the
//     map's tile server adds its origin to img-src, http/tile_server.h).
// HEAD is not served: the server writes a body for every response, which HEAD must not have.
//
// Thread safety: immutable after Load()/NotBuilt(); Serve() may run on any number of threads.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace herdpass::http {

inline constexpr size_t kMaxStaticFileBytes = size_t{8} << 20;  // 8 MiB per file
// script-src adds 'wasm-unsafe-eval' to 'self': the app reads QR codes in photos with zxing-cpp
// compiled to WebAssembly (web/src/photo_zxing.ts), which the page may compile but not eval().
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'";

class StaticFiles {
 public:
  // Loads every regular file under `dir`. Symbolic links are followed when they resolve inside
  // `dir` (a link to a directory is not descended into: its files are served under their own
  // path); other files that are not regular (sockets, FIFOs) are skipped. Errors, all
  // kInvalidArgument with field "web": `dir` is not a readable directory, has no index.html, holds
  // a file over kMaxStaticFileBytes or a link resolving outside `dir`.
  // `csp` is the Content-Security-Policy HTML files are served with.
  static Result<std::unique_ptr<StaticFiles>> Load(
      const std::string& dir, std::string csp = std::string(kContentSecurityPolicy));

  // No web app was built: index.html is a short page that says so ("make web") and links the API
  // description; everything else behaves as above.
  static std::unique_ptr<StaticFiles> NotBuilt();

  ~StaticFiles();
  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // Answers a GET for request.path (raw, not decoded) with request's Accept-Encoding and
  // If-None-Match. `api` (may be null) is consulted only for paths under /api/, to tell 404 from
  // 405; it must not route back to this handler for other methods than GET.
  Response Serve(const Request& request, const Router* api = nullptr) const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const;
  // What the files weigh as served to a client accepting gzip: the gzip copy where there is one.
  size_t gzipped_bytes() const;

  struct File;  // defined in static_files.cpp

 private:
  StaticFiles();
  std::map<std::string, std::unique_ptr<File>, std::less<>> files_;  // relative path, '/'-separated
  std::string csp_ = std::string(kContentSecurityPolicy);
};

// Registers "GET /{path...}" answering with `files`. Literal and parameter routes win over it, so
// call it after the API routes or before: the API keeps precedence either way.
// REQUIRES: `files` outlives `router`'s use; the router is not yet serving.
void RegisterStaticRoute(Router& router, const StaticFiles& files);

}  // namespace herdpass::http
