// The map screen's tile server (`herdpass serve --tile-url`, issue 13 item 5): where the web app's
// map (web/src/screens/map.ts, Leaflet) fetches raster tiles, its attribution, and the origin the
// page's Content-Security-Policy then lets images come from. With none, the map is drawn on a
// blank ground and the page may load images from itself only.
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"

namespace herdpass::http {

struct TileServer {
  // Leaflet's address template: "https://tiles.example.kz/{z}/{x}/{y}.png", optionally with
  // "{s}" (a subdomain letter) in the host and "{r}" (retina suffix) in the path.
  std::string url;
  std::string attribution;  // shown under the map as text (plain, no markup)
  // The CSP source images may come from: "https://tiles.example.kz", or
  // "https://*.tile.example.org" when the host holds {s}.
  std::string origin;
};

// Checks `url` and `attribution`. kInvalidArgument, field "tile-url": not http:// or https://, no
// host, a host other than letters, digits, '-', '.', ':' and one leading "{s}.", no {z}, {x} or
// {y}, or a space, quote, ';', ',' or control character anywhere (any of which could break out of
// the Content-Security-Policy header it goes into). Field "tile-attribution": over 200 bytes, or a
// '<', '>' or '&' or control character (Leaflet shows it as markup).
Result<TileServer> ParseTileServer(std::string_view url, std::string_view attribution);

// The web app's Content-Security-Policy (kContentSecurityPolicy of static_files.h) letting images
// also come from `image_origin` ("" = from the page's own origin, data: and blob: only).
std::string ContentSecurityPolicy(std::string_view image_origin);

}  // namespace herdpass::http
