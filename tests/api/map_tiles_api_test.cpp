// The map's tile server as `herdpass serve --tile-url --tile-attribution` gives it to the web app
// (GET /api/v1/map/tiles, issue 13 item 5): the address and attribution, or nulls with none; bad
// values are usage errors before anything opens. Black-box: the real `herdpass serve`, a deployment
// of its own per test. (The page's Content-Security-Policy with the tile origin: tile_server_test
// and web/e2e/map.test.mjs.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

TEST(MapTilesApiTest, GivesTheTileServerTheServerWasStartedWith) {
  HerdpassEnv env;
  env.Init();
  env.StartServer({"--tile-url", "https://{s}.tiles.example.kz/osm/{z}/{x}/{y}.png",
                   "--tile-attribution", "© OpenStreetMap contributors"});
  auto r = env.Client()->Get("/api/v1/map/tiles");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json{{"url", "https://{s}.tiles.example.kz/osm/{z}/{x}/{y}.png"},
                            {"attribution", "© OpenStreetMap contributors"}}));
}

TEST(MapTilesApiTest, WithNoTileServerBothAreNull) {
  HerdpassEnv env;
  env.Init();
  env.StartServer({});
  auto r = env.Client()->Get("/api/v1/map/tiles");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json{{"url", nullptr}, {"attribution", nullptr}}));
}

TEST(MapTilesApiTest, ABadTileUrlOrAttributionIsAUsageError) {
  HerdpassEnv env;
  env.Init();
  struct Case {
    std::vector<std::string> args;
    std::string field;
  } cases[] = {
      {{"--tile-url", "ftp://tiles.example.kz/{z}/{x}/{y}.png"}, "tile-url"},
      {{"--tile-url", "https://tiles.example.kz/{z}/{x}.png"}, "tile-url"},
      {{"--tile-url", "https://tiles.example.kz/{z}/{x}/{y}.png; script-src *"}, "tile-url"},
      {{"--tile-url", "https://tiles.example.kz/{z}/{x}/{y}.png", "--tile-attribution", "<b>x</b>"},
       "tile-attribution"},
      {{"--tile-attribution", "OSM"}, "tile-attribution"},
  };
  for (const Case& k : cases) {
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), k.args.begin(), k.args.end());
    SCOPED_TRACE(k.args.back());
    CommandResult r = env.Run(args);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
    EXPECT_NE(r.err.find("herdpass: " + k.field + ": "), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace herdpass::testing
