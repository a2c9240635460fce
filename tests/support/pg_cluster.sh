#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (DESIGN.md section 11), registered in CTest as the
# `postgres` fixture (tests/support/CMakeLists.txt).
#
#   pg_cluster.sh start DIR [PORT]   initdb (trust auth, superuser postgres) into a fresh temp
#                                    directory, start it on 127.0.0.1:PORT (a free port when PORT is
#                                    0 or absent) with its socket there and fsync on; write
#                                    DIR/conninfo, the libpq connection string the tests read
#                                    (HERDPASS_TEST_PG_FILE), and DIR/cluster, the temp directory.
#   pg_cluster.sh stop DIR           stop it (fast shutdown) and remove it and DIR.
#   pg_cluster.sh run DIR CMD [ARG...]
#                                    run CMD as the cluster's owner in its temp directory, with
#                                    PG_CLUSTER (the temp directory) and PGDATA in its environment
#                                    (pgBackRest's commands, tests/pgbackrest/pitr.sh).
#
# `start` also takes, from the environment (tests/pgbackrest/pitr.sh uses the first and the last):
#   PG_CLUSTER_CONF=FILE   lines appended to the new cluster's postgresql.conf before it first starts
#                          (archive_mode and archive_command, say), @PG_CLUSTER@ in them replaced by
#                          the cluster's temp directory.
#   PG_CLUSTER_SHARED_BUFFERS=SIZE  shared_buffers [32MB, enough for the tests' data]: a benchmark
#                          of a large data set gives what a server of that data would have
#                          (bench/pg_trace.sh).
#   PG_CLUSTER_INIT=CMD    a shell command run as the owner instead of initdb, with PGDATA naming the
#                          data directory it must make (a pgBackRest restore, say); its output goes
#                          to DIR/initdb.log. A server that then fails to start is not retried on
#                          another port unless its log says the port was taken: the failure is the
#                          data's (a recovery that cannot reach its target, say).
#
# A cluster left behind by an interrupted run is stopped and removed by the next `start` on DIR. No
# other PostgreSQL is assumed or touched: the cluster is the temp directory's alone, on a port
# nothing listened on. initdb refuses to run as root, so as root the server runs as the `postgres`
# system user (made by Debian's postgresql-15 package) and the temp directory, under /tmp, belongs
# to it: the build directory may sit where that user cannot go (/root). As any other user it runs
# as that user. Missing binaries are an error, not a skip: `make test` installs them
# (scripts/deps.sh).
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg_cluster.sh: $*" >&2
  exit 1
}

usage() { die "usage: pg_cluster.sh start DIR [PORT] | stop DIR | run DIR CMD [ARG...]"; }

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the cluster recorded in DIR/cluster, if any, and removes it.
stop_cluster() {
  local dir=$1 cluster
  [[ -f $dir/cluster ]] || return 0
  cluster=$(<"$dir/cluster")
  [[ -n $cluster && -d $cluster ]] || return 0
  if [[ -f $cluster/data/postmaster.pid ]]; then
    as_owner "$PG_BINDIR/pg_ctl" stop -D "$cluster/data" -m fast -w -t 60 >/dev/null 2>&1 ||
      as_owner "$PG_BINDIR/pg_ctl" stop -D "$cluster/data" -m immediate -w -t 60 >/dev/null 2>&1 ||
      true
  fi
  rm -rf "$cluster"
}

start() {
  local dir=$1 port=${2:-0} cluster
  for prog in initdb pg_ctl postgres; do
    [[ -x $PG_BINDIR/$prog ]] ||
      die "$PG_BINDIR/$prog is missing: install postgresql-15 (scripts/deps.sh build)"
  done
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres system user (postgresql-15)"
    cluster=$(mktemp -d /tmp/herdpass-pg.XXXXXX)
    chown postgres: "$cluster"
  else
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/herdpass-pg.XXXXXX")
  fi
  chmod 700 "$cluster"
  dir=$(realpath -m "$dir")
  stop_cluster "$dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "$cluster" >"$dir/cluster"

  if [[ -n ${PG_CLUSTER_INIT:-} ]]; then
    (cd "$cluster" && as_owner env PGDATA="$cluster/data" bash -c "$PG_CLUSTER_INIT") \
      >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      die "PG_CLUSTER_INIT failed: $PG_CLUSTER_INIT"
    }
  else
    as_owner "$PG_BINDIR/initdb" -D "$cluster/data" --auth=trust -U postgres --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      die "initdb failed"
    }
  fi
  if [[ -n ${PG_CLUSTER_CONF:-} ]]; then
    [[ -f $PG_CLUSTER_CONF ]] || die "PG_CLUSTER_CONF names no file: $PG_CLUSTER_CONF"
    sed "s|@PG_CLUSTER@|$cluster|g" "$PG_CLUSTER_CONF" |
      as_owner tee -a "$cluster/data/postgresql.conf" >/dev/null
  fi

  local tries=0 fixed=$port
  while :; do
    [[ $fixed -ne 0 ]] && port=$fixed || port=$(free_port)
    if as_owner "$PG_BINDIR/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
      -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$cluster -c fsync=on -c max_connections=200 -c shared_buffers=${PG_CLUSTER_SHARED_BUFFERS:-32MB}" \
      >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    # A port taken between the choice and the start: try another, unless it was given (or the
    # data, not the port, kept the server from starting).
    local data_failed=0
    [[ -n ${PG_CLUSTER_INIT:-} ]] && ! grep -q "could not bind" "$cluster/server.log" &&
      data_failed=1
    if [[ $fixed -ne 0 || $tries -ge 5 || $data_failed -eq 1 ]]; then
      tail -n 20 "$cluster/server.log" >&2 || true
      die "the server did not start on port $port"
    fi
  done
  echo "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=disable gssencmode=disable" \
    >"$dir/conninfo.tmp"
  mv "$dir/conninfo.tmp" "$dir/conninfo"
  echo "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $cluster/data"
}

stop() {
  local dir
  dir=$(realpath -m "$1")
  stop_cluster "$dir"
  rm -rf "$dir"
}

run() {
  local dir cluster
  dir=$(realpath -m "$1")
  shift
  [[ -f $dir/cluster ]] || die "no cluster in $dir: run pg_cluster.sh start $dir first"
  cluster=$(<"$dir/cluster")
  cd "$cluster"
  as_owner env PG_CLUSTER="$cluster" PGDATA="$cluster/data" "$@"
}

[[ $# -ge 2 ]] || usage
case "$1" in
  start) start "$2" "${3:-0}" ;;
  stop) stop "$2" ;;
  run)
    [[ $# -ge 3 ]] || usage
    shift
    run "$@"
    ;;
  *) usage ;;
esac
