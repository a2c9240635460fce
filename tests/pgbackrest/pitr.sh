#!/usr/bin/env bash
# pgBackRest on a throwaway PostgreSQL 15 cluster, for the point-in-time restore test
# (tests/pgbackrest/pitr_pgtest.cpp) and for trying docs/standby.md's backup setup by hand. The
# clusters are tests/support/pg_cluster.sh's (loopback, a temp directory each, trust
# authentication); the pgBackRest repository, its configuration, logs and locks live in the
# primary's temp directory: nothing in /etc, /var or the machine's own PostgreSQL is used.
#
#   pitr.sh setup DIR             a primary in DIR/primary archiving its WAL with
#                                 `pgbackrest archive-push` (archive_mode=on), its pgbackrest.conf
#                                 (a local repository, stanza `herdpass`), an empty database
#                                 `herdpass`; then `stanza-create` and `check` (a WAL switch archived
#                                 end to end). DIR/primary/uri: a postgresql:// URI of the database
#                                 herdpass as the superuser (HerdPass's --db, and the test's SQL).
#   pitr.sh backup DIR full|incr  `pgbackrest backup` of that type, the server running.
#   pitr.sh check DIR             `pgbackrest check`: switches the WAL and waits until the segment
#                                 is in the repository, so that everything written before is.
#   pitr.sh restore DIR NAME name|time TARGET
#                                 `pgbackrest restore --type=name|time --target=TARGET` into the
#                                 data directory of a NEW cluster DIR/NAME (pg1-path pointing
#                                 there; the primary keeps running), with --target-action=promote and
#                                 --archive-mode=off (a copy must not push WAL into the primary's
#                                 repository), started on another free port; returns once recovery
#                                 has reached the target and the server was promoted, and fails
#                                 when it cannot (a WAL segment missing, say: PostgreSQL then stops
#                                 with "recovery ended before configured recovery target was
#                                 reached"). DIR/NAME/uri as above.
#   pitr.sh hide-wal DIR SEGMENT  move the archived WAL segment SEGMENT (24 hex digits) out of the
#                                 repository (a missing segment); show-wal puts it back.
#   pitr.sh show-wal DIR SEGMENT
#   pitr.sh stop DIR              stop every cluster of DIR (immediate shutdown) and remove them, the
#                                 repository and DIR.
#
# As root, the servers and pgbackrest run as the `postgres` system user (pg_cluster.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster_sh=$here/../support/pg_cluster.sh
STANZA=herdpass
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

die() {
  echo "pitr.sh: $*" >&2
  exit 1
}

# The temp directory of cluster DIR/NAME (pg_cluster.sh's DIR/NAME/cluster).
cluster_of() {
  [[ -f $1/cluster ]] || die "no cluster in $1"
  cat "$1/cluster"
}

# The port of cluster DIR/NAME, from pg_cluster.sh's DIR/NAME/conninfo.
port_of() { sed -n 's/.* port=\([0-9]*\) .*/\1/p' "$1/conninfo"; }

write_uri() {  # CLUSTER_DIR: the postgresql:// URI of its database herdpass
  echo "postgresql://postgres@127.0.0.1:$(port_of "$1")/herdpass?sslmode=disable&gssencmode=disable" \
    >"$1/uri"
}

# pgbackrest as the clusters' owner, with the primary's configuration.
backrest() {
  local dir=$1
  shift
  "$cluster_sh" run "$dir/primary" pgbackrest --config="$(cluster_of "$dir/primary")/pgbackrest.conf" \
    --stanza=$STANZA "$@"
}

sql() {  # CLUSTER_DIR DB SQL, as the superuser over the Unix socket
  "$cluster_sh" run "$1" "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$(cluster_of "$1")" \
    -p "$(port_of "$1")" -U postgres -d "$2" -c "$3"
}

setup() {
  local dir c
  dir=$(realpath -m "$1")
  command -v pgbackrest >/dev/null || die "pgbackrest is missing: install it (scripts/deps.sh build)"
  [[ -e $dir ]] && stop "$dir"
  mkdir -p "$dir"
  # pgbackrest.conf is written below into the cluster's temp directory, whose path pg_cluster.sh
  # puts in place of @PG_CLUSTER@.
  cat >"$dir/archive.conf" <<'CONF'

# --- tests/pgbackrest/pitr.sh ---
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=@PG_CLUSTER@/pgbackrest.conf --stanza=herdpass archive-push %p'
CONF
  PG_CLUSTER_CONF=$dir/archive.conf "$cluster_sh" start "$dir/primary" >/dev/null
  c=$(cluster_of "$dir/primary")
  "$cluster_sh" run "$dir/primary" mkdir -m 700 repo log lock spool
  "$cluster_sh" run "$dir/primary" tee "$c/pgbackrest.conf" >/dev/null <<CONF
[global]
repo1-path=$c/repo
repo1-retention-full=2
log-path=$c/log
lock-path=$c/lock
spool-path=$c/spool
log-level-console=warn
log-level-file=detail
compress-type=lz4
start-fast=y
process-max=2

[$STANZA]
pg1-path=$c/data
pg1-port=$(port_of "$dir/primary")
pg1-socket-path=$c
pg1-user=postgres
CONF
  sql "$dir/primary" postgres "CREATE DATABASE herdpass" >/dev/null
  backrest "$dir" stanza-create
  backrest "$dir" check
  write_uri "$dir/primary"
  echo "primary on 127.0.0.1:$(port_of "$dir/primary"), pgBackRest repository in $c/repo"
}

