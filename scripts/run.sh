#!/usr/bin/env bash
# Starts signpost on its embedded store: `make run`. Usage: run.sh BINARY DATA_DIR PORT
set -euo pipefail
bin=${1:-build/signpost}; data=${2:-./signpost-data}; port=${3:-8080}
web=""
[ -f web/dist/index.html ] && web="--web web/dist"
# First run on a new data folder: a generated demo store (SIGNPOST_DEMO=0 starts empty instead).
if [ ! -e "$data" ] && [ "${SIGNPOST_DEMO:-1}" != 0 ]; then
  echo "signpost: first run: seeding a demo store in $data (SIGNPOST_DEMO=0 make run starts empty)"
  bash scripts/demo/seed.sh "$bin" "$data" || echo "signpost: the demo seeding failed; starting anyway"
fi
# The dashboard link with an admin token (the CLI can read the keys: serve is not running yet).
if [ -n "$web" ] && [ -d "$data" ]; then
  keys=$("$bin" --data "$data" keys list --json 2>/dev/null || true)
  key_of() { echo "$keys" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const k=JSON.parse(s).find(k=>k.kind===process.argv[1]&&!k.revoked);if(k)console.log(k.token)}catch{}})' "$1"; }
  token=$(key_of admin); write=$(key_of write)
  [ -n "$token" ] && echo "signpost: dashboard: http://127.0.0.1:$port/#token=$token"
  [ -n "$write" ] && echo "signpost: write key for ingest: $write"
fi
echo "signpost: data in $data; the dashboard and API on http://127.0.0.1:$port"
echo "signpost: keys: '$bin keys list --data $data' (stop the server first, or use the admin API)"
exec "$bin" serve --data "$data" --port "$port" $web
