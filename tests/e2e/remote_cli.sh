#!/usr/bin/env bash
# End to end: every command of the CLI gives the same stdout and exit code in remote mode
# (`--server URL`, against a running `signpost serve`) as in local mode (`--data DIR`). One data
# folder is made (the demo's definitions and a month of its events) and copied; each command runs
# locally on the first copy, then a server is started on the second and each command runs again
# through it, in the same order (so the commands that change something see the same state), as
# text and with --json, with an error case per command. What differs between any two runs (the
# clock, timing, fresh tokens, who acted) is masked before comparing. Then the remote settings:
# flag > environment > config file, a config file holding a token readable by others, --data with
# --server, a refused token and a server that is not there.
source "$(dirname "$0")/lib.sh"
unset SIGNPOST_SERVER SIGNPOST_TOKEN SIGNPOST_CACERT SIGNPOST_CONFIG
HERE=$(cd "$(dirname "$0")/../.." && pwd)

# ---- the data set ---------------------------------------------------------------------------
node "$HERE/scripts/demo/generate.mjs" "$WORK/gen" --profiles 30 --now 2026-11-24T00:00:00Z >/dev/null
defs=()
for f in "$WORK"/gen/*.yaml; do defs+=(-f "$f"); done
sp apply "${defs[@]}" >/dev/null
sp journeys abandoned-cart --state live >/dev/null
sp journeys finish-profile --state live >/dev/null
sp import "$WORK/gen/events.ndjson" >/dev/null
# Every message due is delivered now, so the server's delivery thread has none left to send (and
# record as events) while the commands run.
sp outbox --deliver >/dev/null
TOKEN=$(sp keys create --kind admin --name remote-test)
cp -a "$DATA" "$WORK/remote-data"
USER1=demo-user-00018
USER2=demo-user-00027
USER3=demo-user-00021

cat >"$WORK/more.ndjson" <<'NDJSON'
{"type":"track","userId":"demo-user-00018","event":"Order Completed","messageId":"remote-1","timestamp":"2026-11-20T10:00:00Z","properties":{"revenue":30}}
{"type":"track","userId":"demo-user-00018","event":"no closing quote
NDJSON
cat >"$WORK/more.csv" <<'CSV'
type,userId,event,messageId,timestamp
track,demo-user-00021,Signed Up,remote-csv-1,2026-11-21T10:00:00Z
track,,Signed Up,remote-csv-2,2026-11-21T10:00:00Z
CSV
printf 'demo-user-00018\nuser:demo-user-00027\n# a comment\nanon:nobody-yet\n' >"$WORK/ids.txt"
printf '%s\n' "$USER3" >"$WORK/erase.txt"
# Definitions like kubectl's manifests: a folder, a changed file, a bad document.
mkdir -p "$WORK/defs"
printf 'kind: funnel\nid: extra\nsteps: [Signed Up, Order Completed]\n' >"$WORK/defs/a.yaml"
printf 'kind: segment\nid: big-spenders\nrule: { trait: { plan: pro } }\n---\nkind: segment\nid: big-or-vip\nrule: { any: [ { segment: big-spenders }, { trait: { vip: true } } ] }\n' >"$WORK/defs/b.yaml"
printf 'kind: funnel\nid: extra\nsteps: [Signed Up, Paid]\n' >"$WORK/extra-changed.yaml"
printf 'kind: funnel\nid: fine\nsteps: [A, B]\n---\nkind: funnel\nid: bad\nsteps: []\n' >"$WORK/bad-defs.yaml"

# The commands, in order. "json ": with --json; "both ": as text and with --json; "text ": as text
# only (an error, whose stdout is empty either way, or `keys list`, whose server never sends whole
# tokens). Text is printed from the JSON document by the same function in both modes, so the same
# JSON is the same text; "both" shows it for a few commands, which keeps the test short.
COMMANDS=(
  "both profile $USER1"
  "text profile nobody-at-all"
  "both events --count"
  "json events --profile $USER1 --limit 3"
  "text events --profile nobody-at-all"
  "both import $WORK/more.ndjson"
  "both import --format csv $WORK/more.csv"
  "both deadletters --limit 5"
  "json deadletters reimport"
  "text deadletters reimport 424242"
  "json keys create --kind write --name remote-test"
  "text keys list"
  "text keys revoke spw_not_a_key"
  "json audit --limit 4 --action journey.state"
  "text audit --after abc"
  "text import $WORK/missing.ndjson"
  "both funnel onboarding"
  "json funnel onboarding --breakdown context.campaign.source --window 14d"
  "json funnel onboarding --people --dropped-at 1"
  "json funnel onboarding --profile $USER1"
  "json funnel onboarding --completed 2 --save-segment verified"
  "json funnel --steps Signed_Up>Email_Verified --completed 1"
  "json funnel --steps Signed_Up>Email_Verified --completed 2 --save-segment adhoc"
  "text funnel no-such-funnel"
  "both segments"
  "json segments verified"
  "json segments import imported $WORK/ids.txt --note from_a_file"
  "json segments --profile $USER1"
  "text segments no-such-segment"
  "json journeys"
  "both journeys abandoned-cart"
  "text journeys no-such-journey"
  "both goals abandoned-cart"
  "json goals abandoned-cart --people --trend week"
  "text goals no-such-journey"
  "json replay --journey abandoned-cart --from 2026-10-25T00:00:00Z --to 2026-11-24T00:00:00Z"
  "text replay --journey no-such-journey --from 2026-10-25T00:00:00Z --to 2026-11-24T00:00:00Z"
  "json experiments"
  "both experiments abandoned-cart --lift --funnel onboarding"
  "json experiments abandoned-cart --money --cost email=0.01"
  "json experiments finish-profile --channels"
  "text experiments no-such-journey --lift"
  "both outbox --limit 5"
  "text outbox --limit 0x"
  "json export $USER1 --event-limit 2"
  "text export nobody-at-all"
  "both suppress $USER2"
  "json unsuppress $USER2"
  "json erase --file $WORK/erase.txt"
  "text erase --file $WORK/missing.txt"
  "json journeys finish-profile --state stopped"
  "text journeys finish-profile --state paused"
  "both retention"
  "both apply -f $WORK/defs --dry-run"
  "json apply -f $WORK/defs"
  "text apply -f $WORK/defs"
  "text apply -f $WORK/bad-defs.yaml"
  "both diff -f $WORK/extra-changed.yaml"
  "text diff -f $WORK/defs"
  "text delete segment big-spenders"
  "both delete segment big-or-vip --dry-run"
  "json delete segment big-or-vip"
  "text delete journey abandoned-cart"
)

# Masks what differs between any two runs: the time now (today's timestamps, epoch ms within a
# day, how long a person has been stuck at a step), the import's timing, fresh tokens, the actor of an audit entry, and the width of the
# audit table's columns that follows from it.
normalize_all() {
  python3 - "$@" <<'PY'
import re, sys, time
def normalize(text):
  today = time.strftime("%Y-%m-%d", time.gmtime())
  text = re.sub(today + r"T[0-9:.]+Z", "<now>", text)
  now_ms = int(time.time() * 1000)
  text = re.sub(r"\b1[0-9]{12}\b", lambda m: "<now-ms>" if abs(int(m.group()) - now_ms) < 86400000 else m.group(), text)
  text = re.sub(r"in [0-9.]+s \([0-9]+ events/s\)", "in <t>", text)
  text = re.sub(r"\"(seconds|events_per_second)\": [0-9.e+-]+", r"\"\1\": <t>", text)
  text = re.sub(r"\"stuck_ms\": [0-9]+", "\"stuck_ms\": <since>", text)
  text = re.sub(r"sp[aw]_[0-9a-f]+(\.\.\.)?", "<token>", text)
  text = re.sub(r"(cli:[A-Za-z0-9_.-]+|admin:remote-test \(<token>\))", "<actor>", text)
  text = re.sub(r"[ \t]+", " ", text)
  return text
for path in sys.argv[1:]:
  with open(path) as f:
    text = normalize(f.read())
  with open(path + ".norm", "w") as f:
    f.write(text)
PY
}

# run_all MODE: runs every command in MODE (local or remote), keeping stdout and the exit code.
run_all() {
  local mode=$1 n=0 line kind args
  mkdir -p "$WORK/$mode"
  for line in "${COMMANDS[@]}"; do
    kind=${line%% *}
    # Underscores stand for spaces inside an argument (the ad-hoc funnel's step names).
    read -r -a args <<<"${line#* }"
    args=("${args[@]//_/ }")
    for form in text json; do
      [ "$form" = json ] && [ "$kind" = text ] && continue
      [ "$form" = text ] && [ "$kind" = json ] && continue
      n=$((n + 1))
      local extra=()
      [ "$form" = json ] && extra=(--json)
      if [ "$mode" = local ]; then
        "$BIN" --data "$DATA" "${args[@]}" "${extra[@]}" >"$WORK/$mode/$n.out" 2>"$WORK/$mode/$n.err"
      else
        SIGNPOST_SERVER=$URL SIGNPOST_TOKEN=$TOKEN "$BIN" "${args[@]}" "${extra[@]}" \
          >"$WORK/$mode/$n.out" 2>"$WORK/$mode/$n.err"
      fi
      echo $? >"$WORK/$mode/$n.rc"
      echo "${args[*]} ${extra[*]}" >"$WORK/$mode/$n.cmd"
    done
  done
  echo "$n"
}

# The two modes run at once, each on its own copy of the folder (the local commands in the
# background keep the first copy's path): the test takes the longer of the two, not their sum.
set +e
started=$(date +%s.%N)
run_all local >"$WORK/local.count" &
local_pid=$!
DATA=$WORK/remote-data
start_server
run_all remote >/dev/null
remote_done=$(date +%s.%N)
wait "$local_pid"
local_done=$(date +%s.%N)
count=$(cat "$WORK/local.count")
set -e

normalize_all "$WORK"/local/*.out "$WORK"/remote/*.out
for n in $(seq 1 "$count"); do
  cmd=$(cat "$WORK/local/$n.cmd")
  check "same exit code: $cmd" "$(cat "$WORK/remote/$n.rc")" "$(cat "$WORK/local/$n.rc")"
  check "same output: $cmd" "$(cat "$WORK/remote/$n.out.norm")" "$(cat "$WORK/local/$n.out.norm")"
  if [ "$(cat "$WORK/local/$n.rc")" != 0 ]; then
    check "same error: $cmd" "$(grep '^error:' "$WORK/remote/$n.err")" \
      "$(grep '^error:' "$WORK/local/$n.err")"
  fi
done
# The comparison holds something: the commands found what they were asked for.
check_contains "a profile was shown" "$(cat "$WORK"/remote/*.out)" "identities: user:$USER1"
check_contains "the import's summary came back" "$(cat "$WORK"/remote/*.out)" \
  "more.ndjson: 1 accepted, 0 duplicates, 1 rejected"
check_contains "the CSV import's summary came back" "$(cat "$WORK"/remote/*.out)" \
  "more.csv: 1 accepted, 0 duplicates, 1 rejected"
awk -v n="$count" -v a="$started" -v b="$local_done" -v c="$remote_done" \
  'BEGIN { printf "%d commands at once: local %.1f s, remote %.1f s (server start included)\n", n, b - a, c - a }'

# ---- where the server and the token come from -------------------------------------------------
CONF=$WORK/conf/config.yaml
mkdir -p "$WORK/conf"
printf 'server: %s\ntoken: %s\n' "$URL" "$TOKEN" >"$CONF"
chmod 600 "$CONF"
rsp() { SIGNPOST_CONFIG="$CONF" "$BIN" "$@"; }
count_now=$(rsp events --count)
check_contains "the config file alone names the server and the token" "$count_now" " events"
check_contains "a bad --token wins over the file's" "$(rsp --token spa_wrong events --count 2>&1)" \
  "error: $URL refused the admin token: give a live one with --token"
check "SIGNPOST_TOKEN wins over the file's" \
  "$(SIGNPOST_TOKEN=spa_wrong rsp events --count >/dev/null 2>&1; echo $?)" "1"
check "--token wins over SIGNPOST_TOKEN" \
  "$(SIGNPOST_TOKEN=spa_wrong rsp --token "$TOKEN" events --count)" "$count_now"
check_contains "--server wins over the file's; a server not there is named" \
  "$(rsp --server http://127.0.0.1:1 events --count 2>&1)" \
  "error: cannot reach the signpost server at http://127.0.0.1:1: "
chmod 644 "$CONF"
check "a token readable by others is refused" "$(rsp events --count 2>&1)" \
  "error: config file $CONF holds an admin token but group or others may read it (mode 0644); run \`chmod 600 $CONF\`"
check "--data with --server names both" "$(rsp --data "$WORK/x" --server "$URL" events --count 2>&1)" \
  "error: --data and --server: give one; --data DIR opens a data folder on this machine, --server URL calls a running server"
check "--data alone is local, whatever the config says" "$(rsp --data "$WORK/empty" events --count 2>&1)" "0 events"
check "SIGNPOST_DATA alone is local too" "$(SIGNPOST_DATA="$WORK/empty2" rsp events --count 2>&1)" "0 events"
check "SIGNPOST_SERVER wins over SIGNPOST_DATA" \
  "$(SIGNPOST_DATA="$WORK/empty3" SIGNPOST_SERVER=$URL SIGNPOST_TOKEN=$TOKEN "$BIN" events --count)" "$count_now"
finish
