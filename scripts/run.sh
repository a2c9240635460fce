#!/usr/bin/env bash
# `make run`: initialize ./data with demo data on first run, then serve it.
set -euo pipefail
bin=$1 data=$2 listen=$3

if [[ ! -f $data/herdpass.db ]]; then
  echo "First run: creating $data with a demo county (takes a little while)..."
  out=$("$bin" init --data "$data" --region KZ --authority KZ-ABY)
  # Keep the generated admin password where only this user can read it.
  (umask 077 && sed -n 's/^admin password: //p' <<<"$out" > "$data/admin-password")
  sed -n '/ key /p' <<<"$out"
fi
if [[ ! -f $data/demo.txt ]]; then
  # Seeding is idempotent (same seed, same record ids), so an interrupted seed just runs again.
  "$bin" demo --data "$data" > "$data/demo.txt.tmp"
  mv "$data/demo.txt.tmp" "$data/demo.txt"
  cat "$data/demo.txt"
fi
phone=$(sed -n 's/^demo owner phone: //p' "$data/demo.txt" 2>/dev/null || true)
cert_id=$(sed -n 's/^demo certificate to verify: \([^ ]*\).*/\1/p' "$data/demo.txt" 2>/dev/null || true)
cert_until=$(sed -n 's/^demo certificate to verify: [^ ]* valid until //p' "$data/demo.txt" 2>/dev/null || true)
life_phone=$(sed -n 's/^demo tag life owner phone: //p' "$data/demo.txt" 2>/dev/null || true)
dead_tag=$(sed -n 's/^demo dead animal tag: //p' "$data/demo.txt" 2>/dev/null || true)
old_tag=$(sed -n 's/^demo replaced tag: \([0-9]*\) now .*/\1/p' "$data/demo.txt" 2>/dev/null || true)
buyer_phone=$(sed -n 's/^demo buyer phone: \([^ ]*\) .*/\1/p' "$data/demo.txt" 2>/dev/null || true)
mismatch=$(sed -n 's/^demo arrival with a mismatch: //p' "$data/demo.txt" 2>/dev/null || true)
passage=$(sed -n 's/^demo checkpoint passage: //p' "$data/demo.txt" 2>/dev/null || true)
sale_cert=$(sed -n 's/^demo sale certificate: \([^ ]*\) .*/\1/p' "$data/demo.txt" 2>/dev/null || true)
sale_buyer=$(sed -n 's/^demo sale certificate: [^ ]* arrived at buyer //p' "$data/demo.txt" 2>/dev/null || true)
sed -n 's/^demo certificate hp1: //p' "$data/demo.txt" > "$data/demo-certificate.hp1" 2>/dev/null || true

cat <<TXT

HerdPass is starting on http://$listen/
  Open the web app:  http://$listen/            (public certificate check: http://$listen/verify)
  API description:   http://$listen/api/v1/openapi.json
  Sign in, in the app or with POST /api/v1/auth/login, as one of the demo users:
    demo-vaccinator / demo-vaccinator-pass    Record: owners, animals, vaccinations, offline with sync
    demo-vet        / demo-vet-pass           Certificates: issue, QR, print, revoke; also Record, Check, Coverage
    demo-inspector  / demo-inspector-pass     Check: owner by phone; verify certificates, consume those bound here
    demo-inspector-dest / demo-inspector-pass Check at the demo certificates' destination, where they are consumed
    demo-admin      / demo-admin-pass         Coverage; revoke certificates; Messages: the SMS to owners (queued: no gateway)
    demo-auditor    / demo-auditor-pass       Coverage charts and CSV; audit log (API)
  The first admin is 'admin'; its password is in $data/admin-password.
  A demo owner to look up by phone: ${phone:-see $data/demo.txt} (its animals are kept at a farm)
  Owners see their own records at http://$listen/me: type the demo owner's phone. With no SMS
    gateway, the one-time code is printed below ("one-time code for ..."); staff never see it.
  Outbreak (W14): demo-vet's Map shows the FMD zone round FARM-OB-01; select it for its Ring list.
  Holdings of the demo county, nearest first (signed in, any role):
    /api/v1/holdings?near=47.95,80.44
TXT
if [[ -n $life_phone ]]; then
  cat <<TXT
  Tag life: owner $life_phone has an animal that died ($dead_tag) and one whose ear tag was replaced:
    /api/v1/animals/$old_tag (the old tag finds the animal under its new one, with its events)
TXT
fi
if [[ -n $buyer_phone ]]; then
  cat <<TXT
  A sale at the farm (W8): $buyer_phone bought the re-tagged animal; look that phone up (Check) to
    see its doses from before the sale, marked as given under the previous owner.
TXT
fi
if [[ -n $sale_cert ]]; then
  cat <<TXT
  A sale certificate (W8): $sale_cert was issued for sale to $sale_buyer and arrived; look
    that phone up (Check) to see the bought animals with the doses from before the sale.
TXT
fi
if [[ -n $mismatch ]]; then
  cat <<TXT
  Journeys (W13): certificate $mismatch arrived one head short: demo-vet sees it under
    "Arrivals with a mismatch"; demo-inspector-dest sees what is coming (Incoming).
TXT
fi
if [[ -n $passage ]]; then
  cat <<TXT
  Checkpoint: demo-inspector recorded a passage of $passage at CHK-01, the highway
    checkpoint; the inspector's Checkpoint card records more, offline too.
TXT
fi
if [[ -n $cert_id ]]; then
  # Quoted heredoc: the commands are shown as they are to be typed.
  hp1file=$data/demo-certificate.hp1
  cat <<TXT
  A demo certificate: $cert_id (valid until $cert_until); its QR text is in $hp1file.
  Verify it as anyone, online:
TXT
  cat <<'TXT' | sed -e "s|@LISTEN@|$listen|g" -e "s|@HP1@|$hp1file|g" -e "s|@BIN@|$bin|g" -e "s|@DATA@|$data|g"
    curl -s http://@LISTEN@/api/v1/verify -d "{\"hp1\": \"$(cat @HP1@)\"}"
  or offline, with no server, from the signed lists (the root key is the one to pin):
    @BIN@ trust export trust-list.json --data @DATA@    # also writes trust-list.json.root-key
    curl -s http://@LISTEN@/api/v1/revocations > revocations.json
    @BIN@ verify "$(cat @HP1@)" --trust-list trust-list.json --revocations revocations.json \
      --root-key "$(cat trust-list.json.root-key)"
TXT
  cat <<TXT
  Its QR code and printable page (signed in as demo-vet or demo-inspector):
    /api/v1/certificates/$cert_id/qr.png   /qr.svg   /print?lang=ru
TXT
fi
cat <<TXT
  Stop with Ctrl-C.

TXT
# The web app, when it has been built (`make web` writes web/dist); without it, / says so.
web=$(cd "$(dirname "$0")/.." && pwd)/web/dist
web_args=()
if [[ -f $web/index.html ]]; then
  web_args=(--web "$web")
else
  echo "warning: $web/index.html not found: serving the API only (build the web app with 'make web')" >&2
fi
# --public-url: the printed certificates name the full verify address (with a QR code of it).
# --sms-print-codes: the demo has no SMS gateway, so an owner's /me code is printed here instead.
exec "$bin" serve --data "$data" --listen "$listen" --public-url "http://$listen" --sms-print-codes \
  "${web_args[@]}"
