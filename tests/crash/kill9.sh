#!/usr/bin/env bash
# The kill -9 durability test (bounded: about CRASH_SECONDS + 30 s).
#   tests/crash/kill9.sh BUILD_DIR
# 1. serve: bench/http_load posts batches of unique messageIds for CRASH_SECONDS and logs every
#    messageId of each acknowledged (2xx) request; meanwhile `signpost serve` is started, killed with
#    SIGKILL at a random moment, and restarted, over and over, on the same folder and port.
#    Then every acknowledged messageId must be stored exactly once (tests/crash/verify_acked.mjs).
# 2. import: `signpost import` of a generated NDJSON file is killed with SIGKILL mid-file, then run
#    again to the end: the folder must hold every event of the file exactly once, and one more
#    import of the same file must add nothing (deduplication by messageId).
# Environment: CRASH_SECONDS (default 40), CRASH_SEED (random moments; default: the PID, printed),
# CRASH_IMPORT_EVENTS (default 200000). Exit code 0 when every check holds, else 1.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "kill9: no build folder '${1:-build}'" >&2; exit 1; }
bin="$build/signpost"
seconds=${CRASH_SECONDS:-40}
seed=${CRASH_SEED:-$$}
import_events=${CRASH_IMPORT_EVENTS:-200000}
RANDOM=$seed
work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-kill9.XXXXXX")
server_pid=""; client_pid=""; import_pid=""
cleanup() {
  for p in $server_pid $client_pid $import_pid; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
say() { echo "kill9: $*"; }
fail() { say "FAILED: $*"; exit 1; }
# A random number of milliseconds in [lo, hi).
rand_ms() { echo $(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1) )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

missing=()
for t in http_load gen_events; do [ -x "$build/bench/$t" ] || missing+=("$t"); done
[ -x "$bin" ] || missing+=(signpost)
if [ ${#missing[@]} -gt 0 ]; then
  cmake --build "$build" --target "${missing[@]}" -j 2 >/dev/null || fail "could not build ${missing[*]}"
fi
say "seed $seed (CRASH_SEED=$seed reproduces the kill moments), work folder $work"

# ---- 1. serve, killed while a client posts -------------------------------------------------------
data="$work/serve"
key=$("$bin" keys create --data "$data" --kind write --name kill9 --json | grep -o '"token": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$key" ] || fail "signpost keys create gave no token"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
acked="$work/acked.txt"
"$build/bench/http_load" --url "http://127.0.0.1:$port" --key "$key" --threads 2 --batch 10 \
  --seconds "$seconds" --profiles 16 --user-prefix kill9- --ack-log "$acked" --retry-delay-ms 20 \
  --timeout 5 > "$work/client.json" 2> "$work/client.err" &
client_pid=$!
kills=0
while kill -0 "$client_pid" 2>/dev/null; do
  "$bin" serve --data "$data" --host 127.0.0.1 --port "$port" > "$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do   # up to 10 s to come up
    grep -q 'listening on' "$work/serve.log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  grep -q 'listening on' "$work/serve.log" || { cat "$work/serve.log"; fail "serve did not start (restart $kills)"; }
  sleep_ms "$(rand_ms 200 2500)"
  kill -9 "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
  kills=$((kills + 1))
done
wait "$client_pid"; client_pid=""
say "serve killed $kills times; client: $(cat "$work/client.json")"
[ "$kills" -ge 3 ] || fail "only $kills kills in ${seconds}s: raise CRASH_SECONDS"
[ -s "$acked" ] || fail "no request was acknowledged at all"
node "$root/tests/crash/verify_acked.mjs" "$bin" "$data" "$acked" kill9- 16 || fail "acknowledged events lost or duplicated (KEEP=1 keeps $work)"
say "serve: every acknowledged event stored exactly once"

# ---- 2. import, killed mid-file, then re-run ----------------------------------------------------
data="$work/import"
file="$work/import.ndjson"
"$build/bench/gen_events" --events "$import_events" --profiles $((import_events / 10)) --seed "$seed" \
  --format ndjson --out "$file" > /dev/null || fail "gen_events failed"
# How long a whole import takes, to kill the next one somewhere inside it.
t0=$(date +%s%N)
"$bin" import --data "$work/import-probe" "$file" --json > /dev/null || fail "the probe import failed"
full_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -rf "$work/import-probe"
at=$(rand_ms $((full_ms / 10 + 1)) $((full_ms * 8 / 10 + 2)))
"$bin" import --data "$data" "$file" --json > "$work/import1.json" 2>&1 &
import_pid=$!
sleep_ms "$at"
kill -9 "$import_pid" 2>/dev/null && killed=yes || killed="no (it had finished)"
wait "$import_pid" 2>/dev/null; import_pid=""
before=$("$bin" events --data "$data" --count --json 2>/dev/null | grep -o '[0-9]\+' | head -1)
say "import (a whole one takes ${full_ms} ms) killed after ${at} ms: $killed; ${before:-0} of $import_events events stored"
"$bin" import --data "$data" "$file" --json > "$work/import2.json" || fail "the re-run import failed: $(cat "$work/import2.json")"
count=$("$bin" events --data "$data" --count --json | grep -o '[0-9]\+' | head -1)
[ "$count" = "$import_events" ] || fail "after the re-run the folder holds $count events, the file $import_events"
"$bin" import --data "$data" "$file" --json > "$work/import3.json" || fail "the third import failed"
accepted=$(grep -o '"accepted": *[0-9]*' "$work/import3.json" | grep -o '[0-9]*$')
count=$("$bin" events --data "$data" --count --json | grep -o '[0-9]\+' | head -1)
[ "$count" = "$import_events" ] || fail "a re-import of the same file changed the count to $count"
[ "$accepted" = 0 ] || fail "a re-import of the same file accepted $accepted events (expected 0, all duplicates)"
say "import: killed mid-file and re-run holds all $import_events events once; a re-import adds nothing"
say "ok"
