#!/usr/bin/env bash
# The trace of issue 13 on PostgreSQL against pgbench running the store's query on the same server
# in the same run. Called by bench/run.sh (BENCH_ONLY=outbreak):
#   bench/pg_trace.sh BUILD_DIR WORK_DIR SQLITE_DB MARKETS FROM TO SECONDS
# The big data set's owners, holdings, certificates, movements and passages are copied from its
# SQLite file (SQLITE_DB) into a fresh database that `herdpass init --db` made (its migrations),
# with the foreign keys' triggers off during the copy (session_replication_role = replica), then
# VACUUMed and ANALYZEd: the visibility map set, as autovacuum would have on a database in use, so
# that the trace's index-only scans (migration 17) need not visit the heap. FROM and TO are the window's days; MARKETS the file of market holding ids.
# Writes WORK_DIR/pg-trace.txt (HerdPass over HTTP as a vet through wrk, bench/trace.lua, 32
# connections; pg-trace-c2.txt the same with 2; pg-trace-paced.txt 32 connections paced at half
# the rate of the first, bench/wrk_pace.lua), pg-trace-ref.txt (pgbench, the same query, 1 client
# as the SQLite reference's one thread, then 32 clients as wrk's 32 connections: rate, p50 and p99
# of each, from pgbench's log of every transaction) and pg-trace-plan.txt (EXPLAIN ANALYZE of the
# query for the first market).
# The cluster has shared_buffers PG_TRACE_SHARED_BUFFERS [1GB] (README, "Choosing PostgreSQL": with
# the test clusters' 32 MB every trace read about 600 blocks through the kernel, and reads wrote
# out dirty pages to make room, flushing the WAL first). After the copy it is checkpointed and the
# machine synced, so that the runs do not measure the copy's writeback too.
# What each run waited for, to explain a tail (bench/RESULTS.md, "PostgreSQL trace tail"):
#  - WORK_DIR/pg-trace-postgres.log, the cluster's log: checkpoints, every autovacuum and
#    autoanalyze, temp files, lock waits over 20 ms, and each statement slower than
#    PG_TRACE_SLOW_MS [40] (in the target rows' runs: 2 connections, paced, pgbench's 1 client;
#    1000 ms in the saturated ones) with its parameters and plan (auto_explain; with
#    PG_TRACE_EXPLAIN_ANALYZE=1 the plan's actual rows and buffers too, at the cost of instrumenting
#    every statement). Each run is marked in it ("pg_trace phase NAME").
#  - WORK_DIR/pg-trace-statements.txt, after each run: pg_stat_statements (reset at each mark):
#    calls, planning and execution times (mean, max), blocks read and written and their times;
#    pg_stat_wal (syncs and their time) and pg_stat_bgwriter.
#  - WORK_DIR/pg-trace-vmstat.txt (vmstat each second) and pg-trace-stalls.txt (each moment a
#    process asking to wake every millisecond woke over 20 ms late: the machine ran other work, or
#    did not run), each run marked.
# On stderr, which bench/run.sh keeps in the bench log, per run: blocks read and written by the
# statements and WAL syncs; for the HTTP runs, how many requests HerdPass itself took over 25, 50
# and 100 ms (GET /metrics); the stalls; and the log's slow statements by name, checkpoints and
# autovacuums.
set -euo pipefail

build=${1:?usage: pg_trace.sh BUILD_DIR WORK_DIR SQLITE_DB MARKETS FROM TO SECONDS}
work=${2:?}
sqlite_db=${3:?}
markets=${4:?}
from=${5:?}
to=${6:?}
seconds=${7:-20}
slow_ms=${PG_TRACE_SLOW_MS:-40}
shared_buffers=${PG_TRACE_SHARED_BUFFERS:-1GB}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
herdpass=$build/cli/herdpass
load=$build/bench/load_client
raw=$build/bench/raw_sqlite_bench
password=bench-password-0123456789
pgbench=/usr/lib/postgresql/15/bin/pgbench
psql=/usr/lib/postgresql/15/bin/psql

say() { echo "bench: $*" >&2; }
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/herdpass-bench-pgtrace.XXXXXX")
chmod 755 "$pgdir"
server_pid=
vmstat_pid=
stalls_pid=
cleanup() {
  [[ -n $server_pid ]] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  local pid
  for pid in $vmstat_pid $stalls_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -f $pgdir/cluster/cluster ]]; then
    cp "$(<"$pgdir/cluster/cluster")/server.log" "$work/pg-trace-postgres.log" 2>/dev/null || true
  fi
  "$root/tests/support/pg_cluster.sh" stop "$pgdir/cluster" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$work/pg-trace-data" "$work/pg-trace-csv"
}
trap cleanup EXIT

