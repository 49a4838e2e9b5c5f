#!/usr/bin/env bash
# Starts signpost on its embedded store: `make run`. Usage: run.sh BINARY DATA_DIR PORT
set -euo pipefail
bin=${1:-build/signpost}; data=${2:-./signpost-data}; port=${3:-8080}
web=""
[ -f web/dist/index.html ] && web="--web web/dist"
echo "signpost: data in $data; the dashboard and API on http://127.0.0.1:$port"
echo "signpost: keys: '$bin keys list --data $data' (stop the server first, or use the admin API)"
exec "$bin" serve --data "$data" --port "$port" $web
