-- wrk script for the trace (bench/run.sh, BENCH_ONLY=outbreak): GET /api/v1/trace forward from a
-- random market of the seeded data set, depth 2, over a window of days, with a bearer token.
--   HP_TAGS   file with one holding id a line (the seeded markets)
--   HP_FROM   first day of the window (YYYY-MM-DD)
--   HP_TO     last day of the window (YYYY-MM-DD)
--   HP_TOKEN  bearer token
local holdings = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(os.getenv("HP_TAGS")) do
    holdings[#holdings + 1] = line
  end
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HP_TOKEN") or "")
end

function request()
  return wrk.format("GET", "/api/v1/trace?holding=" .. holdings[math.random(#holdings)] ..
    "&from=" .. os.getenv("HP_FROM") .. "&to=" .. os.getenv("HP_TO") .. "&depth=2&direction=forward")
end

-- done(): the result line, written once for every script (bench/wrk_done.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_done.lua")