restore() {
  local dir=$1 name=$2 type=$3 target=$4 init
  [[ $type == name || $type == time ]] || die "restore: type name or time, not '$type'"
  [[ $name != primary ]] || die "restore: not into the primary"
  # PGDATA is the new cluster's data directory: pg_cluster.sh sets it for PG_CLUSTER_INIT, whose
  # shell expands it.
  # shellcheck disable=SC2016
  printf -v init 'mkdir -m 700 "$PGDATA" && pgbackrest --config=%q --stanza=%q --type=%q --target=%q --target-action=promote --archive-mode=off --pg1-path="$PGDATA" restore' \
    "$(cluster_of "$dir/primary")/pgbackrest.conf" "$STANZA" "$type" "$target"
  # PostgreSQL syncs the data directory before recovery: pgBackRest has synced every file it
  # restored, so one syncfs() of the file system does (fsync of file after file took seconds here).
  printf '\n# --- tests/pgbackrest/pitr.sh restore ---\nrecovery_init_sync_method = syncfs\n' \
    >"$dir/$name.conf"
  PG_CLUSTER_INIT=$init PG_CLUSTER_CONF=$dir/$name.conf "$cluster_sh" start "$dir/$name" >/dev/null
  # pg_ctl start returns once the server accepts (read-only) connections, in recovery: wait until
  # it has reached the target and been promoted, or has stopped because it cannot.
  local c deadline=$((SECONDS + 120))
  c=$(cluster_of "$dir/$name")
  until [[ $(sql "$dir/$name" postgres "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]; do
    if ! "$cluster_sh" run "$dir/$name" "$PG_BINDIR/pg_ctl" status -D "$c/data" >/dev/null; then
      "$cluster_sh" run "$dir/$name" tail -n 8 "$c/server.log" >&2
      die "the restored cluster $name stopped in recovery (its log above)"
    fi
    ((SECONDS < deadline)) || die "the restored cluster $name is still in recovery after 120 s"
    sleep 0.1
  done
  write_uri "$dir/$name"
  echo "restored ($type $target) into $(cluster_of "$dir/$name")/data, on 127.0.0.1:$(port_of "$dir/$name")"
}

wal_file() {  # DIR SEGMENT: the archived file of SEGMENT in the repository
  local c
  c=$(cluster_of "$1/primary")
  [[ $2 =~ ^[0-9A-F]{24}$ ]] || die "not a WAL segment name: '$2'"
  "$cluster_sh" run "$1/primary" find "$c/repo/archive/$STANZA" -name "$2-*" -type f
}

hide_wal() {
  local f
  f=$(wal_file "$1" "$2")
  [[ -n $f ]] || die "segment $2 is not in the repository"
  "$cluster_sh" run "$1/primary" mv "$f" "$(cluster_of "$1/primary")/hidden-$2"
  echo "$f" >"$1/hidden-$2"
  echo "moved $f out of the repository"
}

show_wal() {
  [[ -f $1/hidden-$2 ]] || die "segment $2 was not hidden"
  "$cluster_sh" run "$1/primary" mv "$(cluster_of "$1/primary")/hidden-$2" "$(<"$1/hidden-$2")"
  rm "$1/hidden-$2"
}

stop() {
  local dir d
  dir=$(realpath -m "$1")
  # Throwaway clusters: each stopped without a shutdown checkpoint (-m immediate; the checkpoint's
  # fsyncs took seconds here), then removed by pg_cluster.sh; all at once.
  for d in "$dir"/*/; do
    [[ -f $d/cluster ]] || continue
    {
      "$cluster_sh" run "$d" "$PG_BINDIR/pg_ctl" stop -D "$(<"$d/cluster")/data" -m immediate \
        -w -t 60 >/dev/null 2>&1 || true
      "$cluster_sh" stop "$d"
    } &
  done
  wait
  rm -rf "$dir"
}

[[ $# -ge 2 ]] || die "usage: pitr.sh setup|check|stop DIR | backup DIR full|incr | restore DIR NAME name|time TARGET | hide-wal|show-wal DIR SEGMENT"
case "$1" in
  setup) setup "$2" ;;
  backup)
    [[ ${3:-} == full || ${3:-} == incr ]] || die "backup: full or incr"
    backrest "$2" --type="$3" backup
    ;;
  check) backrest "$2" check ;;
  restore)
    [[ $# -eq 5 ]] || die "usage: pitr.sh restore DIR NAME name|time TARGET"
    restore "$2" "$3" "$4" "$5"
    ;;
  hide-wal) hide_wal "$2" "${3:?segment}" ;;
  show-wal) show_wal "$2" "${3:?segment}" ;;
  stop) stop "$2" ;;
  *) die "unknown command '$1'" ;;
esac
