-- The one result line every wrk script of bench/ prints when its run ends (bench/run.sh reads it):
-- requests, duration, rate, p50 and p99 in microseconds, non-2xx answers and socket errors.
-- Loaded by each script with dofile beside it (wrk's scripts cannot share a module otherwise).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "HP_RESULT requests=%d seconds=%.2f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
