#!/usr/bin/env bash
# W1 batch sync and W2 lookup on PostgreSQL against pgbench running the same statements on the same
# PostgreSQL instance in the same run (issue 4's benchmark). Called by bench/run.sh:
#   bench/pg_bench.sh BUILD_DIR WORK_DIR SECONDS
# Writes WORK_DIR/pg-*.txt, each with an "HP_RESULT key=value ..." line:
#   pg-w1.txt         HerdPass W1, batches of 500, 4 clients (load_client w1)
#   pg-w1-ref.txt     pgbench, 4 clients, one transaction of the same 500 INSERTs (InsertVaccination)
#   pg-w2.txt         HerdPass W2 through wrk (bench/lookup.lua), 32 connections
#   pg-w2-ref.txt     pgbench, 32 clients, W2's statements (owner, animals, vaccinations since)
# The PostgreSQL server is a throwaway one (tests/support/pg_cluster.sh: fsync on, loopback port).
# With PG_BENCH_STATEMENTS=1 the cluster loads pg_stat_statements and, after each HerdPass phase,
# WORK_DIR/pg-w1-statements.txt and pg-w2-statements.txt list the statements the server ran in that
# phase (calls, rows, total ms), to count them per batch and per lookup; the module costs a little
# time per statement, so the figures of such a run are not the ones to record.
set -euo pipefail

build=${1:?usage: pg_bench.sh BUILD_DIR WORK_DIR SECONDS}
work=${2:?usage: pg_bench.sh BUILD_DIR WORK_DIR SECONDS}
seconds=${3:-15}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
herdpass=$build/cli/herdpass
load=$build/bench/load_client
lua=$root/bench/lookup.lua
password=bench-password-0123456789
pgbench=/usr/lib/postgresql/15/bin/pgbench
psql=/usr/lib/postgresql/15/bin/psql