explain_analyze=off
[[ ${PG_TRACE_EXPLAIN_ANALYZE:-0} == 1 ]] && explain_analyze=on
cat >"$pgdir/log.conf" <<CONF
log_line_prefix = '%m [%p] %q%a '
log_checkpoints = on
log_autovacuum_min_duration = 0
log_temp_files = 0
log_lock_waits = on
deadlock_timeout = 20ms
log_min_duration_statement = -1
shared_preload_libraries = 'pg_stat_statements,auto_explain'
pg_stat_statements.track_planning = on
auto_explain.log_min_duration = -1
auto_explain.log_analyze = $explain_analyze
auto_explain.log_buffers = $explain_analyze
auto_explain.log_timing = off
auto_explain.log_nested_statements = on
track_io_timing = on
track_wal_io_timing = on
CONF
PG_CLUSTER_SHARED_BUFFERS=$shared_buffers PG_CLUSTER_CONF=$pgdir/log.conf \
  "$root/tests/support/pg_cluster.sh" start "$pgdir/cluster" >&2
conninfo=$(cat "$pgdir/cluster/conninfo")
port=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$conninfo")
"$psql" -X -q "$conninfo" -c "CREATE DATABASE herdpass"
db="postgresql://postgres@127.0.0.1:$port/herdpass?sslmode=disable"
pg="host=127.0.0.1 port=$port user=postgres dbname=herdpass sslmode=disable"
# JIT off for pgbench and psql too, as HerdPass's connections have it (store/postgres/connection.cpp).
export PGOPTIONS="-c jit=off"
data=$work/pg-trace-data
"$herdpass" init --data "$data" --db "$db" --region KZ --authority KZ-ABY >"$work/pg-trace-init.log"
echo "$password" | "$herdpass" user add --data "$data" --username bench-vet --role vet \
  >>"$work/pg-trace-init.log"

# --- the copy: SQLite's ms and day numbers as PostgreSQL timestamps and dates ---------------------
ts() { echo "strftime('%Y-%m-%d %H:%M:%f+00', $1 / 1000.0, 'unixepoch')"; }
day() { echo "date($1 * 86400, 'unixepoch')"; }
csv=$work/pg-trace-csv
mkdir -p "$csv"
say "PostgreSQL trace: copying owners, holdings, certificates, movements and passages from $sqlite_db"
sqlite3 -csv "$sqlite_db" \
  "SELECT id, phone, name, village, authority, $(ts created_at), revision FROM owners" >"$csv/owners.csv"
sqlite3 -csv "$sqlite_db" \
  "SELECT id, authority, code, kind, name, owner_id, owner_masked_name, lat, lon, $(day opened_on),
   $(day closed_on), $(ts created_at) FROM holdings" >"$csv/holdings.csv"
sqlite3 -csv "$sqlite_db" \
  "SELECT id, number, authority, kid, owner_id, species, head_count, purpose, origin, origin_place,
   destination, destination_place, transport, $(ts issued_at), $(ts valid_until), vet_id, vet_name,
   owner_masked_name, owner_phone_last4, hp1, status, $(ts consumed_at), consumed_by,
   consumed_by_name, consumed_place, $(ts revoked_at), revoked_by, revoke_reason, buyer_id
   FROM certificates" >"$csv/certificates.csv"
sqlite3 -csv "$sqlite_db" \
  "SELECT certificate_id, origin_holding_id, destination_holding_id, destination_scope,
   $(ts arrived_at), arrival_holding_id, head_counted, tags_seen, missing_tags, extra_tags, mismatch
   FROM movements" >"$csv/movements.csv"
sqlite3 -csv "$sqlite_db" \
  "SELECT lower(hex(id)), certificate_id, holding_id, $(ts scanned_at), head_seen, note,
   recorded_by, $(ts received_at), flag, authority FROM passages" >"$csv/passages.csv"
