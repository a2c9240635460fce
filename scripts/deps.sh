#!/usr/bin/env bash
# Installs the Debian packages HerdPass needs, when any is missing. Run by `make run`, `make test`,
# `make bench` (group bench), `make fuzz` (group fuzz) and `make ha-test` (group ha). As root it
# runs apt-get itself; otherwise it prints the exact command and fails.
set -euo pipefail

group=${1:-build}
build_pkgs=(cmake ninja-build g++ pkg-config make
  libboost-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
  libphonenumber-dev zlib1g-dev libqrencode-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev rapidjson-dev curl openssl sslscan
  libcbor-dev libpng-dev libzbar-dev zbar-tools imagemagick python3-cbor2 python3-nacl
  postgresql-15 libpq-dev pgbackrest kannel
  debhelper help2man lintian
  chromium fonts-noto-core fonts-noto-cjk)
bench_pkgs=(wrk nginx-light)
fuzz_pkgs=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)
# The high-availability tests (tests/ha/): Patroni 3.0 and a three-member etcd 3.4 on loopback;
# their system services are never started (the tests run their own processes).
ha_pkgs=(patroni etcd-server etcd-client python3-yaml)

case "$group" in
  build) pkgs=("${build_pkgs[@]}") ;;
  bench) pkgs=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) pkgs=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  ha) pkgs=("${build_pkgs[@]}" "${ha_pkgs[@]}") ;;
  *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
# openssl (s_client) and sslscan check the TLS of `herdpass serve` (tests/http/serve_tls_test.py).
# pgbackrest backs up and restores a throwaway PostgreSQL cluster in tests/pgbackrest/ (`make test`).
# kannel (bearerbox, smsbox) is HerdPass's SMS gateway (DESIGN.md W15); tests/sms/ runs its own
# bearerbox and smsbox with a kannel.conf of their own (tests/support/kannel.h), never the service.
# debhelper (dpkg-buildpackage), help2man (the man page) and lintian make and check the Debian
# package (`make deb`, and tests/deb/deb_test.sh in `make test`).
# The web app (web/) is built with the machine's Node.js and npm (Vite 8 needs Node >= 20.19, newer
# than Debian 12's nodejs 18); chromium runs its end-to-end tests, the Noto fonts draw the Uyghur and
# Chinese screens.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null; then
  echo "HerdPass's web app needs Node.js >= 20.19 with npm on PATH (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
((${#missing[@]} == 0)) && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "HerdPass needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "Installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# etcd-server, patroni and kannel come with services that their installation would start (etcd on
# the default ports 2379/2380; Kannel's init script starts bearerbox and wapbox with
# /etc/kannel/kannel.conf): the tests run their own, so a policy-rc.d, only while apt-get runs and
# only if the machine has none, keeps every service as it was.
starts_service=0
for p in "${missing[@]}"; do
  case "$p" in etcd-server | patroni | kannel) starts_service=1 ;; esac
done
if ((starts_service)) && [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# scripts/deps.sh: no service starts while HerdPass installs packages\nexit 101\n' \
    >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
$cmd