say() { echo "bench: $*" >&2; }
# The server runs as the postgres user when we are root: its directory must be reachable by it.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/herdpass-bench-pg.XXXXXX")
chmod 755 "$pgdir"
server_pid=
cleanup() {
  [[ -n $server_pid ]] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  "$root/tests/support/pg_cluster.sh" stop "$pgdir/cluster" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT

statements=${PG_BENCH_STATEMENTS:-0}
if [[ $statements == 1 ]]; then
  echo "shared_preload_libraries = 'pg_stat_statements'" >"$pgdir/statements.conf"
  echo "pg_stat_statements.track = all" >>"$pgdir/statements.conf"
  PG_CLUSTER_CONF=$pgdir/statements.conf "$root/tests/support/pg_cluster.sh" start "$pgdir/cluster" >&2
else
  "$root/tests/support/pg_cluster.sh" start "$pgdir/cluster" >&2
fi
conninfo=$(cat "$pgdir/cluster/conninfo")
port=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$conninfo")
"$psql" -X -q "$conninfo" -c "CREATE DATABASE herdpass"
db="postgresql://postgres@127.0.0.1:$port/herdpass?sslmode=disable"
pg="host=127.0.0.1 port=$port user=postgres dbname=herdpass sslmode=disable"
# PG_BENCH_STATEMENTS=1: forgets what was counted so far / writes what was counted to FILE.
statements_reset() {
  [[ $statements == 1 ]] || return 0
  "$psql" -X -q -A -t "$pg" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
    -c "SELECT pg_stat_statements_reset()" >/dev/null
}
statements_dump() {
  [[ $statements == 1 ]] || return 0
  "$psql" -X -q "$pg" -c "SELECT calls, rows, round(total_exec_time::numeric, 1) AS total_ms, \
    left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements \
    ORDER BY calls DESC, total_exec_time DESC LIMIT 40" >"$1"
}

data=$work/pg-data
"$herdpass" init --data "$data" --db "$db" --region KZ --authority KZ-ABY >"$work/pg-init.log"
for u in inspector vaccinator; do
  echo "$password" | "$herdpass" user add --data "$data" --username "bench-$u" --role "$u" \
    >>"$work/pg-init.log"
done
"$herdpass" serve --data "$data" --listen 127.0.0.1:0 --lookups-per-minute 0 \
  >"$work/pg-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "(port [0-9]*)" "$work/pg-server.log" && break
  sleep 0.1
done
hport=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/pg-server.log" | head -1)
[[ -n $hport ]] || { cat "$work/pg-server.log" >&2; exit 1; }
login() { echo "$password" | "$load" login --port "$hport" --username "$1"; }

# --- W1 on HerdPass ------------------------------------------------------------------------------
token=$(login bench-vaccinator)
say "PostgreSQL W1: registering the pool of owners and animals"
timeout 300 "$load" setup --port "$hport" --token "$token" --pool-owners 1000 >"$work/pg-w1-setup.txt"
statements_reset
say "PostgreSQL W1 batches of 500 records, 4 clients (${seconds}s)"
timeout $((seconds + 120)) "$load" w1 --port "$hport" --token "$token" --batch 500 \
  --connections 4 --seconds "$seconds" >"$work/pg-w1.txt"
statements_dump "$work/pg-w1-statements.txt"

# --- W2 (before the pgbench INSERTs, which would add records): HerdPass through wrk, then pgbench --
owners=$("$psql" -X -A -t "$pg" -c "SELECT count(*) FROM owners")
"$psql" -X -A -t "$pg" -c "SELECT '8' || substr(phone, 3) FROM owners" >"$work/pg-phones.txt"
records=$("$psql" -X -A -t "$pg" -c "SELECT count(*) FROM vaccinations")
token=$(login bench-inspector)
say "PostgreSQL W2 over $owners owners, $records records, 32 connections (${seconds}s)"
HP_PHONES=$work/pg-phones.txt HP_TOKEN=$token timeout 60 wrk -t2 -c32 -d3s -s "$lua" \
  "http://127.0.0.1:$hport/" >/dev/null 2>&1 || true
statements_reset
HP_PHONES=$work/pg-phones.txt HP_TOKEN=$token timeout $((seconds + 60)) wrk -t2 -c32 \
  -d"${seconds}s" --latency -s "$lua" "http://127.0.0.1:$hport/" >"$work/pg-w2.txt" 2>&1
statements_dump "$work/pg-w2-statements.txt"

# The statements of PostgresStore's W2 (queries.h: the owner, its animals, its vaccinations since a
# date, newest first), for a random owner.
cat >"$work/pg-w2.sql" <<'SQL'
\set o random(1, :owners)
SELECT id, phone, name, village, authority, hp_ms(created_at) FROM owners WHERE id = :o;
SELECT id, owner_id, tag, species, head_count, sex, hp_days(birth_date), authority, hp_ms(created_at) FROM animals WHERE owner_id = :o ORDER BY id;
SELECT v.id, v.owner_id, hp_days(v.administered_on), v.animal_ids, v.species, v.head_count, v.disease, v.vaccine, v.batch_no, v.dose_ml, v.lat, v.lon, v.device_id, v.recorded_by, hp_ms(v.recorded_at), v.authority, v.voided, v.void_reason, hp_ms(v.voided_at), v.corrects FROM vaccinations v WHERE v.owner_id = :o AND v.administered_on >= current_date - 1096 ORDER BY v.administered_on DESC, v.id DESC;
SQL
say "pgbench: W2's statements, 32 clients (${seconds}s)"
timeout $((seconds + 120)) "$pgbench" -n -M prepared -c 32 -j 2 -T "$seconds" -D owners="$owners" \
  -f "$work/pg-w2.sql" "$pg" >"$work/pg-w2-pgbench.txt" 2>&1
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pg-w2-pgbench.txt" | head -1)
echo "HP_RESULT lookups_per_s=$tps owners=$owners records=$records" >"$work/pg-w2-ref.txt"
# --- W1 reference: pgbench with the same INSERTs -------------------------------------------------
# A random owner of the pool, today, a fresh id: store/postgres/queries.h's InsertVaccination.
{
  echo "BEGIN;"
  for _ in $(seq 1 500); do
    echo "\\set o random(1, $owners)"
    echo "WITH u AS (SELECT gen_random_uuid() AS id), i AS (INSERT INTO vaccination_ids(id, owner_id, administered_on) SELECT id, :o, current_date FROM u) INSERT INTO vaccinations(owner_id, administered_on, id, animal_ids, species, head_count, disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, authority, corrects) SELECT :o, current_date, id, ARRAY[:o]::bigint[], 'sheep', 12, 'FMD-O', 'FMD-O-INACT', 'LOT-2025-01', 2.0, NULL, NULL, 'bench', 1, now(), 'KZ-ABY', NULL FROM u;"
  done
  echo "COMMIT;"
} >"$work/pg-w1.sql"
say "pgbench: the same INSERTs, transactions of 500, 4 clients (${seconds}s)"
timeout $((seconds + 120)) "$pgbench" -n -M prepared -c 4 -j 2 -T "$seconds" -f "$work/pg-w1.sql" \
  "$pg" >"$work/pg-w1-pgbench.txt" 2>&1
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pg-w1-pgbench.txt" | head -1)
echo "HP_RESULT records_per_s=$(awk "BEGIN { printf \"%.0f\", $tps * 500 }") tps=$tps" \
  >"$work/pg-w1-ref.txt"

cat "$work"/pg-w1.txt "$work"/pg-w1-ref.txt "$work"/pg-w2.txt "$work"/pg-w2-ref.txt >&2
