#!/usr/bin/env bash
# The journeys kill -9 test (bounded: about JCRASH_SECONDS + 40 s).
#   tests/crash/journeys_kill9.sh BUILD_DIR
# A live journey (email, wait 2s, email, wait 2s, email; goal: Order Completed) with a `file`
# channel runs inside `signpost serve` on the real clock. A client posts JCRASH_PROFILES people over
# HTTP (one /v1/batch each: an identify with consent and address, then `Signed Up`; every other one
# also `Order Completed` a moment later), retrying until acknowledged, while the server is killed
# with SIGKILL at random moments and restarted on the same folder and port, over and over. Then the
# server runs once more until every entry has left the journey, and the checks are:
#   - every acknowledged person entered once and has exactly one `Message Sent` per message step
#     (3), under 3 distinct keys: no send lost, none twice, none under a second key;
#   - the channel file has every sent key, and no key twice with different content (a re-send of
#     the same key after a crash is allowed: it is the same message under its idempotency key);
#   - one `Journey Exited` per entry (each timer fired once, none skipped);
#   - at most one `Goal Attained` per person, and exactly one for those whose Order Completed was
#     acknowledged.
# Environment: JCRASH_SECONDS (client duration, default 25), JCRASH_PROFILES (default 24),
# CRASH_SEED (kill moments; default the PID, printed), KEEP=1 keeps the work folder,
# JCRASH_PARTITIONS (serve --journey-partitions; default serve's, the cores), JCRASH_MERGES=1 (each
# person first signs in on a laptop, signs up on a phone as an anonymous visitor, and the phone
# signs in a moment later: an identity merge mid-journey, across partitions for most of them;
# tests/crash/journeys_partitions_kill9.sh).
# Exit code 0 when every check holds, else 1. Needs bash, curl, node.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "journeys_kill9: no build folder '${1:-build}'" >&2; exit 1; }
bin="$build/signpost"
seconds=${JCRASH_SECONDS:-25}
people=${JCRASH_PROFILES:-24}
seed=${CRASH_SEED:-$$}
partitions=${JCRASH_PARTITIONS:-}  # empty: serve's default (the cores)
merges=${JCRASH_MERGES:-0}
RANDOM=$seed
work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-jkill9.XXXXXX")
server_pid=""; client_pid=""
cleanup() {
  for p in $server_pid $client_pid; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
say() { echo "journeys_kill9: $*"; }
fail() { say "FAILED: $*"; [ "${KEEP:-0}" = 1 ] && say "work folder kept: $work"; exit 1; }
rand_ms() { echo $(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1) )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

[ -x "$bin" ] || cmake --build "$build" --target signpost -j 2 >/dev/null || fail "could not build signpost"
say "seed $seed (CRASH_SEED=$seed reproduces the kill moments), work folder $work, journey partitions $partitions, merges $merges"

data="$work/data"
cat > "$work/defs.yaml" <<'YAML'
kind: channel
id: email
type: file
path: email.ndjson
---
kind: template
id: hello
channel: email
subject: "Hello {{traits.first_name}}"
text: "Welcome, {{traits.first_name}}."
---
kind: template
id: again
channel: email
subject: "Still there, {{traits.first_name}}?"
text: "Step {{journey.step}} of your onboarding."
---
kind: journey
id: crash-onboarding
name: Crash onboarding
entry: { event: Signed Up }
goal: { type: custom, met_when: { event: Order Completed } }
steps:
  - { id: m1, message: { channel: email, template: hello } }
  - { id: w1, wait: { for: 2s } }
  - { id: m2, message: { channel: email, template: again } }
  - { id: w2, wait: { for: 2s } }
  - { id: m3, message: { channel: email, template: again } }
YAML
# `apply` takes one document per file.
awk -v dir="$work" '/^---$/ { n++; next } { print > (dir "/def-" n+0 ".yaml") }' "$work/defs.yaml"
for f in "$work"/def-*.yaml; do
  "$bin" apply --data "$data" -f "$f" > "$work/apply.log" 2>&1 || fail "apply $(basename "$f"): $(cat "$work/apply.log")"
done
"$bin" journeys --data "$data" crash-onboarding --state live > "$work/live.log" 2>&1 || fail "going live: $(cat "$work/live.log")"
token() { grep -o '"token": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'; }
write_key=$("$bin" keys create --data "$data" --kind write --name jkill9 --json | token)
admin_key=$("$bin" keys create --data "$data" --kind admin --name jkill9 --json | token)
[ -n "$write_key" ] && [ -n "$admin_key" ] || fail "signpost keys create gave no token"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port"

# The client: one person at a time, each batch retried until acknowledged (2xx). A person's
# identify and trigger share a batch; the goal event follows later. Acknowledged ids go to files.
client() {
  local per_ms=$(( seconds * 1000 / people )) i body code
  post() {  # post BODY FILE_TO_APPEND ID: retries until a 2xx
    for _ in $(seq 1 400); do
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -u "$write_key:" \
        -H 'Content-Type: application/json' -d "$1" "$url/v1/batch" 2>/dev/null)
      [[ "$code" == 2* ]] && { echo "$3" >> "$2"; return 0; }
      sleep 0.1
    done
    return 1
  }
  for i in $(seq 1 "$people"); do
    if [ "$merges" = 1 ]; then
      # Laptop (user jk<i>), then the phone (anonymous ja<i>) signs up; the link comes below.
      body=$(printf '{"batch":[{"type":"identify","userId":"jk%d","messageId":"jk-id-%d","traits":{"first_name":"P%d","email":"jk%d@x.test","consent":{"email":true}}},{"type":"identify","anonymousId":"ja%d","messageId":"ja-id-%d","traits":{"first_name":"P%d","email":"jk%d@x.test","consent":{"email":true}}},{"type":"track","anonymousId":"ja%d","messageId":"jk-su-%d","event":"Signed Up"}]}' "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i")
      post "$body" "$work/acked-signup.txt" "jk$i" || echo "jk$i" >> "$work/unacked.txt"
      sleep_ms $(( per_ms / 4 ))
      body=$(printf '{"batch":[{"type":"identify","userId":"jk%d","anonymousId":"ja%d","messageId":"jk-link-%d"}]}' "$i" "$i" "$i")
      post "$body" "$work/acked-link.txt" "jk$i" || echo "jk$i" >> "$work/unacked.txt"
    else
      body=$(printf '{"batch":[{"type":"identify","userId":"jk%d","messageId":"jk-id-%d","traits":{"first_name":"P%d","email":"jk%d@x.test","consent":{"email":true}}},{"type":"track","userId":"jk%d","messageId":"jk-su-%d","event":"Signed Up"}]}' "$i" "$i" "$i" "$i" "$i" "$i")
      post "$body" "$work/acked-signup.txt" "jk$i" || echo "jk$i" >> "$work/unacked.txt"
    fi
    if (( i % 2 == 0 )); then
      sleep_ms $(( per_ms / 2 ))
      body=$(printf '{"batch":[{"type":"track","userId":"jk%d","messageId":"jk-oc-%d","event":"Order Completed","properties":{"total":10}}]}' "$i" "$i")
      post "$body" "$work/acked-order.txt" "jk$i" || true
      sleep_ms $(( per_ms / 2 ))
    else
      sleep_ms "$per_ms"
    fi
  done
}
touch "$work/acked-signup.txt" "$work/acked-order.txt" "$work/unacked.txt"
client > "$work/client.log" 2>&1 &
client_pid=$!

