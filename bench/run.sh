#!/usr/bin/env bash
# HerdPass benchmarks (DESIGN.md section 10): each HerdPass figure is measured in the same run as
# its reference, and the run ends with one table of ratios. Called by `make bench` as
#   bench/run.sh BUILD_DIR
# Environment (defaults in brackets):
#   BENCH_RECORDS [10000000]      vaccination records of the big data set (50 per owner)
#   BENCH_SMALL_RECORDS [100000]  records of the small data set (W2 growth)
#   BENCH_SECONDS [20]            duration of each measured wrk run
#   BENCH_W1_SECONDS [15]         duration of each W1 run and of the raw SQLite insert run
#   BENCH_CERT_SECONDS [10]       duration of the W3 issuance run
#   BENCH_ONLY []                 "cert": only the certificate benchmarks (W3, W4), no data sets;
#                                 "pg": only W1 and W2 on PostgreSQL against pgbench (bench/pg_bench.sh)
#                                 "web": only the web app's (bench/web/web_bench.mjs, Chromium)
#                                 "photo": only the web app's photo decoding against zbarimg
#                                 (bench/web/photo_bench.mjs, Chromium)
#                                 "fieldcopy": only the web app's field copy (W10) against a
#                                 plain fetch of the same body (bench/web/fieldcopy_bench.mjs)
#   BENCH_FIELDCOPY_OWNERS [2000] demo owners of the field copy's district
#                                 "tls": only W2 over HTTPS against plain HTTP (the small data set),
#                                 without gzip and accepting gzip (as browsers and the app do)
#                                 "journeys": only issue 12's (the big data set): an animal's
#                                 timeline against raw SQLite, arrivals against raw SQLite, a
#                                 buyer's W2 against an ordinary W2
#                                 "outbreak": only issue 13's (the big data set): a trace of depth
#                                 2 forward from a market over 21 days against the same recursive
#                                 query on raw SQLite, and on PostgreSQL against pgbench
#                                 (bench/pg_trace.sh); the ring list of a 10 km zone of 2,000
#                                 holdings (bench/ring_setup.cpp) against its statements on raw
#                                 SQLite; W3 issuance with 50 zones in force against none
#                                 (bench/cert_bench.cpp --zones)
#                                 The timeline, trace and ring list each give three p99 rows,
#                                 each naming its load: 32 connections unpaced (wrk's closed
#                                 loop, saturated: the p99 is mostly the wait in the queue of 32
#                                 on 2 cores; info, beside the reference's p99 with 32 in flight
#                                 too: raw_sqlite_bench --threads 32, pgbench -c 32); 2
#                                 connections (= the cores, no queue; the issue's target); 32
#                                 connections paced at half the rate the unpaced 32 reached in
#                                 the same run (bench/wrk_pace.lua; offered and achieved rates
#                                 and late sends in the row; the issue's target). The references
#                                 of the last two are the raw query's p99 at 1 thread/client.
#                                 "w2": only W2 with gzip (bytes, req/s against nginx gzip_static
#                                 of the same bytes) and a W1 sync batch gzip against plain
#                                 "sms": only SMS handed to Kannel: W1 receipts queued, then sent
#                                 by `herdpass serve --sms-gateway` to a real bearerbox and smsbox
#                                 (the SMS tests' fixture, a fake SMSC taking everything), against
#                                 a plain HTTP client sending the same texts to sendsms
#                                 (bench/sms_bench.cpp)
#                                 "reminders": only W15's reminder job (the big data set):
#                                 `herdpass sms remind` against its selection statement
#                                 (SelectReminderRows) run straight on SQLite
#                                 (raw_sqlite_bench reminders)
#   BENCH_SMS_MESSAGES [5000]     receipts of the SMS benchmark
#   BENCH_OUT [bench/out]         seeded data sets (cached, keyed by schema version) and run logs
# Loopback only. Every process it starts is stopped on exit.
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$build" && pwd)
records=${BENCH_RECORDS:-10000000}
small_records=${BENCH_SMALL_RECORDS:-100000}
duration=${BENCH_SECONDS:-20}
w1_seconds=${BENCH_W1_SECONDS:-15}
out=${BENCH_OUT:-$root/bench/out}
authority=KZ-ABY
password=bench-password-0123456789

herdpass=$build/cli/herdpass
seed=$build/bench/seed
raw=$build/bench/raw_sqlite_bench
load=$build/bench/load_client
certb=$build/bench/cert_bench
ringsetup=$build/bench/ring_setup
smsb=$build/bench/sms_bench
lua=$root/bench/lookup.lua
timeline_lua=$root/bench/timeline.lua

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || {
    echo "bench: $tool is missing (scripts/deps.sh bench installs it)" >&2
    exit 1
  }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for bin in "$herdpass" "$seed" "$raw" "$load" "$certb" "$smsb"; do
  [[ -x $bin ]] || { echo "bench: $bin is not built" >&2; exit 1; }
done

mkdir -p "$out"
# Keep the logs of the last few runs only.
find "$out" -maxdepth 1 -name 'run.*' -type d -printf '%T@ %p\n' | sort -rn | tail -n +5 |
  cut -d' ' -f2- | xargs -r rm -rf
work=$(mktemp -d "$out/run.XXXXXX")
log=$work/bench.log
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # The work copies of the data sets are large; keep only the logs.
  rm -rf "$work/big" "$work/small" "$work/w1" "$work/raw.db" "$work/raw.db-wal" "$work/raw.db-shm" \
    "$work/cert" "$work/pg-data" "$work/backup-big" "$work/journeys" "$work/sms" \
    "$work/outbreak" "$work/cert-zones"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*" | tee -a "$log" >&2; }

# A value from a "HP_RESULT key=value ..." line.
field() { sed -n "s/.*HP_RESULT.* $2=\([^ ]*\).*/\1/p; s/^HP_RESULT $2=\([^ ]*\).*/\1/p" "$1" | head -1; }

calc() { awk "BEGIN { printf \"%s\", $1 }"; }

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port" >&2
  return 1
}

# Waits up to 30 s for a pattern in a file.
wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 1 300); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: timed out waiting for '$pattern' in $file" >&2
  cat "$file" >&2 || true
  return 1
}

# init + the two benchmark users in DIR.
init_data_dir() {
  local dir=$1
  "$herdpass" init --data "$dir" --region KZ --authority "$authority" >"$dir.init.log"
  echo "$password" | "$herdpass" user add --data "$dir" --username bench-inspector \
    --role inspector >>"$dir.init.log"
  echo "$password" | "$herdpass" user add --data "$dir" --username bench-vaccinator \
    --role vaccinator >>"$dir.init.log"
}

# A seeded data set of N records, cached in $out keyed by schema version and generator, so that a
# second run does not reseed. Prints its directory; its seeding time is in DIR/seed.result. Every
# data set has the journeys data too (bench/seed.cpp --journeys; its files in DIR).
schema=$("$seed" --schema-version)
generator=$(cat "$root/bench/seed.cpp" "$root/bench/workload.h" | sha256sum | cut -c1-10)
dataset() {
  local n=$1
  local dir=$out/data-schema$schema-gen$generator-records$n
  if [[ -f $dir/complete ]]; then
    say "data set of $n records: cached in $dir"
  else
    # A data set of another schema or generator is stale: drop it rather than fill the disk.
    rm -rf "$out"/data-*-records"$n" "$out"/data-*-records"$n".*
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    say "seeding $n records into $dir (schema $schema)"
    init_data_dir "$dir.tmp/data"
    timeout 7200 "$seed" --data "$dir.tmp/data" --records "$n" --authority "$authority" \
      --phones "$dir.tmp/phones.txt" --journeys "$dir.tmp" 2> >(tee -a "$log" >&2) |
      sed 's/^seeded/HP_RESULT/' \
      >"$dir.tmp/seed.result"
    touch "$dir.tmp/complete"
    mv "$dir.tmp" "$dir"
    touch "$work/seeded-$n"
    say "seeded: $(cat "$dir/seed.result")"
  fi
  echo "$dir"
}

