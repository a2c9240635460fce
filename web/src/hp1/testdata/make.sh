#!/bin/sh
# Makes the fixtures of the HP1 verifier's unit tests (web/src/hp1/hp1.test.ts, web/src/trust.test.ts)
# with the real C++ code. The build runs it (tests/web/CMakeLists.txt) into the build tree, and
# `ctest -R web_unit` tests against those, made by the C++ code of the same commit; the copies
# committed here serve `npx vitest run` alone, without a C++ build. The tests give `now`
# explicitly so that neither goes stale.
#
#   sample.json            tests/cert/hp1_sample: the worked example of docs/hp1-format.md
#                          section 11 (the HP1 text, every stage's bytes, the expected claims)
#   sample-documents.json  hp1_sample --documents: its trust list and revocation list (JWS) and
#                          root key
#   demo.json              a real node: `herdpass init` + `demo`, the server's GET /trust-list and
#                          /revocations, the root key from `trust export`, the demo certificate's
#                          HP1 text and a revoked one's (GET /certificates/{id} as demo-vet), and the
#                          C++ verifier's answer for both (POST /verify)
#
# Usage: sh make.sh [BUILD_DIR [OUT_DIR]]   (defaults ../../../../build and this folder; needs curl
# and node). HERDPASS_BIN and HP1_SAMPLE, when set, name the two programs instead of BUILD_DIR's.
# The three files are written together at the end, so a failed run leaves the old ones.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../../../build}
out=${2:-$here}
bin=${HERDPASS_BIN:-$build/cli/herdpass}
sample=${HP1_SAMPLE:-$build/tests/cert/hp1_sample}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=
mkdir -p "$out"

"$sample" > "$tmp/sample.json"
"$sample" --documents > "$tmp/sample-documents.json"

"$bin" init --data "$tmp/d" --region KZ --authority KZ-ABY > /dev/null
"$bin" demo --data "$tmp/d" --owners 5 --seed 7 > "$tmp/demo.txt"
"$bin" trust export --data "$tmp/d" "$tmp/tl.json" > /dev/null
"$bin" serve --data "$tmp/d" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.err" &
pid=$!
# Up to a minute for the server to say its port (the build may run beside other heavy work).
for _ in $(seq 300); do grep -q '(port ' "$tmp/serve.out" 2>/dev/null && break; sleep 0.2; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/serve.out")
if [ -z "$port" ]; then
  echo "make.sh: herdpass serve did not report its port:" >&2
  cat "$tmp/serve.err" >&2
  exit 1
fi
api=http://127.0.0.1:$port/api/v1

curl -sf "$api/trust-list" > "$tmp/trust-list.json"
curl -sf "$api/revocations" > "$tmp/revocations.json"
token=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"demo-vet","password":"demo-vet-pass"}' \
  "$api/auth/login" | node -e 'process.stdin.on("data",d=>console.log(JSON.parse(d).token))')
valid=$(sed -n 's/^demo certificate hp1: //p' "$tmp/demo.txt")
revoked_id=$(sed -n 's/^demo certificate: [^ ]* \([^ ]*\) revoked$/\1/p' "$tmp/demo.txt" | head -1)
curl -sf -H "Authorization: Bearer $token" "$api/certificates/$revoked_id" > "$tmp/revoked-cert.json"
revoked=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).hp1)' "$tmp/revoked-cert.json")
for name in valid revoked; do
  eval "text=\$$name"
  node -e 'console.log(JSON.stringify({hp1: process.argv[1]}))' "$text" > "$tmp/$name-req.json"
  curl -sf -H 'Content-Type: application/json' -d @"$tmp/$name-req.json" "$api/verify" > "$tmp/$name-verify.json"
done

node -e '
const fs = require("fs");
const [dir, rootKey, valid, revoked, file] = process.argv.slice(1);
const read = (f) => fs.readFileSync(dir + "/" + f, "utf8").trim();
const out = {
  made_by: "web/src/hp1/testdata/make.sh",
  root_key: rootKey,
  trust_list_jws: read("trust-list.json"),
  revocations_jws: read("revocations.json"),
  hp1_valid: valid,
  hp1_revoked: revoked,
  server_verify_valid: JSON.parse(read("valid-verify.json")),
  server_verify_revoked: JSON.parse(read("revoked-verify.json")),
};
fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
' "$tmp" "$(cat "$tmp/tl.json.root-key")" "$valid" "$revoked" "$tmp/demo.json"
for f in sample.json sample-documents.json demo.json; do mv "$tmp/$f" "$out/$f"; done
echo "written: $out/sample.json sample-documents.json demo.json"
