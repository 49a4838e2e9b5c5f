# Helpers for the end-to-end tests: a scratch data folder, a server on a free port, assertions.
# Source it; it sets BIN, WORK (scratch files), DATA (the store), and cleans up on exit.
set -euo pipefail
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/signpost
WORK=$(mktemp -d /tmp/signpost-e2e.XXXXXX)  # scratch files
DATA=$WORK/data                             # the store
SERVER_PID=""
FAILURES=0
PASSES=0
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

sp() { "$BIN" --data "$DATA" "$@"; }

# start_server: starts `signpost serve` on a free port; sets PORT and URL.
start_server() {
  local log="$WORK/server.log"
  "$BIN" serve --data "$DATA" --port 0 >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$log" 2>/dev/null; then break; fi
    sleep 0.1
  done
  URL=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
  [ -n "$URL" ] || { echo "server did not start:"; cat "$log"; exit 1; }
}
stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# check NAME ACTUAL EXPECTED
check() {
  if [ "$2" == "$3" ]; then PASSES=$((PASSES + 1)); echo "ok   $1";
  else FAILURES=$((FAILURES + 1)); echo "FAIL $1: expected [$3], got [$2]"; fi
}
# check_contains NAME HAYSTACK NEEDLE
check_contains() {
  if [[ "$2" == *"$3"* ]]; then PASSES=$((PASSES + 1)); echo "ok   $1";
  else FAILURES=$((FAILURES + 1)); echo "FAIL $1: [$3] not in [$2]"; fi
}
finish() {
  echo "$PASSES passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
# jq-free JSON field reading with node (always installed with the project's tooling)
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split(".").filter(Boolean))v=v[k];console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"; }
