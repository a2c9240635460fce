#!/usr/bin/env bash
# A PostgreSQL 15 primary and a streaming standby with synchronous replication, for the failover
# test (tests/failover/failover_pgtest.cpp) and for trying the standby setup of docs/standby.md by
# hand. Throwaway: everything lives in DIR, on loopback ports nothing listened on.
#
#   pg_pair.sh start DIR [async]  initdb a primary in DIR/primary on a free 127.0.0.1 port
#                                 (wal_level=replica, synchronous_standby_names='standby1',
#                                 synchronous_commit=on: a COMMIT returns once the standby has
#                                 flushed the WAL too), a replication role and a `herdpass` role
#                                 owning database `herdpass` (both password-authenticated over TCP),
#                                 then pg_basebackup -R a standby into DIR/standby (application_name
#                                 standby1, a replication slot) on another free port, start it, and
#                                 wait until pg_stat_replication shows it streaming and `sync`.
#                                 `async` leaves synchronous_standby_names empty (the control
#                                 experiment: acknowledged commits may exist on the primary alone).
#                                 Writes DIR/pair.env (shell variables, below) and DIR/pgpass.
#   pg_pair.sh pause-replication DIR   SIGSTOP the primary's WAL sender: the primary's WAL runs ahead
#                                 of the standby's (with sync replication, commits wait meanwhile)
#   pg_pair.sh resume-replication DIR  SIGCONT it
#   pg_pair.sh crash-primary DIR  SIGKILL the primary's postmaster and every process of it at once
#                                 (every process working in DIR/primary: the machine is gone), and
#                                 wait until its port refuses connections.
#   pg_pair.sh promote DIR        pg_ctl promote the standby and wait until it accepts writes.
#   pg_pair.sh sql DIR primary|standby SQL
#                                 run SQL as superuser on database herdpass over the Unix socket;
#                                 prints unaligned tuples.
#   pg_pair.sh stop DIR           stop whatever still runs (immediate), SIGKILL every process still
#                                 working in DIR (a stopped WAL sender among them), remove DIR.
#
# DIR/pair.env: PRIMARY_PORT, STANDBY_PORT, SOCKET_DIR, HERDPASS_DB (the multi-host URI HerdPass
# takes: both hosts, target_session_attrs=read-write, no password: libpq reads it from PGPASSFILE),
# PGPASSFILE (mode 0600, owned by the caller).
#
# initdb refuses to run as root: as root the servers run as the `postgres` system user (Debian's
# postgresql-15 package makes it) and their directories belong to it.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg_pair.sh: $*" >&2
  exit 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

random_password() { head -c 18 /dev/urandom | base64 | tr '+/' '-_'; }

# Waits up to $2 seconds for command "${@:3}" to succeed.
wait_until() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what"
    sleep 0.1
  done
}

load_env() {
  [[ -f $1/pair.env ]] || die "$1/pair.env is missing: run pg_pair.sh start $1 first"
  # shellcheck disable=SC1091
  source "$1/pair.env"
}

# psql as the superuser over the Unix socket (local connections trust the OS user postgres).
sql_on() {
  local dir=$1 port=$2 db=$3 sql=$4
  as_owner "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" -U postgres \
    -d "$db" -c "$sql"
}

start_server() {  # DATA_DIR PORT LOG
  as_owner "$PG_BINDIR/pg_ctl" start -D "$1" -l "$3" -w -t 120 -o "-c port=$2" >/dev/null ||
    {
      tail -n 30 "$3" >&2 || true
      die "PostgreSQL in $1 did not start on port $2"
    }
}

postmaster_pid() { [[ -f $1/postmaster.pid ]] && head -1 "$1/postmaster.pid"; }

start() {
  local dir mode=${2:-sync}
  dir=$(realpath -m "$1")
  for prog in initdb pg_ctl postgres pg_basebackup psql; do
    [[ -x $PG_BINDIR/$prog ]] ||
      die "$PG_BINDIR/$prog is missing: install postgresql-15 (scripts/deps.sh build)"
  done
  [[ $mode == sync || $mode == async ]] || die "unknown mode '$mode' (sync or async)"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres system user (postgresql-15)"
  fi
  [[ -e $dir ]] && stop "$dir"
  mkdir -p "$dir/sock"
  chmod 700 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir" "$dir/sock"

  local primary_port standby_port repl_pw app_pw
  primary_port=$(free_port)
  repl_pw=$(random_password)
  app_pw=$(random_password)

  as_owner "$PG_BINDIR/initdb" -D "$dir/primary" -U postgres --auth-local=trust \
    --auth-host=reject --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }
  # Settings shared by both servers (pg_basebackup copies postgresql.conf to the standby).
  as_owner tee -a "$dir/primary/postgresql.conf" >/dev/null <<CONF

