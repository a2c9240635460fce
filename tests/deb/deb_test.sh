#!/usr/bin/env bash
# deb_package_test: the Debian package, installed for real on this machine.
#   deb_test.sh BIN WEBDIST
# Builds the package from BIN and WEBDIST with scripts/deb.sh (lintian must find no error or
# warning), installs it with dpkg -i, checks the user, directories, conffile, man page and unit
# (systemd-analyze verify), runs `herdpass init` as the package's user, then the unit's ExecStart
# as its User= with its EnvironmentFile=, no capabilities and no new privileges (what systemd would
# do; this machine's PID 1 need not be systemd), asks the server for /healthz, / and a sign-in on a
# free port set in the packaged config, stops it, purges the package and checks that nothing is
# left: package, user, group, /etc/herdpass, /var/lib/herdpass, the unit's enablement.
# Needs root. Whatever happens, the server is stopped and the package purged on exit.
set -euo pipefail
bin=$1 web=$2
src=$(cd "$(dirname "$0")/../.." && pwd)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "[$((SECONDS - start))s] $*"; }
start=$SECONDS

[[ $(id -u) -eq 0 ]] || fail "this test installs a package with dpkg: run it as root (ctest -LE root leaves it out)"

# The package, its user and /var/lib/herdpass are the machine's: one run at a time.
exec 9>/run/lock/herdpass-deb-test.lock
flock -w 540 9 || fail "another deb_package_test kept /run/lock/herdpass-deb-test.lock"

pkg_status() { dpkg-query -W -f='${db:Status-Status}' herdpass 2>/dev/null || true; }
# Nothing of a herdpass installed otherwise is touched: the test refuses to start.
[[ $(pkg_status) == "" || $(pkg_status) == not-installed ]] ||
  fail "the herdpass package is installed on this machine ($(pkg_status)): the test would remove it"
for path in /etc/herdpass /var/lib/herdpass /usr/share/herdpass; do
  [[ ! -e $path ]] || fail "$path exists already: the test would remove it"
done
! getent passwd herdpass >/dev/null || fail "a user herdpass exists already: the test would remove it"
! getent group herdpass >/dev/null || fail "a group herdpass exists already: the test would remove it"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/herdpass-deb-test.XXXXXX")
server_pid=""
installed=0
cleanup() {
  local rc=$?
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((installed)); then
    dpkg --purge herdpass >"$tmp/cleanup-purge.log" 2>&1 || {
      cat "$tmp/cleanup-purge.log" >&2
      echo "deb_test.sh: could not purge herdpass; remove it by hand: dpkg --purge herdpass" >&2
    }
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
# A signal (ctest stopping the test, Ctrl-C) ends the script through the same cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM

step "PID 1 is $(ps -p 1 -o comm=); building the package from $bin"
deb=$(LINTIAN=1 "$src/scripts/deb.sh" "$bin" "$web" "$tmp" | tail -n 1)
[[ -f $deb ]] || fail "scripts/deb.sh made no package"
step "built $(basename "$deb"), $(stat -c %s "$deb") bytes; lintian: no errors or warnings"

installed=1
dpkg -i "$deb" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log" >&2
  fail "dpkg -i failed"
}
[[ $(pkg_status) == installed ]] || fail "after dpkg -i the package is '$(pkg_status)'"
step "installed"

# The system user and its data directory.
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd herdpass) || fail "no user herdpass"
((uid < 1000)) || fail "herdpass is not a system user: uid $uid"
[[ $home == /var/lib/herdpass ]] || fail "herdpass's home is $home"
[[ $shell == /usr/sbin/nologin ]] || fail "herdpass's shell is $shell"
[[ $(stat -c '%U:%G %a' /var/lib/herdpass) == "herdpass:herdpass 700" ]] ||
  fail "/var/lib/herdpass is $(stat -c '%U:%G %a' /var/lib/herdpass), not herdpass:herdpass 700"
# The config is a conffile; the man page is the binary's --help plus the packaged files.
dpkg-query -W -f='${Conffiles}\n' herdpass | grep -q '^ /etc/herdpass/herdpass.conf [0-9a-f]\{32\}$' ||
  fail "/etc/herdpass/herdpass.conf is not a conffile: $(dpkg-query -W -f='${Conffiles}' herdpass)"
man=$(zcat /usr/share/man/man1/herdpass.1.gz)
grep -q '^serve ' <<<"$man" || fail "the man page does not list the serve command"
grep -q '^\.SH FILES' <<<"$man" || fail "the man page has no FILES section"
[[ -f /usr/share/herdpass/web/index.html ]] || fail "no web app in /usr/share/herdpass/web"

unit=/lib/systemd/system/herdpass.service
# One value of a [Service] setting of the unit; exactly one line must set it.
unit_value() {
  local values
  values=$(sed -n "s/^$1=//p" "$unit")
  [[ -n $values && $(wc -l <<<"$values") -eq 1 ]] || fail "$unit sets $1 other than once"
  echo "$values"
}
if command -v systemd-analyze >/dev/null; then
  # --man=no: the man page is checked above, and man-db need not be installed.
  systemd-analyze verify --man=no "$unit" || fail "systemd-analyze verify $unit"
  step "systemd-analyze verify: the unit is valid"