server_pid=
server_port=
# Starts `herdpass serve` on a free port of 127.0.0.1 for data directory $1.
start_server() {  # DIR NAME [more serve arguments]
  local dir=$1 name=$2
  shift 2
  "$herdpass" serve --data "$dir" --listen 127.0.0.1:0 --lookups-per-minute 0 "$@" \
    >"$work/$name.server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "$work/$name.server.log" "(port [0-9]*[,)]"
  server_port=$(sed -n 's/.*(port \([0-9]*\)[,)].*/\1/p' "$work/$name.server.log" | head -1)
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

login() {
  echo "$password" | "$load" login --port "$server_port" --username "$1"
}

# wrk with bench/lookup.lua against port $1; result lines in $2. A short warm-up run first.
# $5: the scheme, http (default) or https. $6: another script (bench/timeline.lua: $3 is then the
# file of tags). $7: 1 to accept gzip (Accept-Encoding: gzip). $8: connections (default 32).
# $9: a rate in requests/s to pace them at (bench/wrk_pace.lua; default none: closed loop).
run_wrk() {
  local port=$1 result=$2 phones=$3 token=$4 scheme=${5:-http} script=${6:-$lua} gzip=${7:-0}
  local conns=${8:-32} rate=${9:-}
  local pace=()
  [[ -n $rate ]] && pace=(HP_RATE="$rate" HP_THREADS=2)
  env "${pace[@]}" HP_GZIP=$gzip HP_PHONES=$phones HP_TAGS=$phones HP_TOKEN=$token timeout 60 \
    wrk -t2 -c"$conns" -d3s -s "$script" "$scheme://127.0.0.1:$port/" >"$result.warmup" 2>&1 || true
  env "${pace[@]}" HP_GZIP=$gzip HP_PHONES=$phones HP_TAGS=$phones HP_TOKEN=$token \
    timeout $((duration + 60)) wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$script" \
    "$scheme://127.0.0.1:$port/" >"$result" 2>&1
  cat "$result" >>"$log"
  local non2xx
  non2xx=$(field "$result" non2xx)
  if [[ ${non2xx:-1} != 0 ]]; then
    say "WARNING: $non2xx responses were not 2xx in $(basename "$result")"
  fi
  # Requests wrk gave up on (its timeout is 2 s) are not in its latencies: a p99 is then too low.
  local lost
  lost=$(field "$result" socket_errors)
  if [[ ${lost:-1} != 0 ]]; then
    say "WARNING: $lost requests timed out or failed in $(basename "$result"); its p99 leaves them out"
  fi
  # Paced: sends that went out late because every connection was busy (bench/wrk_pace.lua).
  local late
  late=$(field "$result" late)
  if [[ -n $rate && ${late:-1} != 0 ]]; then
    say "WARNING: $late sends were late in $(basename "$result") (every connection busy); its p99 leaves the wait out"
  fi
}
# Two W2 loads measured against each other on one server (bench/lookup.lua, 32 connections):
# ROUNDS rounds of A then B, each a wrk run of duration/ROUNDS seconds after one warm-up of each,
# so that a drift of the machine over the runs (a neighbour's load, the page cache) falls on both
# alike rather than on whichever ran second. Each result file gets one HP_RESULT line over its
# rounds: requests and seconds summed, the rate from them, the highest p50 and p99 of its rounds,
# non-2xx answers and socket errors summed.
# $1 port, $2 token, $3 rounds, $4 A's result file, $5 A's phones, $6 B's result file, $7 B's phones.
run_wrk_alternated() {
  local port=$1 token=$2 rounds=$3 a=$4 a_phones=$5 b=$6 b_phones=$7
  local slice=$(((duration + rounds - 1) / rounds)) i f
  local -A phones=(["$a"]=$a_phones ["$b"]=$b_phones)
  for f in "$a" "$b"; do
    HP_GZIP=0 HP_PHONES=${phones[$f]} HP_TOKEN=$token timeout 60 \
      wrk -t2 -c32 -d3s -s "$lua" "http://127.0.0.1:$port/" >"$f.warmup" 2>&1 || true
    : >"$f.rounds"
  done
  for ((i = 1; i <= rounds; i++)); do
    for f in "$a" "$b"; do
      HP_GZIP=0 HP_PHONES=${phones[$f]} HP_TOKEN=$token timeout $((slice + 60)) \
        wrk -t2 -c32 -d"${slice}s" --latency -s "$lua" "http://127.0.0.1:$port/" >"$f.$i" 2>&1
      cat "$f.$i" >>"$log"
      grep '^HP_RESULT' "$f.$i" >>"$f.rounds"
    done
  done
  for f in "$a" "$b"; do
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           req += v["requests"]; sec += v["seconds"]; non2xx += v["non2xx"]; err += v["socket_errors"]
           if (v["p50_us"] > p50) p50 = v["p50_us"]; if (v["p99_us"] > p99) p99 = v["p99_us"] }
         END { printf "HP_RESULT requests=%d seconds=%.2f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d rounds=%d\n",
               req, sec, req / sec, p50, p99, non2xx, err, NR }' "$f.rounds" >"$f"
    cat "$f" >>"$log"
    if [[ $(field "$f" non2xx) != 0 || $(field "$f" socket_errors) != 0 ]]; then
      say "WARNING: $(field "$f" non2xx) answers not 2xx, $(field "$f" socket_errors) requests failed in $(basename "$f")"
    fi
  done
}
# Half the rate of a wrk result file: the load of the paced runs (bench/wrk_pace.lua).
half_rate() { calc "sprintf(\"%.1f\", $(field "$1" rps) / 2)"; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

row() {  # measure herdpass reference ratio target ok
  printf '| %s | %s | %s | %s | %s | %s |\n' "$@"
}
check() { awk "BEGIN { print ($1) ? \"yes\" : \"NO\" }"; }
ratio() { calc "sprintf(\"%.2f\", $1 / $2)"; }

# --- W3 issuance and W4 verification against raw libsodium (same run, same machine) --------------
cert_seconds=${BENCH_CERT_SECONDS:-10}
cert_rows() {
  local f=$work/cert.txt
  local signs verifies issue verify
  signs=$(field "$f" raw_signs_per_s)
  verifies=$(field "$f" raw_verifies_per_s)
  issue=$(field "$f" issue_per_s)
  verify=$(field "$f" verify_per_s)
  row "W3 issuance, certificates/s signed and stored, $(field "$f" issue_threads) issuers" "$issue" \
    "$signs (libsodium signs/s, 1 core)" "$(ratio "$issue" "$signs")" ">= 0.5x" \
    "$(check "$issue / $signs >= 0.5")"
  row "W4 verification of an HP1 string ($(field "$f" hp1_chars) chars), 1 core" "$verify" \
    "$verifies (libsodium verifies/s, 1 core)" "$(ratio "$verify" "$verifies")" ">= 0.8x" \
    "$(check "$verify / $verifies >= 0.8")"
}
run_cert_bench() {
  sync
  say "W3 issuance (${cert_seconds}s) and W4 verification against raw libsodium"
  timeout $((cert_seconds + 300)) "$certb" --data "$work/cert" --seconds "$cert_seconds" \
    >"$work/cert.txt" 2> >(tee -a "$log" >&2)
  cat "$work/cert.txt" >>"$log"
}

# --- W1 and W2 on PostgreSQL against pgbench on the same server (same run, same machine) ----------
pg_rows() {
  local w1 w1_ref w2 w2_ref
  w1=$(field "$work/pg-w1.txt" records_per_s)
  w1_ref=$(field "$work/pg-w1-ref.txt" records_per_s)
  w2=$(field "$work/pg-w2.txt" rps)
  w2_ref=$(field "$work/pg-w2-ref.txt" lookups_per_s)
  local w2_label w2_p99
  w2_p99=$(calc "sprintf(\"%.2f ms\", $(field "$work/pg-w2.txt" p99_us) / 1000)")
  w2_label="PostgreSQL W2 lookup req/s, $(field "$work/pg-w2-ref.txt" records) records of"
  w2_label+=" $(field "$work/pg-w2-ref.txt" owners) owners, 32 conns (p99 $w2_p99)"
  row "$w2_label" "$(calc "sprintf(\"%.0f\", $w2)")" \
    "$(calc "sprintf(\"%.0f\", $w2_ref)") (pgbench, W2's 3 statements, 32 clients)" \
    "$(ratio "$w2" "$w2_ref")" ">= 0.5x" "$(check "$w2 / $w2_ref >= 0.5")"
  row "PostgreSQL W1 batch of 500, records/s, 4 clients (p99 $(field "$work/pg-w1.txt" p99_ms) ms)" \
    "$w1" "$w1_ref (pgbench, the same INSERTs, txn 500, 4 clients)" "$(ratio "$w1" "$w1_ref")" \
    ">= 0.5x" "$(check "$w1 / $w1_ref >= 0.5")"
}
run_pg_bench() {
  sync
  say "W1 and W2 on PostgreSQL against pgbench (${w1_seconds}s each)"
  timeout $((4 * w1_seconds + 900)) "$root/bench/pg_bench.sh" "$build" "$work" "$w1_seconds" \
    2> >(tee -a "$log" >&2)
}

# --- the web app in Debian's chromium: JS size, time to interactive at 4x CPU throttling, offline
# verification against a bare WebCrypto Ed25519 verification in the same page ---------------------
web_rows() {
  local f=$work/web.txt
  row "web: first screen JavaScript, gzipped ($(field "$f" js_first_files) files; all chunks $(field "$f" js_all_gzip_kib) KiB)" \
    "$(field "$f" js_first_gzip_kib) KiB" "150 KiB (target)" \
    "$(ratio "$(field "$f" js_first_gzip_kib)" 150)" "< 1x" "$(check "$(field "$f" js_first_gzip_kib) < 150")"
  row "web: time to interactive, cold, CPU 4x (median of $(field "$f" runs))" \
    "$(field "$f" tti_4x_median_ms) ms" "$(field "$f" blank_4x_median_ms) ms (blank page, same browser)" \
    "$(ratio "$(field "$f" tti_4x_median_ms)" "$(field "$f" blank_4x_median_ms)")" "< 3000 ms" \
    "$(check "$(field "$f" tti_4x_median_ms) < 3000")"
  local page
  for page in root verify; do
    local label=/
    [[ $page == verify ]] && label=/verify
    row "web: Lighthouse mobile $label, performance (median of $(field "$f" lighthouse_runs): $(field "$f" lighthouse_${page}_performance_all))" \
      "$(field "$f" lighthouse_${page}_performance)" "" "" ">= 90" "$(check "$(field "$f" lighthouse_${page}_performance) >= 90")"
    row "web: Lighthouse mobile $label, total blocking time ($(field "$f" lighthouse_${page}_tbt_all) ms)" \
      "$(field "$f" lighthouse_${page}_tbt_ms) ms" "" "" "< 200 ms" "$(check "$(field "$f" lighthouse_${page}_tbt_ms) < 200")"
    row "web: Lighthouse mobile $label, accessibility (lowest)" \
      "$(field "$f" lighthouse_${page}_accessibility)" "" "" "100" "$(check "$(field "$f" lighthouse_${page}_accessibility) == 100")"
    row "web: cold $label at 400 kbps, 400 ms RTT, CPU 4x: first paint (median of $(field "$f" poor_runs))" \
      "$(field "$f" poor_${page}_painted_median_ms) ms" "" "" "< 1500 ms" "$(check "$(field "$f" poor_${page}_painted_median_ms) < 1500")"
    row "web: cold $label at 400 kbps, 400 ms RTT, CPU 4x: usable (median; max $(field "$f" poor_${page}_usable_max_ms) ms)" \
      "$(field "$f" poor_${page}_usable_median_ms) ms" "" "" "< 3000 ms" "$(check "$(field "$f" poor_${page}_usable_median_ms) < 3000")"
  done
  row "web: reopening the vaccinator screen from the service worker, CPU 4x" \
    "$(field "$f" reopen_vaccinator_4x_median_ms) ms" "" "" "(info)" ""
  local r
  for r in 1 4; do
    row "web: offline HP1 verification in the browser, CPU ${r}x (median; p95 $(field "$f" verify_${r}x_p95_ms) ms; $(field "$f" verify_${r}x_status))" \
      "$(field "$f" verify_${r}x_median_ms) ms" "$(field "$f" raw_ed25519_${r}x_mean_ms) ms (WebCrypto Ed25519 verify)" \
      "$(ratio "$(field "$f" verify_${r}x_median_ms)" "$(field "$f" raw_ed25519_${r}x_mean_ms)")" "< 50 ms" \
      "$(check "$(field "$f" verify_${r}x_median_ms) < 50")"
  done
}
run_web_bench() {
  say "web app in chromium: JS size, time to interactive (CPU 4x), Lighthouse, cold load on a poor link, offline verification"
  timeout 1800 node "$root/bench/web/web_bench.mjs" "$herdpass" "$root/web/dist" \
    >"$work/web.txt" 2> >(tee -a "$log" >&2)
  cat "$work/web.txt" >>"$log"
}




# --- photo decoding in the web app against zbarimg on the same generated photos (issue 11 item 12) --
photo_rows() {
  local f=$work/photo.txt
  row "web: photos of a certificate's QR code read ($(field "$f" photos) generated: sizes, perspective, rotation, blur, dim, JPEG, 12 MP)" \
    "$(field "$f" app_read) (app, zxing-cpp WebAssembly)" "$(field "$f" zbar_read) (zbarimg)" \
    "$(ratio "$(field "$f" app_read)" "$(field "$f" zbar_read)")" ">= 1.0x" \
    "$(check "$(field "$f" app_read) >= $(field "$f" zbar_read)")"
  row "web: time to decode all the photos (sum of medians of $(field "$f" runs))" \
    "$(field "$f" app_ms_total) ms" "$(field "$f" zbar_ms_total) ms (zbarimg)" \
    "$(ratio "$(field "$f" app_ms_total)" "$(field "$f" zbar_ms_total)")" "(info)" ""
  row "web: a 12 MP photo with no code: time to say so (median)" \
    "$(field "$f" none_12mp_app_ms) ms" "$(field "$f" none_12mp_zbar_ms) ms (zbarimg)" \
    "$(ratio "$(field "$f" none_12mp_app_ms)" "$(field "$f" none_12mp_zbar_ms)")" "(info)" ""
}
run_photo_bench() {
  say "photo decoding in chromium against zbarimg on the same photos"
  timeout 1800 node "$root/bench/web/photo_bench.mjs" "$herdpass" "$root/web/dist" \
    >"$work/photo.txt" 2> >(tee -a "$log" >&2)
  cat "$work/photo.txt" >>"$log"
}
# --- the web app's field copy (W10, issue 14 item 4) against a plain fetch of the same body ---------
# The demo district of BENCH_FIELDCOPY_OWNERS owners; the app's time is download, parse and storing
# in IndexedDB; the reference the same request read as text in the same page.
fieldcopy_rows() {
  local f=$work/fieldcopy.txt
  local r
  row "web: field copy of $(field "$f" owners) demo owners ($(field "$f" records) records): bytes on the wire" \
    "$(field "$f" gzip_bytes) B gzip" "$(field "$f" text_bytes) B (NDJSON text)" \
    "$(ratio "$(field "$f" gzip_bytes)" "$(field "$f" text_bytes)")" "(info)" ""
  for r in 1 4; do
    row "web: take the copy into IndexedDB, CPU ${r}x (median of $(field "$f" runs); $(field "$f" records_per_s_${r}x) records/s)" \
      "$(field "$f" take_${r}x_ms) ms" "$(field "$f" ref_${r}x_ms) ms (fetch of the same body)" \
      "$(ratio "$(field "$f" take_${r}x_ms)" "$(field "$f" ref_${r}x_ms)")" "(info)" ""
  done
  row "web: the copy's download at 1 Mbit/s, 100 ms latency" "$(field "$f" download_1mbit_ms) ms" "" "" \
    "(info)" ""
  row "web: refresh with nothing new (the cursor only)" "$(field "$f" refresh_ms) ms" \
    "$(field "$f" refresh_bytes) B on the wire" "" "(info)" ""
  row "web: offline phone check from the copy, CPU 4x (median)" "$(field "$f" lookup_4x_ms) ms" "" "" \
    "< 100 ms" "$(check "$(field "$f" lookup_4x_ms) < 100")"
}
run_fieldcopy_bench() {
  say "field copy in chromium: take, refresh, offline phone check, against a plain fetch of the same body"
  BENCH_FIELDCOPY_OWNERS=${BENCH_FIELDCOPY_OWNERS:-2000} timeout 2400 \
    node "$root/bench/web/fieldcopy_bench.mjs" "$herdpass" "$root/web/dist" \
    >"$work/fieldcopy.txt" 2> >(tee -a "$log" >&2)
  cat "$work/fieldcopy.txt" >>"$log"
}
# --- TLS: W2 over HTTPS against plain HTTP, both keep-alive, same data, same run -----------------
# The small data set; a certificate from `herdpass tls self-signed` (ECDSA P-256; wrk negotiates
# TLS 1.3 and does not check it).
run_tls_bench() {
  local set
  set=$(dataset "$small_records")
  rm -rf "$work/tls-data"
  cp -r --reflink=auto "$set/data" "$work/tls-data"
  start_server "$work/tls-data" tls-plain
  local tok
  tok=$(login bench-inspector)
  say "W2 over plain HTTP at $small_records records"
  run_wrk "$server_port" "$work/w2-plain.txt" "$set/phones.txt" "$tok"
  say "W2 over plain HTTP at $small_records records, accepting gzip"
  run_wrk "$server_port" "$work/w2-plain-gzip.txt" "$set/phones.txt" "$tok" http "$lua" 1
  stop_server
  "$herdpass" tls self-signed --host 127.0.0.1 --out "$work/tls-cert" >>"$log"
  start_server "$work/tls-data" tls-https --tls-cert "$work/tls-cert/server.crt" \
    --tls-key "$work/tls-cert/server.key"
  say "W2 over HTTPS at $small_records records"
  run_wrk "$server_port" "$work/w2-https.txt" "$set/phones.txt" "$tok" https
  say "W2 over HTTPS at $small_records records, accepting gzip"
  run_wrk "$server_port" "$work/w2-https-gzip.txt" "$set/phones.txt" "$tok" https "$lua" 1
  stop_server
}
tls_rows() {
  local plain https
  plain=$(field "$work/w2-plain.txt" rps)
  https=$(field "$work/w2-https.txt" rps)
  row "TLS: W2 req/s over HTTPS, $small_records records, 32 keep-alive conns (p99 $(calc \
    "sprintf(\"%.2f\", $(field "$work/w2-https.txt" p99_us) / 1000)") ms)" "$(calc "sprintf(\"%.0f\", $https)")" \
    "$(calc "sprintf(\"%.0f\", $plain)") (plain HTTP)" "$(ratio "$https" "$plain")" ">= 0.8x" \
    "$(check "$https / $plain >= 0.8")"
  # As browsers and the app ask: Accept-Encoding: gzip, the kept answer's ~4 KB on the wire.
  plain=$(field "$work/w2-plain-gzip.txt" rps)
  https=$(field "$work/w2-https-gzip.txt" rps)
  row "TLS: W2 req/s over HTTPS with gzip, $small_records records, 32 keep-alive conns (p99 $(calc \
    "sprintf(\"%.2f\", $(field "$work/w2-https-gzip.txt" p99_us) / 1000)") ms)" \
    "$(calc "sprintf(\"%.0f\", $https)")" "$(calc "sprintf(\"%.0f\", $plain)") (plain HTTP, gzip)" \
    "$(ratio "$https" "$plain")" ">= 0.8x" "$(check "$https / $plain >= 0.8")"
}