# --- tests/failover/pg_pair.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = on
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
wal_log_hints = on                      # lets pg_rewind turn the old primary into a standby
synchronous_commit = on                 # COMMIT waits for the sync standby to flush the WAL
# synchronous_standby_names is set once the standby streams (below): before, every commit would wait.
max_connections = 50
shared_buffers = 32MB
password_encryption = scram-sha-256
CONF
  # Only these TCP logins exist: replication as `replicator`, the application as `herdpass`.
  as_owner tee "$dir/primary/pg_hba.conf" >/dev/null <<HBA
local   all          postgres                  trust
host    replication  replicator  127.0.0.1/32  scram-sha-256
host    herdpass     herdpass    127.0.0.1/32  scram-sha-256
HBA
  start_server "$dir/primary" "$primary_port" "$dir/primary.log"
  sql_on "$dir" "$primary_port" postgres \
    "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$repl_pw';
     CREATE ROLE herdpass WITH LOGIN PASSWORD '$app_pw';" >/dev/null
  sql_on "$dir" "$primary_port" postgres "CREATE DATABASE herdpass OWNER herdpass" >/dev/null

  # The standby: a base backup that streams the WAL it needs (-X stream), a physical slot so that
  # the primary keeps WAL the standby has not received (-C -S), and standby.signal plus
  # primary_conninfo (-R). The password goes into the standby's primary_conninfo (postgresql.auto.conf,
  # mode 0600, the postgres user's own).
  as_owner "$PG_BINDIR/pg_basebackup" -D "$dir/standby" -X stream -C -S standby1 -R -c fast \
    -d "host=127.0.0.1 port=$primary_port user=replicator password=$repl_pw application_name=standby1" \
    >"$dir/basebackup.log" 2>&1 || {
    cat "$dir/basebackup.log" >&2
    die "pg_basebackup failed"
  }
  grep -q "application_name=standby1" "$dir/standby/postgresql.auto.conf" ||
    die "pg_basebackup -R did not keep application_name in primary_conninfo"
  # Once promoted, the standby has no standby of its own: with 'standby1' still named, every commit
  # would wait for ever. It runs alone (one copy) until a new standby is attached (docs/standby.md).
  echo "synchronous_standby_names = ''" | as_owner tee -a "$dir/standby/postgresql.auto.conf" \
    >/dev/null
  standby_port=$(free_port)
  [[ $standby_port != "$primary_port" ]] || standby_port=$(free_port)
  start_server "$dir/standby" "$standby_port" "$dir/standby.log"

  if [[ $mode == sync ]]; then
    sql_on "$dir" "$primary_port" postgres \
      "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" >/dev/null
    sql_on "$dir" "$primary_port" postgres "SELECT pg_reload_conf()" >/dev/null
  fi
  local want=standby1\|streaming\|$mode
  replication_is() {
    [[ $(sql_on "$dir" "$primary_port" postgres \
      "SELECT application_name, state, sync_state FROM pg_stat_replication") == "$1" ]]
  }
  wait_until "the standby to stream ($want)" 120 replication_is "$want"

  umask 077
  printf '127.0.0.1:%s:herdpass:herdpass:%s\n127.0.0.1:%s:herdpass:herdpass:%s\n' \
    "$primary_port" "$app_pw" "$standby_port" "$app_pw" >"$dir/pgpass"
  cat >"$dir/pair.env.tmp" <<ENV
PRIMARY_PORT=$primary_port
STANDBY_PORT=$standby_port
SOCKET_DIR=$dir/sock
HERDPASS_DB='postgresql://herdpass@127.0.0.1:$primary_port,127.0.0.1:$standby_port/herdpass?target_session_attrs=read-write&connect_timeout=5&sslmode=disable'
PGPASSFILE=$dir/pgpass
ENV
  mv "$dir/pair.env.tmp" "$dir/pair.env"
  echo "primary 127.0.0.1:$primary_port, standby 127.0.0.1:$standby_port ($mode), in $dir"
}

