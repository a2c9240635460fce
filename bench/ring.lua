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

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "HP_RESULT requests=%d seconds=%.2f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
