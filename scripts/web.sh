#!/usr/bin/env bash
# Builds the web app into web/dist: `npm ci` when node_modules is missing or older than the lock
# file (packages from the npm registry, exact versions from web/package-lock.json), then type-check
# and `vite build`. Run by `make run`, `make test` and `make bench`.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- --logLevel warn
