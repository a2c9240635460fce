#!/usr/bin/env bash
# `make fuzz`: runs every fuzz/ target under libFuzzer (clang-14, ASan + UBSan) for FUZZ_SECONDS
# each (default 60), on a scratch copy of its seed corpus plus its regression cases. A crash is
# saved as fuzz/regressions/<name>/crash-<sha1> (commit it: `make test` replays it from then on).
# Installs clang-14 and libFuzzer when missing: as root with apt-get; otherwise it prints the exact
# command and fails (like scripts/deps.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
targets=(phone ear_tag date batch_json)

scripts/deps.sh build
pkgs=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "make fuzz needs these Debian packages: ${missing[*]}" >&2
    echo "Run as root:  apt-get update && $cmd" >&2
    exit 1
  fi
  echo "Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd
fi

# The whole project is compiled with coverage instrumentation (fuzzer-no-link) and the sanitizers,
# since the code under test lives in its libraries; only the fuzz targets link libFuzzer itself.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHERDPASS_FUZZ=ON -DHERDPASS_BENCH=OFF -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags"
cmake --build "$build" -j "$(nproc)" --target fuzz_targets

status=0
for name in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$name"
  regressions="fuzz/regressions/$name"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$regressions"
  cp fuzz/corpus/"$name"/* "$corpus"/
  find "$regressions" -maxdepth 1 -type f ! -name README.md -exec cp {} "$corpus"/ \;
  echo "=== $name: ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/${name}_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$regressions/" "$corpus"; then
    echo "=== $name: CRASH, input saved in $regressions/" >&2
    status=1
  fi
done
exit $status