# --- issue 12's journeys, on the big data set (its journeys data: bench/seed.cpp) -----------------
# The animal timeline (about 50 entries) over HTTP against the store's SELECTs for it on raw
# SQLite; arrivals of planned 500-head flock certificates over HTTP against the store's writes of
# one on raw SQLite (each durable); a buyer's W2 (50 doses given under 3 earlier owners) against an
# ordinary W2 (50 records of its own), the same server, alternated in rounds (run_wrk_alternated).
run_journeys_bench() {
  local set
  set=$(dataset "$records")
  journeys_set=$set
  rm -rf "$work/journeys"
  cp -r --reflink=auto "$set/data" "$work/journeys"
  sync
  # The W2 answer cache off: the buyer's lookup against an ordinary one is measured as read,
  # encoded and compressed each time (with the cache on both would be cache hits).
  start_server "$work/journeys" journeys --lookup-cache-mib 0
  local tok
  tok=$(login bench-inspector)
  curl -sf -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$server_port/api/v1/animals/$(head -1 "$set/travellers.txt")/timeline" \
    -o "$work/timeline.json"
  curl -sf -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$server_port/api/v1/lookup?phone=$(head -1 "$set/buyers.txt")" \
    -o "$work/lookup-buyer.json"
  say "animal timeline over HTTP ($(timeline_entries) entries, $(stat -c %s "$work/timeline.json") bytes)"
  run_wrk "$server_port" "$work/timeline.txt" "$set/travellers.txt" "$tok" http "$timeline_lua"
  say "the same timeline, 2 connections"
  run_wrk "$server_port" "$work/timeline-c2.txt" "$set/travellers.txt" "$tok" http "$timeline_lua" \
    0 2
  say "the same timeline, 32 connections paced at half the rate of the first run"
  run_wrk "$server_port" "$work/timeline-paced.txt" "$set/travellers.txt" "$tok" http \
    "$timeline_lua" 0 32 "$(half_rate "$work/timeline.txt")"
  say "W2 of ordinary owners and of buyers (doses from 3 earlier owners), alternated"
  run_wrk_alternated "$server_port" "$tok" 4 "$work/w2-ordinary.txt" "$set/phones.txt" \
    "$work/w2-buyer.txt" "$set/buyers.txt"
  sync
  # Each planned certificate arrives once: the first half of the pool for 4 clients, the second
  # for 1 (as the raw reference, one arrival at a time).
  local half
  half=$(($(wc -l <"$set/arrivals-herdpass.txt") / 2))
  head -n "$half" "$set/arrivals-herdpass.txt" >"$work/arrivals-4.pool"
  tail -n +"$((half + 1))" "$set/arrivals-herdpass.txt" >"$work/arrivals-1.pool"
  say "arrivals of 500-head flock certificates, 4 clients, then 1"
  timeout $((w1_seconds + 120)) "$load" arrive --port "$server_port" --token "$tok" \
    --arrivals "$work/arrivals-4.pool" --connections 4 --seconds "$w1_seconds" \
    >"$work/arrivals.txt"
  timeout $((w1_seconds + 120)) "$load" arrive --port "$server_port" --token "$tok" \
    --arrivals "$work/arrivals-1.pool" --connections 1 --seconds "$((w1_seconds / 3 + 1))" \
    >"$work/arrivals-1.txt"
  cat "$work/arrivals.txt" "$work/arrivals-1.txt" >>"$log"
  stop_server
  say "raw SQLite: the store's timeline SELECTs (1 thread, then 32)"
  timeout 120 "$raw" timeline --db "$work/journeys/herdpass.db" --tags "$set/travellers.txt" \
    --seconds 10 >"$work/raw-timeline.txt"
  timeout 120 "$raw" timeline --db "$work/journeys/herdpass.db" --tags "$set/travellers.txt" \
    --seconds 10 --threads 32 >"$work/raw-timeline-t32.txt"
  cat "$work/raw-timeline.txt" "$work/raw-timeline-t32.txt" >>"$log"
  sync
  say "raw SQLite: the store's writes of an arrival, one durable transaction each"
  timeout $((w1_seconds + 120)) "$raw" arrival --db "$work/journeys/herdpass.db" \
    --arrivals "$set/arrivals-raw.txt" --seconds "$w1_seconds" >"$work/raw-arrivals.txt"
  cat "$work/raw-arrivals.txt" >>"$log"
  rm -rf "$work/journeys"
}
# The p99 of a result file (wrk's, raw_sqlite_bench's, pg_trace.sh's pgbench lines) in ms.
p99_ms() { calc "sprintf(\"%.2f\", $(field "$1" ${2:-p99_us}) / 1000)"; }
# The p99 rows of a latency target (issues 12 and 13), each naming the load it was measured at.
# At 32 unpaced connections (wrk's closed loop: 32 requests always in flight on 2 cores) the p99 is
# mostly the wait in the queue: information, beside the reference's p99 with 32 in flight too.
# $1: what was measured, $2: its wrk result file, $3: the reference's p99 and rate, as text.
p99_c32_row() {
  row "$1 p99, 32 conns unpaced ($(calc "sprintf(\"%.1f\", $(field "$2" rps))") req/s: saturated, 32 always in flight)" \
    "$(p99_ms "$2") ms" "$3" "" "(info: saturated, queue of 32 on 2 cores)" ""
}
# At 2 connections (= the cores: the latency without the queue of 32 on 2 cores). $1: what was
# measured, $2: its wrk result file, $3: the target in ms, $4: the reference's p99 ("" for none).
p99_c2_row() {
  local p99
  p99=$(p99_ms "$2")
  row "$1 p99, 2 conns (= the cores: the latency without the queue; $(calc "sprintf(\"%.1f\", $(field "$2" rps))") req/s)" \
    "$p99 ms" "$4" "" "< $3 ms" "$(check "$p99 < $3")"
}
# At 32 connections paced (bench/wrk_pace.lua) at half the rate of the unpaced 32: the p99 at a
# stated load below saturation. $1: what was measured, $2: its wrk result file, $3: the target in
# ms, $4: the reference's p99.
p99_paced_row() {
  local p99
  p99=$(p99_ms "$2")
  row "$1 p99, 32 conns paced at $(field "$2" offered_rps) req/s offered (half the unpaced 32 conns' rate), $(calc "sprintf(\"%.1f\", $(field "$2" rps))") req/s achieved, $(field "$2" late) sends late" \
    "$p99 ms" "$4" "" "< $3 ms" "$(check "$p99 < $3")"
}
# A raw reference's p99 at N threads and its rate ($3: the rate's field), as a reference column.
raw_p99_ref() {  # FILE THREADS RATE_FIELD
  echo "$(p99_ms "$1") ms (raw SQLite's p99, $2 thread$([[ $2 == 1 ]] || echo s), $(calc "sprintf(\"%.0f\", $(field "$1" "$3"))")/s)"
}
# Entries of the sample timeline: each entry object starts with its kind, then its date.
timeline_entries() { grep -o '"kind":"[a-z_]*","date"' "$work/timeline.json" | wc -l; }
journeys_rows() {
  local tl tl_p99 raw_tl ar raw_ar ordinary buyer
  tl=$(field "$work/timeline.txt" rps)
  tl_p99=$(calc "$(field "$work/timeline.txt" p99_us) / 1000")
  raw_tl=$(field "$work/raw-timeline.txt" timelines_per_s)
  ar=$(field "$work/arrivals.txt" arrivals_per_s)
  raw_ar=$(field "$work/raw-arrivals.txt" arrivals_per_s)
  ordinary=$(field "$work/w2-ordinary.txt" rps)
  buyer=$(field "$work/w2-buyer.txt" rps)
  row "animal timeline req/s, $(timeline_entries) entries, 32 conns (p99 $(calc "sprintf(\"%.2f\", $tl_p99)") ms)" \
    "$(calc "sprintf(\"%.0f\", $tl)")" \
    "$raw_tl (raw SQLite, the store's timeline SELECTs, 1 thread; p99 $(calc "sprintf(\"%.2f\", $(field "$work/raw-timeline.txt" p99_us) / 1000)") ms)" \
    "$(ratio "$tl" "$raw_tl")" ">= 0.5x" "$(check "$tl / $raw_tl >= 0.5")"
  p99_c32_row "animal timeline" "$work/timeline.txt" \
    "$(raw_p99_ref "$work/raw-timeline-t32.txt" 32 timelines_per_s)"
  p99_c2_row "animal timeline" "$work/timeline-c2.txt" 10 \
    "$(raw_p99_ref "$work/raw-timeline.txt" 1 timelines_per_s)"
  p99_paced_row "animal timeline" "$work/timeline-paced.txt" 10 \
    "$(raw_p99_ref "$work/raw-timeline.txt" 1 timelines_per_s)"
  row "arrival of a 500-head flock certificate, durable, arrivals/s, 4 clients (p99 $(field "$work/arrivals.txt" p99_ms) ms)" \
    "$(calc "sprintf(\"%.0f\", $ar)")" "$raw_ar (raw SQLite, the store's writes, 1 arrival a txn)" \
    "$(ratio "$ar" "$raw_ar")" ">= 0.5x" "$(check "$ar / $raw_ar >= 0.5")"
  local ar1
  ar1=$(field "$work/arrivals-1.txt" arrivals_per_s)
  row "the same, 1 client (p99 $(field "$work/arrivals-1.txt" p99_ms) ms)" \
    "$(calc "sprintf(\"%.0f\", $ar1)")" "$raw_ar" "$(ratio "$ar1" "$raw_ar")" "(info)" ""
  row "W2 req/s of a buyer, 50 doses under 3 earlier owners, alternated with the ordinary W2 in $(field "$work/w2-buyer.txt" rounds) rounds (p99 $(calc "sprintf(\"%.2f\", $(field "$work/w2-buyer.txt" p99_us) / 1000)") ms)" \
    "$(calc "sprintf(\"%.0f\", $buyer)")" \
    "$(calc "sprintf(\"%.0f\", $ordinary)") (ordinary W2, 50 records; p99 $(calc "sprintf(\"%.2f\", $(field "$work/w2-ordinary.txt" p99_us) / 1000)") ms)" \
    "$(ratio "$buyer" "$ordinary")" ">= 0.83x (time within 1.2x)" "$(check "$buyer * 1.2 >= $ordinary")"
  local r=$journeys_set/seed.result
  row "journeys data: $(field "$r" movements_arrived) movements arrived, $(field "$r" movements_planned) planned, $(field "$r" sales) sales, $(field "$r" holdings) holdings, $(field "$r" passages) passages, $(field "$r" tag_events) tag events" \
    "$(field "$r" journey_seconds) s to seed" "" "" "(info)" ""
}