"$psql" -X -q -v ON_ERROR_STOP=1 "$pg" >&2 <<SQL
BEGIN;
SET session_replication_role = replica;
\\copy owners(id, phone, name, village, authority, created_at, revision) FROM '$csv/owners.csv' CSV
\\copy holdings(id, authority, code, kind, name, owner_id, owner_masked_name, lat, lon, opened_on, closed_on, created_at) FROM '$csv/holdings.csv' CSV
\\copy certificates(id, number, authority, kid, owner_id, species, head_count, purpose, origin, origin_place, destination, destination_place, transport, issued_at, valid_until, vet_id, vet_name, owner_masked_name, owner_phone_last4, hp1, status, consumed_at, consumed_by, consumed_by_name, consumed_place, revoked_at, revoked_by, revoke_reason, buyer_id) FROM '$csv/certificates.csv' CSV
\\copy movements(certificate_id, origin_holding_id, destination_holding_id, destination_scope, arrived_at, arrival_holding_id, head_counted, tags_seen, missing_tags, extra_tags, mismatch) FROM '$csv/movements.csv' CSV
\\copy passages(id, certificate_id, holding_id, scanned_at, head_seen, note, recorded_by, received_at, flag, authority) FROM '$csv/passages.csv' CSV
SELECT setval(pg_get_serial_sequence('owners', 'id'), (SELECT max(id) FROM owners));
SELECT setval(pg_get_serial_sequence('holdings', 'id'), (SELECT max(id) FROM holdings));
COMMIT;
VACUUM (ANALYZE);
SQL
rm -rf "$csv"
# The load on disk before anything is measured, as bench/run.sh syncs its copies of the data sets:
# the copy and VACUUM leave gigabytes to write back (data files, WAL, the CSV files' freed blocks),
# and a run measured meanwhile measures that too (bench/RESULTS.md, "PostgreSQL trace tail").
settle_start=$SECONDS
"$psql" -X -q "$pg" -c "CHECKPOINT"
sync
say "PostgreSQL trace: checkpoint and sync after the load took $((SECONDS - settle_start)) s"
movements=$("$psql" -X -A -t "$pg" -c "SELECT count(*) FROM movements")
say "PostgreSQL trace: $movements movements copied"
"$psql" -X -q "$pg" -c "CREATE EXTENSION pg_stat_statements"

# --- the cluster's log, run by run ---------------------------------------------------------------------
# Starts run NAME: its slow-statement threshold (ms), a mark in the log, pg_stat_statements reset.
phase() {  # NAME SLOW_MS
  "$psql" -X -q "$pg" -c "ALTER SYSTEM SET log_min_duration_statement = $2" \
    -c "ALTER SYSTEM SET auto_explain.log_min_duration = $2" -c "SELECT pg_reload_conf()" \
    -c "SELECT pg_stat_statements_reset()" -c "SELECT pg_stat_reset_shared('wal')" \
    -c "SELECT pg_stat_reset_shared('bgwriter')" \
    -c "DO \$\$BEGIN RAISE LOG 'pg_trace phase $1 (statements over $2 ms logged)'; END\$\$" \
    >/dev/null
}
# Appends the busiest statements since the mark to pg-trace-statements.txt.
statements() {  # NAME
  {
    echo "== $1"
    "$psql" -X -q -P pager=off "$pg" -c "SELECT calls, round(mean_plan_time::numeric, 2) AS plan_mean,
      round(max_plan_time::numeric, 2) AS plan_max, round(mean_exec_time::numeric, 2) AS exec_mean,
      round(max_exec_time::numeric, 2) AS exec_max, round(stddev_exec_time::numeric, 2) AS exec_sd,
      shared_blks_read AS blks_read, round(blk_read_time::numeric, 2) AS read_ms,
      shared_blks_written AS blks_written, round(blk_write_time::numeric, 2) AS write_ms,
      left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query
      FROM pg_stat_statements WHERE calls > 1 ORDER BY total_exec_time + total_plan_time DESC LIMIT 12" \
      -c "SELECT wal_records, wal_bytes, wal_buffers_full, wal_write, wal_sync,
      round(wal_write_time::numeric, 2) AS wal_write_ms, round(wal_sync_time::numeric, 2) AS wal_sync_ms
      FROM pg_stat_wal" \
      -c "SELECT buffers_alloc, buffers_backend, buffers_backend_fsync, buffers_clean,
      buffers_checkpoint FROM pg_stat_bgwriter"
  } >>"$work/pg-trace-statements.txt" 2>&1 || true
  # In the bench log: what a statement may wait for besides its own work. A read of a block not in
  # shared_buffers is a system call (a disk read if the kernel dropped it); a dirty buffer a
  # statement evicts it writes itself, after the WAL up to its change is flushed (fsync): WAL syncs
  # beyond the WAL writer's (about 5 a second) are those.
  "$psql" -X -A -t "$pg" -c "SELECT format('bench: PostgreSQL, %s: %s blocks read and %s written by the statements (%s ms, %s ms), %s WAL syncs (%s ms)',
      '$1', sum(shared_blks_read), sum(shared_blks_written), round(sum(blk_read_time)::numeric),
      round(sum(blk_write_time)::numeric), (SELECT wal_sync FROM pg_stat_wal),
      (SELECT round(wal_sync_time::numeric) FROM pg_stat_wal))
      FROM pg_stat_statements" >&2 || true
}
: >"$work/pg-trace-statements.txt"
# The machine around it (a shared machine's other work shows as a run queue above 2, or steal):
# vmstat each second with its time, in pg-trace-vmstat.txt, each run marked.
: >"$work/pg-trace-vmstat.txt"
vmstat -t -w 1 >>"$work/pg-trace-vmstat.txt" 2>&1 &
vmstat_pid=$!
# And the moments the machine ran nothing of ours: a process asking to wake every millisecond
# writes each wake-up later than 20 ms, with its time, to pg-trace-stalls.txt. A slow statement or
# request at the same moment as a stall was waiting for the machine (other work on its cores, or
# the virtual machine itself not running), not for PostgreSQL or HerdPass.
: >"$work/pg-trace-stalls.txt"
python3 -u -c '
import time
while True:
    t = time.monotonic()
    time.sleep(0.001)
    late = time.monotonic() - t - 0.001
    if late > 0.020:
        print(time.strftime("%H:%M:%S", time.gmtime()) + ".%03d" % (time.time() * 1000 % 1000),
              "stall %.1f ms" % (late * 1000))
