-- wrk script for the animal timeline (bench/run.sh, BENCH_ONLY=journeys): GET
-- /api/v1/animals/{tag}/timeline for a random tag of the seeded travellers (animals with about 50
-- timeline entries), with a bearer token.
--   HP_TAGS   file with one ear tag a line
--   HP_TOKEN  bearer token
local tags = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(os.getenv("HP_TAGS")) do
    tags[#tags + 1] = line
  end
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HP_TOKEN") or "")
end

function request()
  return wrk.format("GET", "/api/v1/animals/" .. tags[math.random(#tags)] .. "/timeline")
end

-- done(): the result line, written once for every script (bench/wrk_done.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_done.lua")