else
  step "systemd-analyze not installed: the unit is not verified"
fi
user=$(unit_value User)
envfile=$(unit_value EnvironmentFile)
execstart=$(unit_value ExecStart)
[[ $user == herdpass && $envfile == /etc/herdpass/herdpass.conf ]] ||
  fail "the unit runs as '$user' with '$envfile'"
# What the run below reproduces of the unit's sandbox, and the rest of the hardening asked for.
for setting in CapabilityBoundingSet= NoNewPrivileges=yes UMask=0077 ProtectSystem=strict \
  ProtectHome=yes PrivateTmp=yes StateDirectory=herdpass; do
  grep -qx "$setting" "$unit" || fail "$unit does not set $setting"
done

# A port of this run's own, set the way an administrator would: in the packaged config.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/^HERDPASS_LISTEN=.*/HERDPASS_LISTEN=127.0.0.1:$port/" "$envfile"
grep -qx "HERDPASS_LISTEN=127.0.0.1:$port" "$envfile" || fail "no HERDPASS_LISTEN line in $envfile"

cd /
runuser -u "$user" -- /usr/bin/herdpass init --data /var/lib/herdpass --region KZ --authority KZ-ABY \
  >"$tmp/init.out" 2>&1 || {
  cat "$tmp/init.out" >&2
  fail "herdpass init as $user"
}
password=$(sed -n 's/^admin password: //p' "$tmp/init.out")
[[ -n $password ]] || fail "herdpass init printed no admin password: $(cat "$tmp/init.out")"
[[ $(stat -c '%U %a' /var/lib/herdpass/herdpass.db) == "herdpass 600" ]] ||
  fail "the database is $(stat -c '%U %a' /var/lib/herdpass/herdpass.db)"
[[ -f /var/lib/herdpass/herdpass.conf ]] || fail "init made no herdpass.conf, the unit's condition"
step "herdpass init as $user"

# The unit's ExecStart as systemd runs it: its User=, no capabilities (CapabilityBoundingSet=
# empty), NoNewPrivileges=, UMask=0077, a clean environment from EnvironmentFile= only.
(
  umask 0077
  # shellcheck disable=SC2016 # $1 and $2 are the inner bash's: the config, then ExecStart
  exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs \
    --bounding-set=-all --inh-caps=-all \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c 'set -a; . "$1"; set +a; eval "exec $2"' herdpass-serve "$envfile" "$execstart"
) >"$tmp/serve.log" 2>&1 &
server_pid=$!

# Waits for the server to answer; fails at once if it exits.
health=""
for ((i = 0; i < 600; i++)); do
  kill -0 "$server_pid" 2>/dev/null || {
    cat "$tmp/serve.log" >&2
    fail "herdpass serve exited"
  }
  health=$(curl -sf --max-time 5 "http://127.0.0.1:$port/healthz") && break
  sleep 0.05
done
[[ $health == '{"status":"ok"}' ]] || fail "GET /healthz answered '$health'"
[[ $(ps -o user= -p "$server_pid") == "$user" ]] || fail "serve runs as $(ps -o user= -p "$server_pid")"
step "serve answers GET /healthz on 127.0.0.1:$port as $user"

# The packaged web app at /, and the database init made behind the API.
curl -sf "http://127.0.0.1:$port/" -o "$tmp/index.html" || fail "GET / failed"
cmp -s "$tmp/index.html" /usr/share/herdpass/web/index.html || fail "GET / is not the packaged web app"
code=$(curl -s -o "$tmp/login.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/auth/login" \
  -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}")
[[ $code == 200 ]] || fail "signing in as init's admin: HTTP $code $(cat "$tmp/login.json")"
step "GET / is the packaged web app; init's admin signs in"

kill -TERM "$server_pid"
wait "$server_pid" || fail "herdpass serve exited with $? on SIGTERM: $(cat "$tmp/serve.log")"
server_pid=""

dpkg --purge herdpass >"$tmp/purge.log" 2>&1 || {
  cat "$tmp/purge.log" >&2
  fail "dpkg --purge failed"
}
installed=0
[[ $(pkg_status) == "" || $(pkg_status) == not-installed ]] || fail "after purge the package is $(pkg_status)"
! getent passwd herdpass >/dev/null || fail "the user herdpass is left after purge"
! getent group herdpass >/dev/null || fail "the group herdpass is left after purge"
for path in /etc/herdpass /var/lib/herdpass /usr/share/herdpass /usr/bin/herdpass "$unit"; do
  [[ ! -e $path ]] || fail "$path is left after purge"
done
left=$(find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled -name '*herdpass*' 2>/dev/null)
[[ -z $left ]] || fail "left after purge: $left"
step "purged: no package, user, group, /etc/herdpass or /var/lib/herdpass left"
