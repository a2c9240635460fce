// gzip both ways (RFC 9110 8.4, RFC 1952), with zlib: the one place that compresses and
// decompresses HTTP bodies and reads Accept-Encoding.
//
// Responses (http/server.cpp): a response of kCompressMinBytes or more with a compressible
// Content-Type (JSON, problem+json, text, SVG, JavaScript) is sent gzip-encoded when the request's
// Accept-Encoding accepts gzip, and carries "Vary: Accept-Encoding" either way. A response that
// already names a Content-Encoding or carries an ETag is left as it is: the web app's static files
// are compressed once, at startup (http/static_files.h), each encoding with its own ETag.
//
// Requests: a body with "Content-Encoding: gzip" (or x-gzip, or identity) is inflated before any
// handler sees it, on every route; what it inflates to is held to the server's body limit.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace herdpass::http {

inline constexpr size_t kCompressMinBytes = 1024;

// gzip (RFC 1952) of `in` at zlib `level` (1..9). "" on a zlib failure.
std::string Gzip(std::string_view in, int level);

// Does the comma-separated Accept-Encoding value accept gzip (RFC 9110 12.5.3)? "gzip" or
// "x-gzip" with a non-zero q, or "*" with a non-zero q when gzip is not named.
bool AcceptsGzip(std::string_view accept_encoding);

// Is a body of this Content-Type worth compressing (text-like: not images, archives, fonts)?
bool IsCompressible(std::string_view content_type);

// gzip made a piece at a time (W10's field copy): the text appended is compressed as it comes,
// so that only the compressed form is held. Thread-compatible.
class GzipStream {
 public:
  explicit GzipStream(int level);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // False once zlib has failed (the output is then unusable).
  bool Append(std::string_view in);
  // Ends the stream and gives the whole gzip member; "" on a zlib failure.
  std::string Finish();
  size_t compressed_size() const { return out_.size(); }

 private:
  bool Deflate(std::string_view in, int flush);

  struct State;
  std::unique_ptr<State> z_;
  std::string out_;
  bool ok_ = true;
};

enum class GunzipResult {
  kOk,
  kTooLarge,  // it inflates to more than `limit` bytes (a "zip bomb"): stopped at the limit
  kCorrupt,   // not a complete gzip stream (or members), or bytes after its end
};

// Inflates `in` (one or more gzip members) into `out`, never holding more than `limit` bytes.
GunzipResult GunzipLimited(std::string_view in, size_t limit, std::string& out);

}  // namespace herdpass::http