' >>"$work/pg-trace-stalls.txt" 2>&1 &
stalls_pid=$!
# Marks the start of run NAME in both.
mark() { echo "== $1 $(date -u +%T)" | tee -a "$work/pg-trace-vmstat.txt" >>"$work/pg-trace-stalls.txt"; }
# Writes, for each run, the machine's stalls (above) in it: how many, the longest, their sum.
stalls_summary() {
  awk '
    function flush() {
      if (name != "") printf "bench: machine stalls over 20 ms, %s: %d (longest %.1f ms, %.0f ms in all)\n", name, n, max, sum
    }
    /^== / { flush(); name = $2; n = 0; max = 0; sum = 0; next }
    / stall / { ms = $3 + 0; n++; sum += ms; if (ms > max) max = ms }
    END { flush() }
  ' "$work/pg-trace-stalls.txt" >&2 || true
}
# HerdPass's own latency of the trace route, read to response ready (http_request_duration_seconds,
# GET /metrics): the buckets' counts now, "le count" a line.
trace_buckets() {
  curl -sf "http://127.0.0.1:$hport/metrics" |
    sed -n 's|^http_request_duration_seconds_bucket{.*route="/api/v1/trace".*le="\([^"]*\)"} \([0-9]*\)$|\1 \2|p' ||
    true
}
# The same once no trace is in flight: the requests of the previous run that its wrk left
# unanswered at its end are answered (and counted) after it.
trace_buckets_settled() {
  local now before
  now=$(trace_buckets)
  for _ in $(seq 1 50); do
    sleep 0.2
    before=$now
    now=$(trace_buckets)
    [[ $now == "$before" ]] && break
  done
  echo "$now"
}
# Writes, for run NAME, how many of its requests HerdPass took over 25, 50 and 100 ms to answer
# (between trace_buckets before, in $pgdir/buckets, and now): a tail the client saw but the server
# did not is in the machine or the network, not in the server.
server_tail() {  # NAME
  [[ -s $pgdir/buckets ]] || return 0
  trace_buckets | awk -v name="$1" '
    NR == FNR { before[$1] = $2; next }
    { n[$1] = $2 - before[$1]; if ($1 == "+Inf") all = n[$1] }
    END {
      printf "bench: HerdPass trace latency, %s: %d requests, %d over 25 ms, %d over 50 ms, %d over 100 ms (server side: request read to response ready)\n",
        name, all, all - n["0.025"], all - n["0.05"], all - n["0.1"]
    }' "$pgdir/buckets" - >&2 || true
}

