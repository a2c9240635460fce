-- wrk script for the ring list (bench/run.sh, BENCH_ONLY=outbreak): GET /api/v1/zones/ID/ring of
-- the zone bench/ring_setup.cpp declared, with a bearer token.
--   HP_ZONE   the zone's id
--   HP_TOKEN  bearer token
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HP_TOKEN") or "")
end

function request()
  return wrk.format("GET", "/api/v1/zones/" .. os.getenv("HP_ZONE") .. "/ring")
end

-- done(): the result line, written once for every script (bench/wrk_done.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_done.lua")
