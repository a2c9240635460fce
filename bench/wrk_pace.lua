-- Pacing for the wrk scripts of bench/ (loaded by wrk_done.lua when HP_RATE is set): the requests
-- are offered at a stated rate, evenly spaced, instead of each connection sending its next request
-- the moment its answer is in (wrk's closed loop, where a latency is mostly the wait behind the
-- other connections' requests once the server is saturated). bench/run.sh sets HP_RATE to half the
-- rate the server reached with unpaced connections in the same run, to read a p99 at a load below
-- saturation.
--   HP_RATE     requests per second offered, over all of wrk's threads
--   HP_THREADS  wrk's -t: each thread offers HP_RATE / HP_THREADS
--
-- How: wrk calls delay() before each request of a connection (its first, and each after an
-- answer); each call takes the thread's next free send slot (slots HP_THREADS / HP_RATE seconds
-- apart) and waits until it. A connection is still closed-loop: one request in flight at a time.
-- When every connection of a thread is busy at a slot, that request goes out late, when one is
-- free, and the wait before it is not in wrk's latencies (coordinated omission: the p99 is then
-- too low). At half the saturated rate the connections are mostly idle and this is rare; every send
-- more than one slot late is counted, and wrk_done.lua prints the count (late=) beside the p99.
local ffi = require("ffi")  -- wrk's Lua is LuaJIT; os.clock is CPU time, os.time whole seconds
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } hp_timespec;
  int clock_gettime(int clock_id, hp_timespec *tp);
]]
local clock_monotonic = 1
local timespec = ffi.new("hp_timespec")
local function now_ms()
  ffi.C.clock_gettime(clock_monotonic, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("HP_RATE"))
local threads = tonumber(os.getenv("HP_THREADS") or "1")
if not rate or rate <= 0 then error("wrk_pace.lua: HP_RATE must be a positive rate") end
local interval_ms = 1000 * threads / rate
local next_slot = nil
hp_late = 0  -- a global: done() reads it from each thread (thread:get)

function delay()
  local now = now_ms()
  -- Thread k's slots fall about k / HP_RATE s after thread 0's: the sends of all the threads evenly
  -- spaced, not in bursts of one per thread (hp_thread is set by setup() below).
  if not next_slot then next_slot = now + (hp_thread or 0) * interval_ms / threads end
  local slot = next_slot
  if slot < now then
    if now - slot > interval_ms then hp_late = hp_late + 1 end
    slot = now
  end
  next_slot = slot + interval_ms
  return math.floor(slot - now + 0.5)  -- wrk's timers count whole milliseconds
end

-- setup() runs in wrk's main state, once a thread: keep the threads for done(), after the script's
-- own setup, if it has one.
local script_setup = setup
hp_threads = {}
function setup(thread)
  if script_setup then script_setup(thread) end
  thread:set("hp_thread", #hp_threads)
  hp_threads[#hp_threads + 1] = thread
end
