-- wrk script for W2 (bench/run.sh): GET /api/v1/lookup?phone=... for a random owner of the seeded
-- list, with the inspector's bearer token. The same script drives nginx (which serves a static
-- file at that path and ignores the query), so both sides pay the same load-generator cost.
--   HP_PHONES  file with one phone number a line (local form, e.g. 87011234567)
--   HP_TOKEN   bearer token
--   HP_GZIP    when "1", the requests accept gzip (Accept-Encoding: gzip), as a browser's do
local phones = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(os.getenv("HP_PHONES")) do
    phones[#phones + 1] = line
  end
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HP_TOKEN") or "")
  if os.getenv("HP_GZIP") == "1" then wrk.headers["Accept-Encoding"] = "gzip" end
end

function request()
  return wrk.format("GET", "/api/v1/lookup?phone=" .. phones[math.random(#phones)])
end

-- done(): the result line, written once for every script (bench/wrk_done.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_done.lua")
