#!/usr/bin/env bash
# `make deb`: builds the Debian package herdpass_<version>_<arch>.deb into OUTDIR from a built
# herdpass binary and web app (web/dist, scripts/web.sh), with debian/ (dpkg-buildpackage and
# debhelper: see debian/rules). The package is assembled in a fresh temporary tree, so that the
# source tree stays clean and two builds never share a file; only the .deb is kept.
#   scripts/deb.sh BIN WEBDIST OUTDIR
# LINTIAN=1 also runs lintian on the package and fails on any error or warning.
set -euo pipefail
bin=$1 web=$2 out=$3
src=$(cd "$(dirname "$0")/.." && pwd)

[[ -x $bin ]] || { echo "deb.sh: no herdpass binary at $bin" >&2; exit 1; }
[[ -f $web/index.html ]] || { echo "deb.sh: no built web app in $web (make web)" >&2; exit 1; }
mkdir -p "$out"

stage=$(mktemp -d "${TMPDIR:-/tmp}/herdpass-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
tree=$stage/herdpass
mkdir "$tree"
cp -r "$src/debian" "$tree/debian"
# Without its debug information (no -dbgsym package is made; see debian/rules): the
# RelWithDebInfo binary is 190 MB of DWARF that dh_install would copy and dh_strip remove again.
objcopy --strip-debug "$bin" "$tree/herdpass"
cp -r "$web" "$tree/web"

# -b: the binary package only. noautodbgsym: no -dbgsym package (debian/rules says why).
(cd "$tree" && DEB_BUILD_OPTIONS="noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -b --no-sign >"$stage/build.log" 2>&1) || {
  cat "$stage/build.log" >&2
  echo "deb.sh: dpkg-buildpackage failed" >&2
  exit 1
}
debs=("$stage"/herdpass_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || { echo "deb.sh: expected one .deb in $stage" >&2; exit 1; }
if [[ ${LINTIAN:-0} == 1 ]]; then
  lintian --fail-on error,warning "${debs[0]}"
fi
cp "${debs[0]}" "$out/"
echo "$out/$(basename "${debs[0]}")"