# --- issue 13's outbreak response, on the big data set (its market hubs: bench/seed.cpp) ---------
# A trace forward from a random market, depth 2, over the last 21 days (GET /api/v1/trace as a
# vet, 32 connections) against the store's recursive query for it on raw SQLite (1 thread); then
# W3 issuance with 50 zones in force against none, alternating in one cert_bench run. The trace
# again on PostgreSQL (the same data copied there) against pgbench running the store's query.
outbreak_zones=${BENCH_OUTBREAK_ZONES:-50}
run_outbreak_bench() {
  local set
  set=$(dataset "$records")
  outbreak_set=$set
  rm -rf "$work/outbreak"
  cp -r --reflink=auto "$set/data" "$work/outbreak"
  echo "$password" | "$herdpass" user add --data "$work/outbreak" --username bench-vet \
    --role vet >>"$log"
  sync
  local from to from_ms to_ms
  to=$(date -u +%F)
  from=$(date -u -d "$to - 20 days" +%F)
  from_ms=$(($(date -u -d "$from" +%s) * 1000))
  to_ms=$(($(date -u -d "$to + 1 day" +%s) * 1000))
  start_server "$work/outbreak" outbreak
  local tok
  tok=$(login bench-vet)
  curl -sf -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$server_port/api/v1/trace?holding=$(head -1 "$set/markets.txt")&from=$from&to=$to&depth=2&direction=forward" \
    -o "$work/trace.json"
  say "trace forward from a market, depth 2, $from to $to ($(stat -c %s "$work/trace.json") bytes, $(trace_movements) movements for the first market)"
  HP_FROM=$from HP_TO=$to run_wrk "$server_port" "$work/trace.txt" "$set/markets.txt" "$tok" http \
    "$root/bench/trace.lua"
  # The latency without the queue: 2 connections, as many as the cores.
  say "the same trace, 2 connections"
  HP_FROM=$from HP_TO=$to run_wrk "$server_port" "$work/trace-c2.txt" "$set/markets.txt" "$tok" \
    http "$root/bench/trace.lua" 0 2
  say "the same trace, 32 connections paced at half the rate of the first run"
  HP_FROM=$from HP_TO=$to run_wrk "$server_port" "$work/trace-paced.txt" "$set/markets.txt" \
    "$tok" http "$root/bench/trace.lua" 0 32 "$(half_rate "$work/trace.txt")"
  stop_server
  say "raw SQLite: the store's trace query (1 thread, then 32)"
  local t
  for t in 1 32; do
    timeout 120 "$raw" trace --db "$work/outbreak/herdpass.db" --holdings "$set/markets.txt" \
      --from-ms "$from_ms" --to-ms "$to_ms" --depth 2 --seconds 10 --threads "$t" \
      >"$work/raw-trace-t$t.txt"
    cat "$work/raw-trace-t$t.txt" >>"$log"
  done

  # The ring list (issue 13 item 4): a zone of 10 km filled up to 2,000 holdings with animals on
  # this copy (bench/ring_setup.cpp), GET /api/v1/zones/ID/ring as the vet, against the store's
  # statements straight on SQLite (raw_sqlite_bench ring).
  say "ring list: a 10 km zone of 2,000 holdings (bench/ring_setup.cpp)"
  timeout 1800 "$ringsetup" --data "$work/outbreak" --holdings 2000 >"$work/ring-setup.txt"
  cat "$work/ring-setup.txt" | tee -a "$log" >&2
  local zone
  zone=$(field "$work/ring-setup.txt" zone)
  start_server "$work/outbreak" ring
  tok=$(login bench-vet)
  curl -sf -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$server_port/api/v1/zones/$zone/ring" -o "$work/ring.json"
  say "ring list of zone $zone ($(stat -c %s "$work/ring.json") bytes), 32 connections"
  HP_ZONE=$zone run_wrk "$server_port" "$work/ring.txt" /dev/null "$tok" http "$root/bench/ring.lua"
  say "the same ring list, 2 connections"
  HP_ZONE=$zone run_wrk "$server_port" "$work/ring-c2.txt" /dev/null "$tok" http \
    "$root/bench/ring.lua" 0 2
  say "the same ring list, 32 connections paced at half the rate of the first run"
  HP_ZONE=$zone run_wrk "$server_port" "$work/ring-paced.txt" /dev/null "$tok" http \
    "$root/bench/ring.lua" 0 32 "$(half_rate "$work/ring.txt")"
  stop_server
  say "raw SQLite: the ring list's statements (1 thread, then 32)"
  for t in 1 32; do
    timeout 120 "$raw" ring --db "$work/outbreak/herdpass.db" \
      --lat "$(field "$work/ring-setup.txt" lat)" --lon "$(field "$work/ring-setup.txt" lon)" \
      --radius-km "$(field "$work/ring-setup.txt" radius_km)" \
      --day "$(field "$work/ring-setup.txt" day)" --seconds 10 --threads "$t" \
      >"$work/raw-ring-t$t.txt"
    cat "$work/raw-ring-t$t.txt" >>"$log"
  done
  say "the trace on PostgreSQL against pgbench (bench/pg_trace.sh)"
  timeout 3600 "$root/bench/pg_trace.sh" "$build" "$work" "$work/outbreak/herdpass.db" \
    "$set/markets.txt" "$from" "$to" "$duration" 2> >(tee -a "$log" >&2)
  cat "$work/pg-trace-plan.txt" >>"$log"
  rm -rf "$work/outbreak"
  sync
  say "W3 issuance with $outbreak_zones zones in force against none (${cert_seconds}s)"
  rm -rf "$work/cert-zones"
  timeout $((cert_seconds + 300)) "$certb" --data "$work/cert-zones" --seconds "$cert_seconds" \
    --zones "$outbreak_zones" >"$work/cert-zones.txt" 2> >(tee -a "$log" >&2)
  cat "$work/cert-zones.txt" >>"$log"
  rm -rf "$work/cert-zones"
}
trace_movements() { grep -o '"certificate_id"' "$work/trace.json" | wc -l; }
outbreak_rows() {
  local tr tr_p99 raw_tr raw_p99 plain zoned
  tr=$(field "$work/trace.txt" rps)
  tr_p99=$(calc "$(field "$work/trace.txt" p99_us) / 1000")
  raw_tr=$(field "$work/raw-trace-t1.txt" traces_per_s)
  raw_p99=$(p99_ms "$work/raw-trace-t1.txt")
  row "trace forward from a market, depth 2, 21 days, req/s, 32 conns ($(trace_movements) movements for the first market; p99 $(calc "sprintf(\"%.2f\", $tr_p99)") ms)" \
    "$(calc "sprintf(\"%.0f\", $tr)")" \
    "$raw_tr (raw SQLite, the store's recursive query, 1 thread, $(field "$work/raw-trace-t1.txt" rows_per_trace) rows; p99 $raw_p99 ms)" \
    "$(ratio "$tr" "$raw_tr")" ">= 0.5x" "$(check "$tr / $raw_tr >= 0.5")"
  p99_c32_row trace "$work/trace.txt" "$(raw_p99_ref "$work/raw-trace-t32.txt" 32 traces_per_s)"
  p99_c2_row trace "$work/trace-c2.txt" 50 "$(raw_p99_ref "$work/raw-trace-t1.txt" 1 traces_per_s)"
  p99_paced_row trace "$work/trace-paced.txt" 50 \
    "$(raw_p99_ref "$work/raw-trace-t1.txt" 1 traces_per_s)"
  local rg rg_p99 raw_rg raw_rg_p99
  rg=$(field "$work/ring.txt" rps)
  rg_p99=$(calc "sprintf(\"%.2f\", $(field "$work/ring.txt" p99_us) / 1000)")
  raw_rg=$(field "$work/raw-ring-t1.txt" rings_per_s)
  raw_rg_p99=$(p99_ms "$work/raw-ring-t1.txt")
  row "ring list of a 10 km zone, $(field "$work/ring-setup.txt" holdings) holdings ($(field "$work/ring-setup.txt" units) units, $(stat -c %s "$work/ring.json") bytes of JSON), req/s, 32 conns (p99 $rg_p99 ms)" \
    "$(calc "sprintf(\"%.1f\", $rg)")" \
    "$raw_rg (raw SQLite, the store's 4 statements, 1 thread, $(field "$work/raw-ring-t1.txt" rows_per_ring) rows; p99 $raw_rg_p99 ms)" \
    "$(ratio "$rg" "$raw_rg")" "(info)" ""
  p99_c32_row "ring list" "$work/ring.txt" "$(raw_p99_ref "$work/raw-ring-t32.txt" 32 rings_per_s)"
  p99_c2_row "ring list" "$work/ring-c2.txt" 100 "$(raw_p99_ref "$work/raw-ring-t1.txt" 1 rings_per_s)"
  p99_paced_row "ring list" "$work/ring-paced.txt" 100 \
    "$(raw_p99_ref "$work/raw-ring-t1.txt" 1 rings_per_s)"
  local pg pg_p99 pg_ref
  pg=$(field "$work/pg-trace.txt" rps)
  pg_p99=$(calc "sprintf(\"%.2f\", $(field "$work/pg-trace.txt" p99_us) / 1000)")
  pg_ref=$(field "$work/pg-trace-ref.txt" traces_per_s)
  row "PostgreSQL: the same trace, req/s, 32 conns ($(field "$work/pg-trace-ref.txt" movements) movements copied; p99 $pg_p99 ms)" \
    "$(calc "sprintf(\"%.0f\", $pg)")" \
    "$(calc "sprintf(\"%.0f\", $pg_ref)") (pgbench, the store's query, 1 client)" \
    "$(ratio "$pg" "$pg_ref")" ">= 0.5x" "$(check "$pg / $pg_ref >= 0.5")"
  local pg_ref_c32 pg_ref_c1
  pg_ref_c32="$(p99_ms "$work/pg-trace-ref.txt" p99_us_c32) ms (pgbench's p99, 32 clients, $(calc "sprintf(\"%.0f\", $(field "$work/pg-trace-ref.txt" traces_per_s_c32))")/s)"
  pg_ref_c1="$(p99_ms "$work/pg-trace-ref.txt" p99_us) ms (pgbench's p99, 1 client, $(calc "sprintf(\"%.0f\", $pg_ref)")/s)"
  p99_c32_row "PostgreSQL trace" "$work/pg-trace.txt" "$pg_ref_c32"
  p99_c2_row "PostgreSQL trace" "$work/pg-trace-c2.txt" 50 "$pg_ref_c1"
  p99_paced_row "PostgreSQL trace" "$work/pg-trace-paced.txt" 50 "$pg_ref_c1"
  plain=$(field "$work/cert-zones.txt" issue_per_s)
  zoned=$(field "$work/cert-zones.txt" issue_zones_per_s)
  row "W3 issuance, certificates/s, $(field "$work/cert-zones.txt" issue_threads) issuers, $(field "$work/cert-zones.txt" zones) zones in force" \
    "$zoned" "$plain (no zone, the same run)" "$(ratio "$zoned" "$plain")" \
    ">= 0.91x (time within 1.1x)" "$(check "$zoned * 1.1 >= $plain")"
  local r=$outbreak_set/seed.result
  row "outbreak data: $(field "$r" movements_arrived) movements arrived ($(field "$r" hub_moves) through $(field "$r" markets) markets in the last 3 weeks), $(field "$r" passages) passages, $(field "$r" holdings) holdings" \
    "" "" "" "(info)" ""
}