start_server() {
  "$bin" serve --data "$data" --host 127.0.0.1 --port "$port" ${partitions:+--journey-partitions "$partitions"} \
    > "$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do   # up to 10 s to come up
    grep -q 'listening on' "$work/serve.log" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/serve.log"
  fail "serve did not start (after $kills kills)"
}
kills=0
while kill -0 "$client_pid" 2>/dev/null; do
  start_server
  sleep_ms "$(rand_ms 300 2500)"
  kill -9 "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
  kills=$((kills + 1))
done
wait "$client_pid"; client_pid=""
[ "$kills" -ge 3 ] || fail "only $kills kills in ${seconds}s: raise JCRASH_SECONDS"
[ -s "$work/unacked.txt" ] && fail "some people were never acknowledged: $(tr '\n' ' ' < "$work/unacked.txt")"

# The last run: until nobody is inside the journey, the outbox has nothing waiting and the runtime
# is caught up.
start_server
api() { curl -s --max-time 5 -H "Authorization: Bearer $admin_key" "$url$1"; }
settled=""
for _ in $(seq 1 60); do
  state=$(api /api/journeys/crash-onboarding | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { const j = JSON.parse(s); console.log(`${j.totals.entered} ${j.totals.in_progress}`); } catch { console.log("? ?"); }
    });')
  waiting=$(api '/api/outbox?limit=1000' | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { console.log(JSON.parse(s).messages.filter((m) => m.state !== "sent" && m.state !== "failed").length); } catch { console.log("?"); }
    });')
  # ... and every partition has handled every committed event (an Order Completed acknowledged
  # last may still be queued for the runtime when nobody is inside any more).
  behind=$(curl -s --max-time 5 "$url/metrics" | awk '/^signpost_journey_partition_(queue|lag_events)\{/ { n += $NF } END { print n + 0 }')
  if [ "${state#* }" = 0 ] && [ "${state% *}" != "?" ] && [ "$waiting" = 0 ] && [ "$behind" = 0 ]; then settled=yes; break; fi
  sleep 0.5
