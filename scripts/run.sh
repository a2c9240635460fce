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

cat <<TXT

HerdPass is starting on http://$listen/
  API description:  http://$listen/api/v1/openapi.json
  Sign in (POST /api/v1/auth/login) as one of the demo users:
    demo-vaccinator / demo-vaccinator-pass    records vaccinations
    demo-vet        / demo-vet-pass           records, voids; looks up owners
    demo-inspector  / demo-inspector-pass     looks up owners by phone
    demo-admin      / demo-admin-pass         users
    demo-auditor    / demo-auditor-pass       audit log
  The first admin is 'admin'; its password is in $data/admin-password.
  A demo owner to look up by phone: ${phone:-see $data/demo.txt}
  Stop with Ctrl-C.

TXT
exec "$bin" serve --data "$data" --listen "$listen"