# --- W2 lean (issue 14 item 3): the answer gzip-encoded and kept per owner
# (HerdService::LookupEncoded). Its bytes for an owner of 50 records; req/s against nginx serving
# the same compressed bytes with gzip_static (the same wrk script, every request accepting gzip);
# and a sync batch of 500 W1 records as the web app sends it, gzip-encoded (CompressionStream:
# zlib's default level), against the same body as it is. The small data set.
run_w2_bench() {
  local set
  set=$(dataset "$small_records")
  rm -rf "$work/w2-data"
  cp -r --reflink=auto "$set/data" "$work/w2-data"
  echo "$password" | "$herdpass" user add --data "$work/w2-data" --username bench-vaccinator \
    --role vaccinator >>"$log" 2>&1 || true
  start_server "$work/w2-data" w2
  local tok phone html=$work/w2-nginx/html/api/v1
  tok=$(login bench-inspector)
  phone=$(head -1 "$set/phones.txt")
  mkdir -p "$html" "$work/w2-nginx/tmp"
  curl -sf -H "Authorization: Bearer $tok" -H 'Accept-Encoding: gzip' -D "$work/w2-gzip.headers" \
    "http://127.0.0.1:$server_port/api/v1/lookup?phone=$phone" -o "$html/lookup.gz"
  curl -sf -H "Authorization: Bearer $tok" -o "$html/lookup" \
    "http://127.0.0.1:$server_port/api/v1/lookup?phone=$phone"
  grep -qi '^content-encoding: gzip' "$work/w2-gzip.headers" ||
    { echo "bench: the W2 answer was not gzip-encoded" >&2; exit 1; }
  gunzip -c "$html/lookup.gz" | cmp -s - "$html/lookup" ||
    { echo "bench: the gzip W2 answer does not inflate to the plain one" >&2; exit 1; }
  local records gz_bytes json_bytes
  records=$(grep -o '"administered_on"' "$html/lookup" | wc -l)
  gz_bytes=$(stat -c %s "$html/lookup.gz")
  json_bytes=$(stat -c %s "$html/lookup")
  echo "HP_RESULT records=$records gzip_bytes=$gz_bytes json_bytes=$json_bytes" >"$work/w2-bytes.txt"
  say "W2 with gzip at $small_records records (answer $gz_bytes bytes gzip, $json_bytes JSON, $records records)"
  run_wrk "$server_port" "$work/w2-gzip.txt" "$set/phones.txt" "$tok" http "$lua" 1

  # A sync batch of 500 W1 records: the same body sent gzip-encoded, then as it is (the same
  # records again: stored once, answered as duplicates).
  local vtok gz plain
  vtok=$(login bench-vaccinator)
  "$load" batch-body --batch 500 >"$work/w1-batch.json"
  gzip -6 -n -c "$work/w1-batch.json" >"$work/w1-batch.json.gz"
  gz=$(curl -s -o "$work/w1-batch-gz.answer" -w '%{http_code} %{size_upload}' \
    -H "Authorization: Bearer $vtok" -H 'Content-Type: application/json' \
    -H 'Content-Encoding: gzip' --data-binary @"$work/w1-batch.json.gz" \
    "http://127.0.0.1:$server_port/api/v1/vaccinations/batch")
  plain=$(curl -s -o "$work/w1-batch-plain.answer" -w '%{http_code} %{size_upload}' \
    -H "Authorization: Bearer $vtok" -H 'Content-Type: application/json' \
    --data-binary @"$work/w1-batch.json" "http://127.0.0.1:$server_port/api/v1/vaccinations/batch")
  grep -q '"created":500' "$work/w1-batch-gz.answer" ||
    { echo "bench: the gzip sync batch was not stored: $gz $(head -c 300 "$work/w1-batch-gz.answer")" >&2; exit 1; }
  echo "HP_RESULT gzip_status=${gz%% *} gzip_upload=${gz##* } plain_status=${plain%% *}" \
    "plain_upload=${plain##* } json_bytes=$(stat -c %s "$work/w1-batch.json")" >"$work/w1-sync.txt"
  cat "$work/w1-sync.txt" >>"$log"
  stop_server

  # The same W2 run without the answer cache: every lookup read, encoded and compressed anew.
  start_server "$work/w2-data" w2-nocache --lookup-cache-mib 0
  say "W2 with gzip at $small_records records, no answer cache"
  run_wrk "$server_port" "$work/w2-gzip-nocache.txt" "$set/phones.txt" "$tok" http "$lua" 1
  stop_server

  local nginx_port nginx_pid
  nginx_port=$(free_port)
  cat >"$work/w2-nginx/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes auto;
daemon off;
pid $work/w2-nginx/nginx.pid;
error_log $work/w2-nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  client_body_temp_path $work/w2-nginx/tmp/body;
  proxy_temp_path $work/w2-nginx/tmp/proxy;
  fastcgi_temp_path $work/w2-nginx/tmp/fastcgi;
  uwsgi_temp_path $work/w2-nginx/tmp/uwsgi;
  scgi_temp_path $work/w2-nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/w2-nginx/html;
    default_type application/json;
    gzip_static on;
    gzip_vary on;
  }
}
EOF
  "$nginx_bin" -p "$work/w2-nginx" -c "$work/w2-nginx/nginx.conf" -e "$work/w2-nginx/error.log" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/api/v1/lookup" && break
    sleep 0.1
  done
  if ! curl -sf -H 'Accept-Encoding: gzip' -o "$work/w2-nginx-sample.gz" \
    "http://127.0.0.1:$nginx_port/api/v1/lookup?phone=1" ||
    ! cmp -s "$work/w2-nginx-sample.gz" "$html/lookup.gz"; then
    echo "bench: nginx does not serve the gzip file; see $work/w2-nginx/error.log" >&2
    exit 1
  fi
  say "nginx gzip_static on port $nginx_port serving the same $gz_bytes bytes"
  run_wrk "$nginx_port" "$work/w2-nginx.txt" "$set/phones.txt" none http "$lua" 1
  kill "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
}
w2_rows() {
  local b=$work/w2-bytes.txt s=$work/w1-sync.txt hp ng p99
  hp=$(field "$work/w2-gzip.txt" rps)
  ng=$(field "$work/w2-nginx.txt" rps)
  p99=$(calc "sprintf(\"%.2f\", $(field "$work/w2-gzip.txt" p99_us) / 1000)")
  row "W2 bytes on the wire, gzip, an owner of $(field "$b" records) records ($(field "$b" json_bytes) B of JSON)" \
    "$(field "$b" gzip_bytes) B" "4096 B (target)" "$(ratio "$(field "$b" gzip_bytes)" 4096)" \
    "<= 4 KB" "$(check "$(field "$b" gzip_bytes) <= 4096")"
  row "W2 req/s with gzip, $small_records records, 32 conns (p99 $p99 ms)" \
    "$(calc "sprintf(\"%.0f\", $hp)")" \
    "$(calc "sprintf(\"%.0f\", $ng)") (nginx gzip_static, the same bytes)" "$(ratio "$hp" "$ng")" \
    ">= 0.5x" "$(check "$hp / $ng >= 0.5")"
  row "W2 p99 with gzip, $small_records records" "$p99 ms" "" "" "< 10 ms" "$(check "$p99 < 10")"
  local off
  off=$(field "$work/w2-gzip-nocache.txt" rps)
  row "W2 req/s with gzip: answer cache on vs off (p99 off $(calc "sprintf(\"%.2f\", $(field "$work/w2-gzip-nocache.txt" p99_us) / 1000)") ms)" \
    "$(calc "sprintf(\"%.0f\", $hp)")" "$(calc "sprintf(\"%.0f\", $off)") (--lookup-cache-mib 0)" \
    "$(ratio "$hp" "$off")" "(info)" ""
  row "sync of 500 W1 records: request body (HTTP $(field "$s" gzip_status) gzip, $(field "$s" plain_status) as it is)" \
    "$(field "$s" gzip_upload) B gzip" "$(field "$s" plain_upload) B (as it is)" \
    "$(ratio "$(field "$s" gzip_upload)" "$(field "$s" plain_upload)")" "(info)" ""
}

