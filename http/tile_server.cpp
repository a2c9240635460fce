#include "http/tile_server.h"

#include "http/static_files.h"

namespace herdpass::http {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == ':';
}

}  // namespace

Result<TileServer> ParseTileServer(std::string_view url, std::string_view attribution) {
  auto bad = [](std::string why) { return InvalidArgument("tile-url", "--tile-url " + why); };
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == ';' ||
        c == ',') {
      return bad("may not hold a space, quote, ';', ',' or control character");
    }
  }
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https://";
  } else if (url.starts_with("http://")) {
    scheme = "http://";
  } else {
    return bad("must start with http:// or https://");
  }
  std::string_view rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  bool wildcard = false;
  if (host.starts_with("{s}.")) {
    wildcard = true;
    host.remove_prefix(4);
  }
  if (host.empty() || host.front() == '.' || host.front() == ':') return bad("has no host");
  for (char c : host) {
    if (!IsHostChar(c)) return bad("has a host of other than letters, digits, '-', '.' and ':'");
  }
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  for (std::string_view part : {"{z}", "{x}", "{y}"}) {
    if (path.find(part) == std::string_view::npos) {
      return bad("must have {z}, {x} and {y} in its path");
    }
  }
  if (attribution.size() > 200) {
    return InvalidArgument("tile-attribution", "--tile-attribution may be 200 bytes at most");
  }
  for (char c : attribution) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
      return InvalidArgument("tile-attribution",
                             "--tile-attribution is plain text: no '<', '>', '&' or control "
                             "character");
    }
  }
  TileServer t;
  t.url = std::string(url);
  t.attribution = std::string(attribution);
  t.origin = std::string(scheme) + (wildcard ? "*." : "") + std::string(host);
  return t;
}

std::string ContentSecurityPolicy(std::string_view image_origin) {
  std::string csp(kContentSecurityPolicy);
  if (image_origin.empty()) return csp;
  static constexpr std::string_view kImages = "img-src 'self' data: blob:";
  const size_t at = csp.find(kImages);
  if (at == std::string::npos) return csp;  // tile_server_test checks it is there
  csp.insert(at + kImages.size(), " " + std::string(image_origin));
  return csp;
}

}  // namespace herdpass::http