# --- HerdPass over HTTP ------------------------------------------------------------------------------
"$herdpass" serve --data "$data" --listen 127.0.0.1:0 --lookups-per-minute 0 \
  >"$work/pg-trace-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "(port [0-9]*[,)]" "$work/pg-trace-server.log" && break
  sleep 0.1
done
hport=$(sed -n 's/.*(port \([0-9]*\)[,)].*/\1/p' "$work/pg-trace-server.log" | head -1)
[[ -n $hport ]] || { cat "$work/pg-trace-server.log" >&2; exit 1; }
token=$(echo "$password" | "$load" login --port "$hport" --username bench-vet)
say "PostgreSQL trace over HTTP, 32 connections (${seconds}s)"
phase c32 1000
mark c32
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout 60 wrk -t2 -c32 -d3s \
  -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" >/dev/null 2>&1 || true
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout $((seconds + 60)) wrk -t2 -c32 \
  -d"${seconds}s" --latency -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" \
  >"$work/pg-trace.txt" 2>&1
statements c32
# The latency without the queue: 2 connections, as many as the cores.
say "PostgreSQL trace over HTTP, 2 connections (${seconds}s)"
phase c2 "$slow_ms"
mark c2
trace_buckets_settled >"$pgdir/buckets"
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout $((seconds + 60)) wrk -t2 -c2 \
  -d"${seconds}s" --latency -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" \
  >"$work/pg-trace-c2.txt" 2>&1
statements c2
server_tail c2
# A stated load below saturation: 32 connections paced at half the rate of the first run.
rate=$(sed -n 's/^HP_RESULT.* rps=\([0-9.]*\).*/\1/p' "$work/pg-trace.txt" | awk '{ printf "%.1f", $1 / 2 }')
say "PostgreSQL trace over HTTP, 32 connections paced at $rate req/s (${seconds}s)"
phase paced "$slow_ms"
mark paced
HP_RATE=$rate HP_THREADS=2 HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout 60 \
  wrk -t2 -c32 -d3s -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" >/dev/null 2>&1 || true
trace_buckets_settled >"$pgdir/buckets"
HP_RATE=$rate HP_THREADS=2 HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token \
  timeout $((seconds + 60)) wrk -t2 -c32 -d"${seconds}s" --latency -s "$root/bench/trace.lua" \
  "http://127.0.0.1:$hport/" >"$work/pg-trace-paced.txt" 2>&1
statements paced
server_tail paced
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

# --- pgbench: the store's query, a random market, 1 client -------------------------------------------
from_ms=$(($(date -u -d "$from" +%s) * 1000))
to_ms=$(($(date -u -d "$to + 1 day" +%s) * 1000))
n=$(wc -l <"$markets")
ids=$(paste -sd, "$markets")
# pgbench has no arrays: the k-th market is looked up in a table of them.
"$psql" -X -q "$pg" -c "CREATE TABLE bench_markets(k integer PRIMARY KEY, holding bigint)" \
  -c "INSERT INTO bench_markets SELECT row_number() OVER (), h FROM unnest(ARRAY[$ids]::bigint[]) h"
{
  echo "\\set k random(1, $n)"
  echo "SELECT holding FROM bench_markets WHERE k = :k \\gset"
  echo "\\set animal 0"
  echo "\\set from_ms $from_ms"
  echo "\\set to_ms $to_ms"
  echo "\\set depth 2"
  echo "\\set forward 1"
  echo "\\set backward 0"
  "$raw" pg-trace-sql
} >"$work/pg-trace.sql"
# The P-th percentile (P/100 of the way, as raw_sqlite_bench's Percentile) of the latencies of
# pgbench's transaction logs PREFIX.* (the third column: a transaction's time in microseconds).
percentile_us() {  # PREFIX P
  cat "$1".* | awk '{ print $3 }' | sort -n |
    awk -v p="$2" '{ v[NR] = $1 } END { print v[int(p / 100 * (NR - 1)) + 1] }'
}
result=HP_RESULT
for clients in 1 32; do
  say "pgbench: the store's trace query, $clients client(s) (${seconds}s)"
  phase "pgbench-c$clients" "$((clients > 1 ? 1000 : slow_ms))"
  mark "pgbench-c$clients"
  timeout $((seconds + 120)) "$pgbench" -n -M prepared -c "$clients" -j "$((clients > 1 ? 2 : 1))" \
    -T "$seconds" -r -l --log-prefix="$pgdir/pgbench-c$clients" -f "$work/pg-trace.sql" "$pg" \
    >"$work/pg-trace-pgbench-c$clients.txt" 2>&1
  statements "pgbench-c$clients"
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pg-trace-pgbench-c$clients.txt" | head -1)
  suffix=
  [[ $clients == 1 ]] || suffix=_c$clients
  result+=" traces_per_s$suffix=$tps p50_us$suffix=$(percentile_us "$pgdir/pgbench-c$clients" 50)"
  result+=" p99_us$suffix=$(percentile_us "$pgdir/pgbench-c$clients" 99)"