# --- SMS handed to Kannel by the sender against a plain sendsms client (same Kannel, same run) ----
sms_messages=${BENCH_SMS_MESSAGES:-5000}
sms_rows() {
  local f=$work/sms.txt hp ref one
  hp=$(field "$f" herdpass_per_s)
  ref=$(field "$f" plain_per_s)
  one=$(field "$f" plain_one_per_s)
  row "SMS handed to Kannel's smsbox by serve's sender, messages/s ($(field "$f" messages) receipts, $(field "$f" parts) parts)" \
    "$hp" "$ref (plain HTTP client to sendsms, $(field "$f" connections) keep-alive conns)" \
    "$(ratio "$hp" "$ref")" ">= 0.5x" "$(check "$hp / $ref >= 0.5")"
  row "SMS handed to Kannel, against a plain client on 1 keep-alive connection" "$hp" \
    "$one (plain HTTP client, 1 conn)" "$(ratio "$hp" "$one")" "(info)" ""
  row "SMS handed to Kannel, against a plain client opening a connection per message" "$hp" \
    "$(field "$f" plain_fresh_per_s) (plain HTTP client, 1 conn each)" \
    "$(ratio "$hp" "$(field "$f" plain_fresh_per_s)")" "(info)" ""
}
run_sms_bench() {
  [[ -x /usr/sbin/bearerbox && -x /usr/sbin/smsbox ]] || {
    echo "bench: Kannel is missing (scripts/deps.sh installs the kannel package)" >&2
    exit 1
  }
  say "SMS: $sms_messages receipts handed to a real Kannel by herdpass serve, against a plain sendsms client"
  rm -rf "$work/sms"
  mkdir -p "$work/sms"
  "$herdpass" init --data "$work/sms/data" --region KZ --authority "$authority" >"$work/sms/init.log"
  timeout 1200 "$smsb" --herdpass "$herdpass" --data "$work/sms/data" --messages "$sms_messages" \
    >"$work/sms.txt" 2> >(tee -a "$log" >&2)
  cat "$work/sms.txt" >>"$log"
}

