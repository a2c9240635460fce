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

usage() { die "usage: pg_cluster.sh start DIR [PORT] | stop DIR"; }

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

  as_owner "$PG_BINDIR/initdb" -D "$cluster/data" --auth=trust -U postgres --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }

  local tries=0 fixed=$port
  while :; do
    [[ $fixed -ne 0 ]] && port=$fixed || port=$(free_port)
    if as_owner "$PG_BINDIR/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
      -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$cluster -c fsync=on -c max_connections=200 -c shared_buffers=32MB" \
      >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    # A port taken between the choice and the start: try another, unless it was given.
    if [[ $fixed -ne 0 || $tries -ge 5 ]]; then
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

[[ $# -ge 2 ]] || usage
case "$1" in
  start) start "$2" "${3:-0}" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
