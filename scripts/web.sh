#!/usr/bin/env bash
# Builds the web app into web/dist: `npm ci` when node_modules is missing or older than the lock
# file (packages from the npm registry, exact versions from web/package-lock.json), then type-check
# and `vite build`. Run by `make run`, `make test` and `make bench`.
# web/package.json pins vite to 8.3.4 and overrides cbor-extract (cbor-x's optional native speed-up)
# to 2.2.2: vite 8.4's optional napi-windows-process-start-time and cbor-extract 2.2.3's platform
# packages are missing from the registry this project installs from, so npm leaves them out of the
# lock file and `npm ci` then refuses it.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- --logLevel warn
