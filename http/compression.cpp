#include "http/compression.h"

#include <zlib.h>

#include "http/request.h"

namespace herdpass::http {

std::string Gzip(std::string_view in, int level) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

struct GzipStream::State {
  z_stream z{};
};

GzipStream::GzipStream(int level) : z_(std::make_unique<State>()) {
  ok_ = deflateInit2(&z_->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (ok_) deflateEnd(&z_->z);
}

bool GzipStream::Deflate(std::string_view in, int flush) {
  if (!ok_) return false;
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char chunk[16 << 10];
  int rc = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) {
      ok_ = false;
      return false;
    }
    out_.append(chunk, sizeof chunk - z.avail_out);
  } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  return true;
}

bool GzipStream::Append(std::string_view in) { return Deflate(in, Z_NO_FLUSH); }

std::string GzipStream::Finish() {
  if (!Deflate({}, Z_FINISH)) return {};
  deflateEnd(&z_->z);
  ok_ = false;  // ended: the destructor has nothing to free
  return std::move(out_);
}

bool AcceptsGzip(std::string_view header) {
  int gzip = -1;  // -1 not named, 0 refused, 1 accepted
  int star = -1;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    bool accepted = true;
    if (semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string_view q = trim(param.substr(2));
        // q is "0", "0.", "0.0", ... "0.000" to refuse; anything else is > 0.
        accepted = !(q.starts_with("0") && q.find_first_not_of("0.") == std::string_view::npos);
      }
    }
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = accepted ? 1 : 0;
    } else if (coding == "*") {
      star = accepted ? 1 : 0;
    }
  }
  return gzip == 1 || (gzip == -1 && star == 1);
}

bool IsCompressible(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type.starts_with("text/")) return true;
  for (std::string_view t :
       {"application/json", "application/problem+json", "image/svg+xml", "application/javascript",
        "application/x-ndjson", "application/manifest+json", "application/xml"}) {
    if (EqualsIgnoreCase(type, t)) return true;
  }
  return false;
}

GunzipResult GunzipLimited(std::string_view in, size_t limit, std::string& out) {
  out.clear();
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return GunzipResult::kCorrupt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char chunk[16 << 10];
  GunzipResult result = GunzipResult::kCorrupt;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > limit) {
      result = GunzipResult::kTooLarge;
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        result = GunzipResult::kOk;
        break;
      }
      // Another member follows (RFC 1952 2.2).
      if (inflateReset(&z) != Z_OK) break;
      continue;
    }
    if (rc != Z_OK) break;  // Z_BUF_ERROR: input ended early; Z_DATA_ERROR: corrupt
    if (z.avail_in == 0 && z.avail_out != 0) break;  // truncated
  }
  inflateEnd(&z);
  if (result != GunzipResult::kOk) out.clear();
  return result;
}

}  // namespace herdpass::http