done
echo "$result movements=$movements" >"$work/pg-trace-ref.txt"
first=$(head -1 "$markets")
sed -e "s/:holding/$first/g; s/:animal/0/g; s/:from_ms/$from_ms/g; s/:to_ms/$to_ms/g" \
  -e "s/:depth/2/g; s/:forward/1/g; s/:backward/0/g" <("$raw" pg-trace-sql) |
  sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /' | "$psql" -X "$pg" >"$work/pg-trace-plan.txt" 2>&1 || true
# PG_TRACE_PLAN_SQL=FILE: EXPLAIN ANALYZE of its statements too (one a line, parameters written
# in), to WORK_DIR/pg-trace-plan-extra.txt: another form of the query, say the one before a change.
if [[ -n ${PG_TRACE_PLAN_SQL:-} ]]; then
  sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /' "$PG_TRACE_PLAN_SQL" | "$psql" -X "$pg" \
    >"$work/pg-trace-plan-extra.txt" 2>&1 || true
fi
phase end -1
kill "$vmstat_pid" "$stalls_pid" 2>/dev/null || true
wait "$vmstat_pid" "$stalls_pid" 2>/dev/null || true
vmstat_pid=
stalls_pid=
stalls_summary
cat "$work/pg-trace.txt" "$work/pg-trace-ref.txt" >&2
# The log's summary, run by run (before the first mark: the copy, VACUUM and ANALYZE).
awk '
  function flush() {
    if (name == "") return
    line = "bench: PostgreSQL log, " name ": " slow " slow statements"
    if (slow > 0) {
      line = line " ("; sep = ""
      for (k in count) { line = line sep k " " count[k] " (max " max[k] " ms)"; sep = ", " }
      line = line ")"
    }
    line = line "; checkpoints " started " started, " done " complete" ckpt
    line = line "; autovacuum " vac "; autoanalyze " ana "; temp files " temp "; lock waits " waits
    print line
  }
  function reset() {
    slow = 0; started = 0; done = 0; ckpt = ""; vac = ""; ana = ""; temp = 0; waits = 0
    delete count; delete max
  }
  BEGIN { name = "load"; reset() }
  / LOG:  pg_trace phase / {
    flush(); reset(); name = $0; sub(/.*pg_trace phase /, "", name); sub(/ \(.*/, "", name)
    if (name == "end") name = ""
    next
  }
  / LOG:  duration: [0-9.]+ ms  (execute|statement|bind|parse)/ {
    ms = $0; sub(/.* duration: /, "", ms); sub(/ ms.*/, "", ms)
    what = $0; sub(/.* ms  /, "", what)
    if (what ~ /^execute /) { sub(/^execute /, "", what); sub(/:.*/, "", what) }
    else what = substr(what, 1, 40)
    slow++; count[what]++; if (ms + 0 > max[what] + 0) max[what] = ms
    next
  }
  / LOG:  checkpoint starting/ { started++; next }
  / LOG:  checkpoint complete/ {
    done++; t = $0; sub(/.*; write=/, "write=", t); sub(/, total=.*/, "", t); ckpt = ckpt " (" t ")"
    next
  }
  / LOG:  automatic vacuum of table/ { t = $0; sub(/.*table "/, "", t); sub(/".*/, "", t); vac = vac " " t; next }
  / LOG:  automatic analyze of table/ { t = $0; sub(/.*table "/, "", t); sub(/".*/, "", t); ana = ana " " t; next }
  / LOG:  temporary file/ { temp++; next }
  /still waiting for/ { waits++; next }
  END { flush() }
' "$(<"$pgdir/cluster/cluster")/server.log" >&2 || true
