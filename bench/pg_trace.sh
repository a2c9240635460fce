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
set -euo pipefail

build=${1:?usage: pg_trace.sh BUILD_DIR WORK_DIR SQLITE_DB MARKETS FROM TO SECONDS}
work=${2:?}
sqlite_db=${3:?}
markets=${4:?}
from=${5:?}
to=${6:?}
seconds=${7:-20}
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
cleanup() {
  [[ -n $server_pid ]] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  "$root/tests/support/pg_cluster.sh" stop "$pgdir/cluster" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$work/pg-trace-data" "$work/pg-trace-csv"
}
trap cleanup EXIT

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
movements=$("$psql" -X -A -t "$pg" -c "SELECT count(*) FROM movements")
say "PostgreSQL trace: $movements movements copied"

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
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout 60 wrk -t2 -c32 -d3s \
  -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" >/dev/null 2>&1 || true
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout $((seconds + 60)) wrk -t2 -c32 \
  -d"${seconds}s" --latency -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" \
  >"$work/pg-trace.txt" 2>&1
# The latency without the queue: 2 connections, as many as the cores.
say "PostgreSQL trace over HTTP, 2 connections (${seconds}s)"
HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout $((seconds + 60)) wrk -t2 -c2 \
  -d"${seconds}s" --latency -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" \
  >"$work/pg-trace-c2.txt" 2>&1
# A stated load below saturation: 32 connections paced at half the rate of the first run.
rate=$(sed -n 's/^HP_RESULT.* rps=\([0-9.]*\).*/\1/p' "$work/pg-trace.txt" | awk '{ printf "%.1f", $1 / 2 }')
say "PostgreSQL trace over HTTP, 32 connections paced at $rate req/s (${seconds}s)"
HP_RATE=$rate HP_THREADS=2 HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token timeout 60 \
  wrk -t2 -c32 -d3s -s "$root/bench/trace.lua" "http://127.0.0.1:$hport/" >/dev/null 2>&1 || true
HP_RATE=$rate HP_THREADS=2 HP_TAGS=$markets HP_FROM=$from HP_TO=$to HP_TOKEN=$token \
  timeout $((seconds + 60)) wrk -t2 -c32 -d"${seconds}s" --latency -s "$root/bench/trace.lua" \
  "http://127.0.0.1:$hport/" >"$work/pg-trace-paced.txt" 2>&1
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
  timeout $((seconds + 120)) "$pgbench" -n -M prepared -c "$clients" -j "$((clients > 1 ? 2 : 1))" \
    -T "$seconds" -r -l --log-prefix="$pgdir/pgbench-c$clients" -f "$work/pg-trace.sql" "$pg" \
    >"$work/pg-trace-pgbench-c$clients.txt" 2>&1
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
cat "$work/pg-trace.txt" "$work/pg-trace-ref.txt" >&2
