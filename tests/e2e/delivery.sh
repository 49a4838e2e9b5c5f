#!/usr/bin/env bash
# End to end: a live journey's email goes through the outbox to the `file` channel with tracking;
# its open pixel and rewritten link, fetched over HTTP as a mail client would, become
# `Message Opened` / `Message Clicked` events of the profile; a tampered token is refused. Its
# one-click unsubscribe URL: a GET only shows a button, the RFC 8058 POST withdraws consent.email
# (idempotent), a tampered token records nothing.
source "$(dirname "$0")/lib.sh"

cat >"$WORK/defs.yaml" <<'YAML'
kind: channel
id: email
type: file
path: email.ndjson
YAML
sp apply -f "$WORK/defs.yaml" >/dev/null
cat >"$WORK/template.yaml" <<'YAML'
kind: template
id: welcome
channel: email
subject: "Welcome, {{traits.first_name | default: \"friend\"}}"
html: "<html><body><p>Hi {{traits.first_name}}, <a href=\"https://shop.test/start?a=1&amp;b=2\">start here</a></p></body></html>"
YAML
sp apply -f "$WORK/template.yaml" >/dev/null
cat >"$WORK/journey.yaml" <<'YAML'
kind: journey
id: onboarding
name: Onboarding
entry: { event: Signed Up }
goal: { type: custom, met_when: { event: Order Completed } }
steps:
  - id: welcome
    message: { channel: email, template: welcome }
YAML
sp apply -f "$WORK/journey.yaml" >/dev/null
sp journeys onboarding --state live >/dev/null
WRITE=$(sp keys create --kind write --name e2e --json | json token)
ADMIN=$(sp keys create --kind admin --name e2e --json | json token)

# The public URL must be known before the server binds: take a free port first.
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --data "$DATA" --port "$PORT" --public-url "http://127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

post() { curl -s -u "$WRITE:" -H 'Content-Type: application/json' -d "$2" "$URL/v1/$1" >/dev/null; }
post identify '{"userId":"ann","messageId":"e2e-1","traits":{"first_name":"Ann","email":"ann@x.test","consent":{"email":true}}}'
post track '{"userId":"ann","messageId":"e2e-2","event":"Signed Up"}'

for _ in $(seq 1 100); do [ -s "$DATA/email.ndjson" ] && break; sleep 0.1; done
line=$(head -1 "$DATA/email.ndjson" 2>/dev/null || echo '{}')
check "the message went out through the file channel" "$(echo "$line" | json subject)" "Welcome, Ann"
html=$(echo "$line" | json html)
pixel=$(echo "$html" | grep -o "$URL/t/o/[^\"]*" | head -1)
link=$(echo "$html" | grep -o "$URL/t/c/[^\"]*" | head -1)
check_contains "the html has an open pixel" "$pixel" "/t/o/"
check_contains "the link is rewritten" "$link" "/t/c/"

check "the pixel is a GIF" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$pixel")" "200 image/gif"
check "the link redirects to its target" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$link")" \
  "302 https://shop.test/start?a=1&b=2"
token=${link##*/}
c=${token:12:1}; [ "$c" == "A" ] && r=B || r=A
tampered="$URL/t/c/${token:0:12}$r${token:13}"
check "a tampered token is refused" "$(curl -s -o /dev/null -w '%{http_code}' "$tampered")" "400"

events=$(curl -s -H "Authorization: Bearer $ADMIN" "$URL/api/profiles/user:ann/events?limit=100")
for name in "Message Sent" "Message Delivered" "Message Opened" "Message Clicked"; do
  check "$name recorded once" "$(echo "$events" | grep -o "\"event\":\"$name\"" | wc -l | tr -d ' ')" "1"
done
outbox=$(curl -s -H "Authorization: Bearer $ADMIN" "$URL/api/outbox")
check "the outbox item is sent" "$(echo "$outbox" | json messages.0.state)" "sent"
check "tracking needs no auth but the outbox does" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/outbox")" "401"

unsub=$(echo "$line" | json unsubscribe_url)
check_contains "the message carries a one-click unsubscribe URL" "$unsub" "$URL/t/u/"
consent() { curl -s -H "Authorization: Bearer $ADMIN" "$URL/api/profiles/user:ann" | json consent.email; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "a GET (a mail scanner's prefetch) shows the confirmation page" "$(code "$unsub")" "200"
check "and unsubscribes nobody" "$(consent)" "true"
token=${unsub##*/}
c=${token:12:1}; [ "$c" == "A" ] && r=B || r=A
check "a tampered unsubscribe token is refused" \
  "$(code -d 'List-Unsubscribe=One-Click' "$URL/t/u/${token:0:12}$r${token:13}")" "400"
check "the one-click POST unsubscribes" "$(code -d 'List-Unsubscribe=One-Click' "$unsub")" "200"
check "consent.email is now false" "$(consent)" "false"
check "a second POST is still 200" "$(code -d 'List-Unsubscribe=One-Click' "$unsub")" "200"
stop_server
finish
