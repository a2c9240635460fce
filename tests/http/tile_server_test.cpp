// ParseTileServer (serve --tile-url, --tile-attribution) and the Content-Security-Policy it makes:
// the tile origin goes into img-src and nowhere else; a URL that could break out of the header, or
// is not a tile template, is refused naming the option.
#include "http/tile_server.h"

#include <gtest/gtest.h>

#include <string>

#include "http/static_files.h"

namespace herdpass::http {
namespace {

TEST(TileServerTest, TakesATemplateAndNamesItsOrigin) {
  auto t = ParseTileServer("https://tiles.example.kz:8443/osm/{z}/{x}/{y}.png", "© OpenStreetMap");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->url, "https://tiles.example.kz:8443/osm/{z}/{x}/{y}.png");
  EXPECT_EQ(t->attribution, "© OpenStreetMap");
  EXPECT_EQ(t->origin, "https://tiles.example.kz:8443");
}

TEST(TileServerTest, ASubdomainLetterAllowsEverySubdomain) {
  auto t = ParseTileServer("http://{s}.tile.example.org/{z}/{x}/{y}{r}.png", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->origin, "http://*.tile.example.org");
}

void ExpectRefused(std::string_view url, std::string_view attribution, const std::string& field) {
  auto t = ParseTileServer(url, attribution);
  ASSERT_FALSE(t.ok()) << url;
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << url;
  EXPECT_EQ(t.status().field(), field) << url;
}

TEST(TileServerTest, RefusesWhatIsNotATileTemplate) {
  ExpectRefused("ftp://tiles.example.kz/{z}/{x}/{y}.png", "", "tile-url");
  ExpectRefused("tiles.example.kz/{z}/{x}/{y}.png", "", "tile-url");
  ExpectRefused("https:///{z}/{x}/{y}.png", "", "tile-url");
  ExpectRefused("https://tiles.example.kz/{z}/{x}.png", "", "tile-url");
  ExpectRefused("https://tiles.example.kz", "", "tile-url");
  ExpectRefused("https://user@tiles.example.kz/{z}/{x}/{y}.png", "", "tile-url");
}

TEST(TileServerTest, RefusesWhatCouldBreakOutOfTheHeader) {
  ExpectRefused("https://tiles.example.kz/{z}/{x}/{y}.png; script-src *", "", "tile-url");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png,https://b.kz", "", "tile-url");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png\r\nX-Evil: 1", "", "tile-url");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png'", "", "tile-url");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png", "<img src=x onerror=alert(1)>", "tile-attribution");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png", "&copy; OSM", "tile-attribution");
  ExpectRefused("https://a.kz/{z}/{x}/{y}.png", std::string(201, 'a'), "tile-attribution");
}

TEST(TileServerTest, PolicyAddsTheOriginToImagesOnly) {
  EXPECT_EQ(ContentSecurityPolicy(""), kContentSecurityPolicy);
  const std::string csp = ContentSecurityPolicy("https://tiles.example.kz");
  EXPECT_NE(csp.find("img-src 'self' data: blob: https://tiles.example.kz;"), std::string::npos)
      << csp;
  // Everything else as it was: the origin appears once.
  EXPECT_EQ(csp.find("https://tiles.example.kz"), csp.rfind("https://tiles.example.kz"));
  std::string without = csp;
  without.erase(without.find(" https://tiles.example.kz"), 25);
  EXPECT_EQ(without, kContentSecurityPolicy);
}

}  // namespace
}  // namespace herdpass::http