done
[ -n "$settled" ] || fail "the journey did not settle after the last restart (entered/in progress: $state, outbox waiting: $waiting)"
sort -u "$work/acked-signup.txt" > "$work/people.txt"
while read -r who; do
  api "/api/profiles/user:$who/events?limit=1000" > "$work/events-$who.json"
done < "$work/people.txt"
kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""

# The checks, over every person's stored events and the channel file.
node - "$work" "$data/email.ndjson" "$kills" <<'JS' || fail "see above (KEEP=1 keeps the work folder)"
const fs = require('fs');
const [work, file, kills] = process.argv.slice(2);
const lines = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const people = lines(`${work}/people.txt`);
const ordered = new Set(lines(`${work}/acked-order.txt`));
const errors = [];
const sentKeys = new Set();
let sends = 0, goals = 0;
for (const who of people) {
  let body;
  try { body = JSON.parse(fs.readFileSync(`${work}/events-${who}.json`, 'utf8')); } catch { errors.push(`${who}: no events`); continue; }
  const events = body.events ?? body;
  const named = (n) => events.filter((e) => e.event === n);
  const props = (e) => (typeof e.properties === 'string' ? JSON.parse(e.properties) : e.properties ?? {});
  const entered = named('Journey Entered').length, exited = named('Journey Exited').length;
  const sent = named('Message Sent').map(props);
  const keys = new Set(sent.map((p) => p.key));
  const steps = sent.map((p) => p.step).sort().join(',');
  const attained = named('Goal Attained').length;
  sends += sent.length; goals += attained;
  sent.forEach((p) => sentKeys.add(p.key));
  if (entered !== 1) errors.push(`${who}: entered ${entered} times`);
  if (exited !== 1) errors.push(`${who}: exited ${exited} times (a timer fired twice or never)`);
  if (sent.length !== 3 || keys.size !== 3 || steps !== 'm1,m2,m3')
    errors.push(`${who}: Message Sent ${sent.length} times under ${keys.size} keys, steps [${steps}] (expected m1,m2,m3 once each)`);
  if (attained > 1) errors.push(`${who}: Goal Attained ${attained} times`);
  if (ordered.has(who) && attained !== 1) errors.push(`${who}: Order Completed acknowledged, Goal Attained ${attained} times`);
}
const byKey = new Map();
let fileLines = 0;
for (const l of lines(file)) {
  fileLines++;
  const m = JSON.parse(l);
  const { at, ...content } = m;
  const text = JSON.stringify(content);
  if (!byKey.has(m.key)) byKey.set(m.key, new Set());
  byKey.get(m.key).add(text);
}
let resent = 0;
for (const [key, contents] of byKey) if (contents.size > 1) errors.push(`file: key ${key} with ${contents.size} different contents`);
for (const key of sentKeys) if (!byKey.has(key)) errors.push(`file: sent key ${key} missing`);
for (const key of byKey.keys()) if (!sentKeys.has(key)) errors.push(`file: key ${key} has no Message Sent`);
resent = fileLines - byKey.size;
if (people.length === 0) errors.push('nobody was acknowledged');
for (const e of errors.slice(0, 20)) console.log(`journeys_kill9: ${e}`);
console.log(`journeys_kill9: ${errors.length === 0 ? 'ok' : 'FAILED'}: ${kills} kills, ${people.length} people entered, ` +
  `${sends} sends (${byKey.size} keys in the file, ${resent} same-key re-sends), ${goals} goals attained ` +
  `(${ordered.size} orders), ${errors.length} problems`);
process.exit(errors.length === 0 ? 0 : 1);
JS