# --- W15's reminder job against the same selection straight on SQLite (same data set, same run) -
reminders_rows() {
  local f=$work/reminders.txt r=$work/raw-reminders.txt hp ref
  hp=$(field "$f" seconds)
  ref=$(field "$r" seconds)
  row "reminder job (\`herdpass sms remind\`, a process: open, select, queue $(field "$f" owners) reminders), s" \
    "$hp s" "$ref s (raw SQLite: SelectReminderRows, $(field "$r" rows) rows read, best of $(field "$r" runs))" \
    "$(ratio "$ref" "$hp")" ">= 0.5x" "$(check "$ref / $hp >= 0.5")"
}
run_reminders_bench() {
  local set t0 said
  set=$(dataset "$records")
  rm -rf "$work/reminders"
  cp -r --reflink=auto "$set/data" "$work/reminders"
  sync
  say "raw SQLite: the reminder job's selection statement"
  timeout 3600 "$raw" reminders --db "$work/reminders/herdpass.db" --runs 3 \
    >"$work/raw-reminders.txt"
  cat "$work/raw-reminders.txt" >>"$log"
  say "herdpass sms remind over $records records"
  t0=$(date +%s.%N)
  said=$(timeout 3600 "$herdpass" sms remind --data "$work/reminders" 2> >(tee -a "$log" >&2))
  echo "HP_RESULT seconds=$(calc "sprintf(\"%.3f\", $(date +%s.%N) - $t0)")" \
    "owners=$(sed -n 's/^reminders queued: \([0-9]*\).*/\1/p' <<<"$said")" >"$work/reminders.txt"
  cat "$work/reminders.txt" >>"$log"
  rm -rf "$work/reminders"
}

# BENCH_ONLY=NAME: one group alone, its own table. Runs RUN_FN, then a table of ROWS_FN titled TITLE.
only_bench() {
  local run_fn=$1 title=$2 rows_fn=$3
  say "logs in $work"
  "$run_fn"
  table=$work/table.md
  {
    echo
    echo "$title, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
    echo
    row "measure" "herdpass" "reference" "ratio" "target" "ok"
    row "---" "---:" "---:" "---:" "---" "---"
    "$rows_fn"
  } >"$table"
  tee -a "$log" <"$table"
  exit 0
}
case ${BENCH_ONLY:-} in
  web) only_bench run_web_bench "HerdPass web app benchmarks" web_rows ;;
  photo) only_bench run_photo_bench "HerdPass photo decoding against zbarimg" photo_rows ;;
  fieldcopy) only_bench run_fieldcopy_bench "HerdPass field copy in the web app" fieldcopy_rows ;;
  pg) only_bench run_pg_bench "HerdPass on PostgreSQL" pg_rows ;;
  cert) only_bench run_cert_bench "HerdPass certificate benchmarks" cert_rows ;;
  tls) only_bench run_tls_bench "HerdPass over HTTPS" tls_rows ;;
  journeys) only_bench run_journeys_bench "HerdPass journeys (issue 12), $records records" \
    journeys_rows ;;
  outbreak) only_bench run_outbreak_bench "HerdPass outbreak response (issue 13), $records records" \
    outbreak_rows ;;
  w2) only_bench run_w2_bench "HerdPass W2 lean: gzip and the answer cache" w2_rows ;;
  sms) only_bench run_sms_bench "HerdPass SMS to owners through Kannel" sms_rows ;;
  reminders) only_bench run_reminders_bench "HerdPass reminder job (issue 15), $records records" \
    reminders_rows ;;
esac

say "build $build, $records records (small set $small_records), wrk ${duration}s, W1 ${w1_seconds}s"
say "logs in $work"

# --- data sets ---------------------------------------------------------------------------------
small=$(dataset "$small_records")
big=$(dataset "$records")
# The server appends audit rows to whatever it serves: work on copies, keep the cache pristine.
cp -r --reflink=auto "$small/data" "$work/small"
cp -r --reflink=auto "$big/data" "$work/big"
seed_seconds=$(field "$big/seed.result" seconds)
seed_rate=$(field "$big/seed.result" records_per_s)

# --- W2 lookup at the small data set -------------------------------------------------------------
start_server "$work/small" small
token=$(login bench-inspector)
curl -sf -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$server_port/api/v1/lookup?phone=$(head -1 "$small/phones.txt")" \
  -o "$work/lookup-small.json"
say "W2 at $small_records records"
run_wrk "$server_port" "$work/w2-small.txt" "$small/phones.txt" "$token"
stop_server

# --- W2 lookup at the big data set, then idle RSS ------------------------------------------------
start_server "$work/big" big
token=$(login bench-inspector)
curl -sf -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$server_port/api/v1/lookup?phone=$(head -1 "$big/phones.txt")" \
  -o "$work/lookup.json"
response_bytes=$(stat -c %s "$work/lookup.json")
response_records=$(grep -o '"administered_on"' "$work/lookup.json" | wc -l)
say "W2 at $records records (response $response_bytes bytes, $response_records records)"
cpu_before=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
run_wrk "$server_port" "$work/w2-big.txt" "$big/phones.txt" "$token"
cpu_after=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
sleep 5
rss=$(rss_kib "$server_pid")
stop_server

