#!/usr/bin/env bash
# `make fuzz`: runs every fuzz/ target under libFuzzer (clang-14, ASan + UBSan) for FUZZ_SECONDS
# each (default 60), on a scratch copy of its seed corpus plus its regression cases. A crash is
# saved as fuzz/regressions/<name>/crash-<sha1> (commit it: `make test` replays it from then on).
# scripts/deps.sh installs clang-14 and libFuzzer when missing (or prints the apt-get line).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
targets=(phone ear_tag date batch_json hp1)

scripts/deps.sh fuzz

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
