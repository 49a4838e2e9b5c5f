#!/usr/bin/env bash
# Installs the node packages of one package folder from its package-lock.json (exact versions):
# the repository root (what `make test` uses: the real Segment SDK, playwright-core) by default,
# or `bench` (the benchmark peers @duckdb/node-api and chdb, only for `make bench`).
#   scripts/node-deps.sh [FOLDER]
# Idempotent: runs `npm ci` only when node_modules is missing or older than package-lock.json,
# so a second call costs two stat()s. Exit code: npm's, or 0 when nothing had to be done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/${1:-.}"
root=$(pwd)
lock=package-lock.json
stamp=node_modules/.package-lock.json   # npm writes this after every successful install
if [ ! -f "$lock" ]; then
  echo "node-deps: $root/$lock is missing; run 'npm install' once to create it" >&2
  exit 1
fi
if [ -d node_modules ] && [ -f "$stamp" ] && [ ! "$lock" -nt "$stamp" ]; then
  echo "node-deps: node_modules is up to date"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "node-deps: npm not found; run 'make deps' (scripts/install-deps.sh) first" >&2
  exit 1
fi
echo "node-deps: npm ci (node_modules missing or older than $lock)"
npm ci --no-audit --no-fund
touch "$stamp"