# --- herdpass backup of the big data set (SQLite's online backup API, with manifest and hashes) ----
say "herdpass backup of $records records"
backup_start=$(date +%s.%N)
timeout 3600 "$herdpass" backup --data "$work/big" "$work/backup-big" >>"$log" 2>&1
backup_seconds=$(calc "sprintf(\"%.1f\", $(date +%s.%N) - $backup_start)")
backup_mib=$(du -sm "$work/backup-big" | cut -f1)
rm -rf "$work/backup-big"

# --- nginx serving a file of the same size, same script ------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/nginx/html/api/v1" "$work/nginx/tmp"
cp "$work/lookup.json" "$work/nginx/html/api/v1/lookup"
# Workers run as the invoking user (when started as root, nginx would otherwise drop to a user that
# cannot read this directory); as a non-root user the directive is ignored.
cat >"$work/nginx/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/html;
    default_type application/json;
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/api/v1/lookup" && break
  sleep 0.1
done
if ! curl -sf -o "$work/nginx-sample.json" "http://127.0.0.1:$nginx_port/api/v1/lookup?phone=1" ||
  ! cmp -s "$work/nginx-sample.json" "$work/lookup.json"; then
  echo "bench: nginx does not serve the file; see $work/nginx/error.log" >&2
  exit 1
fi
say "nginx on port $nginx_port serving $response_bytes bytes"
run_wrk "$nginx_port" "$work/nginx.txt" "$big/phones.txt" "none"
kill "$nginx_pid" 2>/dev/null || true
wait "$nginx_pid" 2>/dev/null || true

# --- raw SQLite point queries of the W2 data (reference, one thread) -----------------------------
say "raw SQLite W2 point queries"
timeout 120 "$raw" lookup --db "$work/big/herdpass.db" --phones "$big/phones.txt" --seconds 10 \
  >"$work/raw-lookup.txt"
cat "$work/raw-lookup.txt" >>"$log"

# --- W1 on a fresh data directory ----------------------------------------------------------------
# The copies above leave gigabytes of dirty pages whose writeback would slow every fsync of the
# durable runs below (measured: raw SQLite inserts at a third of their speed); flush them first.
sync
init_data_dir "$work/w1"
start_server "$work/w1" w1
token=$(login bench-vaccinator)
say "W1: registering the pool of owners and animals"
timeout 300 "$load" setup --port "$server_port" --token "$token" --pool-owners 1000 \
  >"$work/w1-setup.txt"
say "W1 batches of 500 records, 4 clients"
timeout $((w1_seconds + 120)) "$load" w1 --port "$server_port" --token "$token" --batch 500 \
  --connections 4 --seconds "$w1_seconds" >"$work/w1-batch.txt"
say "W1 one record per request, 32 clients"
timeout $((w1_seconds + 120)) "$load" w1 --port "$server_port" --token "$token" --batch 1 \
  --connections 32 --seconds "$w1_seconds" >"$work/w1-single.txt"
cat "$work/w1-batch.txt" "$work/w1-single.txt" >>"$log"
stop_server

sync
say "raw SQLite durable commits of one record (the fsync cost of this machine)"
timeout 60 "$raw" insert --db "$work/raw.db" --schema-from "$work/w1/herdpass.db" --txn 1 \
  --seconds 3 >"$work/raw-commit.txt"
say "raw SQLite inserts, transactions of 500"
timeout $((w1_seconds + 120)) "$raw" insert --db "$work/raw.db" --schema-from "$work/w1/herdpass.db" \
  --txn 500 --seconds "$w1_seconds" >"$work/raw-insert.txt"
cat "$work/raw-insert.txt" >>"$log"

run_cert_bench
run_tls_bench
run_w2_bench
run_pg_bench
run_web_bench
run_photo_bench
run_fieldcopy_bench
run_journeys_bench
run_sms_bench
run_reminders_bench
run_outbreak_bench

# --- the table ------------------------------------------------------------------------------------
w2_rps=$(field "$work/w2-big.txt" rps)
w2_p50=$(calc "$(field "$work/w2-big.txt" p50_us) / 1000")
w2_p99=$(calc "$(field "$work/w2-big.txt" p99_us) / 1000")
small_rps=$(field "$work/w2-small.txt" rps)
small_p50=$(calc "$(field "$work/w2-small.txt" p50_us) / 1000")
small_p99=$(calc "$(field "$work/w2-small.txt" p99_us) / 1000")
nginx_rps=$(field "$work/nginx.txt" rps)
raw_q=$(field "$work/raw-lookup.txt" queries_per_s)
w1b=$(field "$work/w1-batch.txt" records_per_s)
w1b_p99=$(field "$work/w1-batch.txt" p99_ms)
w1s=$(field "$work/w1-single.txt" records_per_s)
w1s_p99=$(field "$work/w1-single.txt" p99_ms)
raw_ins=$(field "$work/raw-insert.txt" records_per_s)
rss_mib=$(calc "$rss / 1024")
commit_ms=$(calc "sprintf(\"%.2f\", 1000 / $(field "$work/raw-commit.txt" records_per_s))")
w2_requests=$(field "$work/w2-big.txt" requests)
clk_tck=$(getconf CLK_TCK)
cpu_us=$(calc "sprintf(\"%.0f\", ($cpu_after - $cpu_before) * 1000000 / $clk_tck / $w2_requests)")
cpu_cores=$(calc "sprintf(\"%.2f\", ($cpu_after - $cpu_before) / $clk_tck / $(field "$work/w2-big.txt" seconds))")

table=$work/table.md
{
  echo
  echo "HerdPass benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $records records" \
    "(small set $small_records), W2 response $response_bytes bytes with $response_records records"
  echo
  row "measure" "herdpass" "reference" "ratio" "target" "ok"
  row "---" "---:" "---:" "---:" "---" "---"
  row "W2 lookup req/s, $records records, 32 conns" "$(calc "sprintf(\"%.0f\", $w2_rps)")" \
    "$(calc "sprintf(\"%.0f\", $nginx_rps)") (nginx, same-size file)" "$(ratio "$w2_rps" "$nginx_rps")" \
    ">= 0.5x" "$(check "$w2_rps / $nginx_rps >= 0.5")"
  row "W2 lookup p99, $records records" "$(calc "sprintf(\"%.2f ms\", $w2_p99)")" "" "" "< 10 ms" \
    "$(check "$w2_p99 < 10")"
  row "W2 p50, $records vs $small_records records" "$(calc "sprintf(\"%.2f ms\", $w2_p50)")" \
    "$(calc "sprintf(\"%.2f ms\", $small_p50)")" "$(ratio "$w2_p50" "$small_p50")" "<= 1.5x" \
    "$(check "$w2_p50 / $small_p50 <= 1.5")"
  row "W2 p99, $records vs $small_records records" "$(calc "sprintf(\"%.2f ms\", $w2_p99)")" \
    "$(calc "sprintf(\"%.2f ms\", $small_p99)")" "$(ratio "$w2_p99" "$small_p99")" "<= 1.5x" \
    "$(check "$w2_p99 / $small_p99 <= 1.5")"
  row "W2 req/s, $records vs $small_records records" "$(calc "sprintf(\"%.0f\", $w2_rps)")" \
    "$(calc "sprintf(\"%.0f\", $small_rps)")" "$(ratio "$w2_rps" "$small_rps")" "(info)" ""
  row "W2 vs raw SQLite point queries (1 thread)" "$(calc "sprintf(\"%.0f\", $w2_rps)")" \
    "$(calc "sprintf(\"%.0f\", $raw_q)") q/s" "$(ratio "$w2_rps" "$raw_q")" "(info)" ""
  row "W1 batch of 500, records/s, 4 clients (p99 ${w1b_p99} ms)" "$w1b" \
    "$raw_ins (raw SQLite, txn 500)" "$(ratio "$w1b" "$raw_ins")" ">= 0.5x" \
    "$(check "$w1b / $raw_ins >= 0.5")"
  row "W1 one record a request, records/s, 32 clients (p99 ${w1s_p99} ms)" "$w1s" "" "" \
    ">= 2600/s" "$(check "$w1s >= 2600")"
  row "server RSS idle after W2, $records records" "$(calc "sprintf(\"%.1f MiB\", $rss_mib)")" "" "" \
    "< 64 MiB" "$(check "$rss_mib < 64")"
  row "herdpass backup of $records records (SQLite, online)" "$backup_seconds s" \
    "$backup_mib MiB" "" "(info)" ""
  cert_rows
  tls_rows
  w2_rows
  pg_rows
  web_rows
  photo_rows
  fieldcopy_rows
  journeys_rows
  sms_rows
  reminders_rows
  outbreak_rows
  echo
  echo "context: a durable SQLite commit of one record took $commit_ms ms on this machine (raw SQLite," \
    "txn of 1); during W2 the server used $cpu_us us of CPU per lookup ($cpu_cores of $(nproc) cores)"
  if [[ -f $work/seeded-$records ]]; then
    echo "seeding $records records (in this run): ${seed_seconds} s, ${seed_rate} records/s"
  else
    echo "seeding $records records: cached; it took ${seed_seconds} s (${seed_rate} records/s) when seeded"
  fi
} >"$table"
tee -a "$log" <"$table"
cp "$table" "$out/last-table.md"
