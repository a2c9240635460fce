#!/usr/bin/env bash
# Run clang-tidy (config: .clang-tidy at the repo root) over the project's own sources.
#   scripts/tidy.sh [BUILD_DIR] [FOLDER...]
# BUILD_DIR must hold compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS is on by default here);
# it defaults to "build". FOLDERs default to: domain store service http cli.
# Runs 2 files at a time (TIDY_JOBS overrides); exits non-zero if any file has a finding.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
[[ $# -gt 0 ]] && shift
folders=("$@")
[[ ${#folders[@]} -eq 0 ]] && folders=(domain store service http cli)
jobs=${TIDY_JOBS:-2}
tidy=${CLANG_TIDY:-clang-tidy}
# Boost 1.74 turns on Asio's co_await support for clang only with libc++'s <experimental/coroutine>;
# g++ builds http/server.cpp with libstdc++'s <coroutine>, so tell clang to parse the same code.
extra=(--extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 --extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1)

[[ $build = /* ]] || build=$root/$build
if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy: no $build/compile_commands.json; configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 2
fi

cd "$root"
mapfile -t files < <(for f in "${folders[@]}"; do find "$f" -name '*.cpp' -type f; done | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "tidy: no sources in ${folders[*]}" >&2
  exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One log per file, kept only for files with findings (listed in $out/failed); every warning counts.
# shellcheck disable=SC2016  # the inner script expands its own $1..$4
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c '
  f=$1 log=$2/$(echo "$1" | tr / _)
  if "$3" -p "$4" --quiet --warnings-as-errors="*" "${@:5}" "$f" >"$log" 2>&1; then
    rm -f "$log"
  else
    echo "$f" >>"$2/failed"
  fi
' _ {} "$out" "$tidy" "$build" "${extra[@]}"

if [[ -f $out/failed ]]; then
  for log in "$out"/*_*; do [[ -f $log ]] && cat "$log"; done
  echo "tidy: findings in $(sort -u "$out/failed" | wc -l) of ${#files[@]} files:" >&2
  sort -u "$out/failed" | sed 's/^/  /' >&2
  exit 1
fi
echo "tidy: ${#files[@]} files clean"