walsender_pid() {
  load_env "$1"
  local pid
  pid=$(sql_on "$1" "$PRIMARY_PORT" postgres \
    "SELECT pid FROM pg_stat_replication WHERE application_name = 'standby1'")
  [[ -n $pid ]] || die "the primary has no WAL sender for standby1"
  echo "$pid"
}

# Every process working in directory $1 or under it, from /proc (procps may be missing on a
# minimal system): a PostgreSQL server's postmaster and every child of it work in its data
# directory, and keep it as their working directory once it is deleted ("... (deleted)"). A
# process may exit while the list is read: it is skipped. (Its children by PPid are not enough: a
# child the postmaster's death orphaned has init as its parent, and mawk gives up on the whole list
# of /proc/*/status files as soon as one of them vanishes, which left a SIGSTOPped WAL sender
# running for ever.)
processes_in() {
  local dir=$1 proc cwd
  for proc in /proc/[0-9]*; do
    cwd=$(readlink "$proc/cwd" 2>/dev/null) || continue
    cwd=${cwd% (deleted)}
    [[ $cwd == "$dir" || $cwd == "$dir"/* ]] && echo "${proc#/proc/}"
  done
  return 0
}

# SIGKILLs every process working in $1 (SIGKILL ends a stopped process too) and waits until none
# is left. Done by init once it has reaped them; a zombie still listed has no working directory.
kill_processes_in() {
  local dir=$1 pids
  pids=$(processes_in "$dir")
  [[ -z $pids ]] && return 0
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  none_in() { [[ -z $(processes_in "$dir") ]]; }
  wait_until "the processes of $dir to end" 30 none_in
}

crash_primary() {
  local dir=$1 pid
  load_env "$dir"
  pid=$(postmaster_pid "$dir/primary") || die "no postmaster.pid in $dir/primary"
  # The postmaster and every process of it at once.
  kill_processes_in "$dir/primary"
  port_refuses() { ! (exec 3<>"/dev/tcp/127.0.0.1/$PRIMARY_PORT") 2>/dev/null; }
  wait_until "port $PRIMARY_PORT to refuse connections" 30 port_refuses
  echo "primary (postmaster $pid) killed with SIGKILL"
}

promote() {
  local dir=$1
  load_env "$dir"
  as_owner "$PG_BINDIR/pg_ctl" promote -D "$dir/standby" -w -t 120 >/dev/null ||
    die "pg_ctl promote failed"
  [[ $(sql_on "$dir" "$STANDBY_PORT" postgres "SELECT pg_is_in_recovery()") == f ]] ||
    die "the standby is still in recovery after promotion"
  echo "standby on port $STANDBY_PORT promoted"
}

stop() {
  local dir
  dir=$(realpath -m "$1")
  for d in standby primary; do
    if [[ -f $dir/$d/postmaster.pid ]]; then
      as_owner "$PG_BINDIR/pg_ctl" stop -D "$dir/$d" -m immediate -w -t 60 >/dev/null 2>&1 || true
    fi
  done
  # Whatever outlived its postmaster (a WAL sender pause-replication stopped, whose postmaster
  # crash-primary killed, cannot act on the postmaster's death while stopped).
  kill_processes_in "$dir"
  rm -rf "$dir"
}

[[ $# -ge 2 ]] || die "usage: pg_pair.sh start DIR [async] | pause-replication|resume-replication|crash-primary|promote|stop DIR | sql DIR primary|standby SQL"
case "$1" in
  start) start "$2" "${3:-sync}" ;;
  pause-replication) kill -STOP "$(walsender_pid "$2")" ;;
  resume-replication) kill -CONT "$(walsender_pid "$2")" ;;
  crash-primary) crash_primary "$2" ;;
  promote) promote "$2" ;;
  sql)
    [[ $# -eq 4 ]] || die "usage: pg_pair.sh sql DIR primary|standby SQL"
    load_env "$2"
    case "$3" in
      primary) sql_on "$2" "$PRIMARY_PORT" herdpass "$4" ;;
      standby) sql_on "$2" "$STANDBY_PORT" herdpass "$4" ;;
      *) die "sql: primary or standby, not '$3'" ;;
    esac
    ;;
  stop) stop "$2" ;;
  *) die "unknown command '$1'" ;;
esac
