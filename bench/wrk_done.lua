-- The one result line every wrk script of bench/ prints when its run ends (bench/run.sh reads it):
-- requests, duration, rate, p50 and p99 in microseconds, non-2xx answers and socket errors; when
-- paced (HP_RATE set: bench/wrk_pace.lua), the rate offered and the sends that went out late.
-- Loaded by each script with dofile beside it (wrk's scripts cannot share a module otherwise).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
if os.getenv("HP_RATE") then dofile(here .. "wrk_pace.lua") end

function done(summary, latency, requests)
  local e = summary.errors
  local paced = ""
  if hp_threads then
    local late = 0
    for _, thread in ipairs(hp_threads) do late = late + (thread:get("hp_late") or 0) end
    paced = string.format(" offered_rps=%s late=%d", os.getenv("HP_RATE"), late)
  end
  io.write(string.format(
    "HP_RESULT requests=%d seconds=%.2f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout, paced))
end
