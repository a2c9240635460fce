#!/usr/bin/env bash
# The standby setup of docs/standby.md, at the SQL level (no HerdPass): clients commit rows one
# transaction at a time through the multi-host connection string HerdPass uses
# (target_session_attrs=read-write), each writing down the ids whose COMMIT returned. Replication
# to the standby is held back for a moment (its WAL sender stopped), the primary is killed with
# SIGKILL (postmaster and every backend at once), the standby is promoted, the same clients carry
# on through the same connection string, and then every acknowledged id must be on the promoted
# standby.
#
#   pair_failover_test.sh sync [DIR]   synchronous replication: no acknowledged row may be lost,
#                                     and writes must resume on the promoted standby
#   pair_failover_test.sh async [DIR]  the control experiment: asynchronous replication must lose
#                                     rows acknowledged while replication was held back; when it
#                                     does not, this test cannot tell a safe setup from an unsafe
#                                     one, and fails
# DIR is a scratch directory, removed at the end (default: a new one under $TMPDIR or /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=${1:?usage: pair_failover_test.sh sync|async [DIR]}
[[ $mode == sync || $mode == async ]] || { echo "usage: pair_failover_test.sh sync|async [DIR]" >&2; exit 2; }
dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/herdpass-failover-XXXXXX")}
pair=$here/pg_pair.sh
clients=4
started=$SECONDS

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
say() { echo "[$((SECONDS - started))s] $*"; }

writer_pids=()
cleanup() {
  for pid in "${writer_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$pair" stop "$dir/pair" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir"
chmod 755 "$dir"  # the servers run as the postgres user when we are root: it must reach DIR/pair
"$pair" start "$dir/pair" "$mode"
# shellcheck disable=SC1091
source "$dir/pair/pair.env"
export PGPASSFILE PGCONNECT_TIMEOUT=5
"$pair" sql "$dir/pair" primary \
  "CREATE TABLE acks(client int, n int, PRIMARY KEY(client, n)); ALTER TABLE acks OWNER TO herdpass"

# Client $1: inserts (client, n) for n = 1, 2, ... one transaction each, through HERDPASS_DB, and
# appends n to $dir/acked.$1 once the COMMIT has returned. A failed attempt (the server gone, the
# standby not yet promoted) is retried with the next n after a short pause.
writer() {
  local c=$1 n=0
  while [[ ! -f $dir/stop ]]; do
    n=$((n + 1))
    if psql -X -q -v ON_ERROR_STOP=1 "$HERDPASS_DB" -c "INSERT INTO acks VALUES ($c, $n)" \
      >/dev/null 2>>"$dir/errors.$c"; then
      echo "$n" >>"$dir/acked.$c"
    else
      echo "$n" >>"$dir/failed.$c"
      sleep 0.1
    fi
  done
}
acked_total() { cat "$dir"/acked.* 2>/dev/null | wc -l; }
wait_for_acks() {  # until at least $1 acknowledged rows, or $2 seconds
  local want=$1 deadline=$((SECONDS + $2))
  while (($(acked_total) < want)); do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

for c in $(seq 1 "$clients"); do
  writer "$c" &
  writer_pids+=($!)
done
wait_for_acks 40 60 || fail "the clients committed fewer than 40 rows in 60 s"
say "$(acked_total) rows acknowledged by the primary; holding back replication"

# Until the SQL $2 on the primary prints t, or $1 seconds.
primary_until() {
  local deadline=$((SECONDS + $1))
  until [[ $("$pair" sql "$dir/pair" primary "$2" 2>/dev/null) == t ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# The WAL sender is stopped (SIGSTOP) when pg_pair.sh returns. Then wait for what each mode is
# about, not for a while.
"$pair" pause-replication "$dir/pair"
case "$mode" in
  sync)
    # Every client's COMMIT held on the primary, waiting for the standby's confirmation: each
    # client has written down all it had acknowledged before (a client writes its ack before its
    # next INSERT), and from here on no COMMIT can return.
    primary_until 60 "SELECT count(*) = $clients FROM pg_stat_activity WHERE wait_event = 'SyncRep'" ||
      fail "the clients' commits did not all wait for the standby within 60 s"
    before_pause=$(acked_total)
    ;;
  async)
    # Commits return on the primary alone: wait until 20 more have.
    before_pause=$(acked_total)
    wait_for_acks $((before_pause + 20)) 60 ||
      fail "control: fewer than 20 commits returned in 60 s while replication was held back"
    ;;
esac
"$pair" crash-primary "$dir/pair"
crashed_acks=$(acked_total)
during_pause=$((crashed_acks - before_pause))
say "$during_pause rows acknowledged while replication was held back"
"$pair" promote "$dir/pair"
say "standby promoted"
wait_for_acks $((crashed_acks + 20)) 60 ||
  fail "writes did not resume through the multi-host connection string within 60 s of promotion"
touch "$dir/stop"
wait "${writer_pids[@]}" 2>/dev/null || true
writer_pids=()
say "$(($(acked_total) - crashed_acks)) rows acknowledged by the promoted standby"

# Every acknowledged row must be on the promoted standby (asked directly, not through HerdPass).
"$pair" sql "$dir/pair" standby "SELECT client || ' ' || n FROM acks ORDER BY 1" | sort >"$dir/stored"
for c in $(seq 1 "$clients"); do
  sed "s/^/$c /" "$dir/acked.$c"
done | sort >"$dir/acked"
lost=$(comm -23 "$dir/acked" "$dir/stored" | wc -l)
acked=$(wc -l <"$dir/acked")
say "$acked rows acknowledged in all, $(wc -l <"$dir/stored") stored, $lost acknowledged rows lost"
[[ $("$pair" sql "$dir/pair" standby "SELECT pg_is_in_recovery()") == f ]] ||
  fail "the promoted standby is still in recovery"

case "$mode" in
  sync)
    ((during_pause == 0)) ||
      fail "$during_pause commits returned while the synchronous standby received nothing"
    ((lost == 0)) || fail "$lost acknowledged rows are missing on the promoted standby: $(comm -23 "$dir/acked" "$dir/stored" | head -5 | tr '\n' ',')"
    ;;
  async)
    ((during_pause > 0)) || fail "control: no commit returned while replication was held back"
    ((lost > 0)) || fail "control: asynchronous replication lost nothing, so the check cannot tell"
    say "control: asynchronous replication lost $lost acknowledged rows, as expected"
    ;;
esac
say "PASS"
