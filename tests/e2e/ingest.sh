#!/usr/bin/env bash
# End to end: keys, HTTP ingest (every endpoint, auth, limits, bad input, dedup, skew), profiles,
# identity merges, dead letters and re-import, bulk import of NDJSON and CSV.
source "$(dirname "$0")/lib.sh"

WK=$(sp keys create --kind write --name e2e --json | json token)
AT=$(sp keys create --kind admin --name e2e --json | json token)
start_server

post() { curl -s -o "$WORK/body" -w '%{http_code}' -u "$WK:" -H 'Content-Type: application/json' "$URL/v1/$1" --data-binary "$2"; }

check "healthz" "$(curl -s "$URL/healthz" | json status)" "ok"
check "track accepted" "$(post track '{"userId":"u1","event":"Signed Up","messageId":"m1","timestamp":"2026-11-01T10:00:00Z"}')" "200"
check "same messageId twice is stored once" "$(post track '{"userId":"u1","event":"Signed Up","messageId":"m1","timestamp":"2026-11-01T10:00:00Z"}'; json duplicates <"$WORK/body")" "2001"
check "no write key is a 401" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/track" -d '{"userId":"u1","event":"x"}')" "401"
check "wrong write key is a 401" "$(curl -s -o /dev/null -w '%{http_code}' -u nope: "$URL/v1/track" -d '{"userId":"u1","event":"x"}')" "401"
check "writeKey in the body works" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/track" -d "{\"writeKey\":\"$WK\",\"userId\":\"u1\",\"event\":\"Body Key\",\"messageId\":\"m-body\"}")" "200"
check "identify links anonymous to user" "$(post identify '{"userId":"u1","anonymousId":"a1","traits":{"plan":"trial","consent":{"email":true}},"messageId":"m2","timestamp":"2026-11-01T10:01:00Z"}')" "200"
check "anonymous event before identify" "$(post track '{"anonymousId":"a1","event":"Viewed Pricing","messageId":"m3","timestamp":"2026-11-01T09:00:00Z"}')" "200"
code=$(post batch '{"batch":[{"type":"track","userId":"u2","event":"Signed Up","messageId":"b1"},{"type":"track","event":"No Id","messageId":"b2"},{"type":"page","userId":"u2","name":"Home","messageId":"b3"}],"context":{"library":{"name":"e2e"}}}')
check "batch with one bad item still accepts the others" "$code $(json accepted <"$WORK/body")" "200 2"
check_contains "the bad item's reason names the field" "$(json rejected <"$WORK/body")" "batch[1]"
check "empty body is a 400" "$(post track '')" "400"
check "truncated JSON is a 400" "$(post track '{"userId":"u1","event":')" "400"
big=$(head -c 40000 /dev/zero | tr '\0' 'x')
check "an event over 32 KB is a 400" "$(post track "{\"userId\":\"u1\",\"event\":\"Big\",\"properties\":{\"p\":\"$big\"}}")" "400"
check_contains "the error names the limit" "$(cat "$WORK/body")" "32"
check "skew correction: sentAt ahead of the server by an hour" \
  "$(post track '{"userId":"u3","event":"Skewed","messageId":"s1","originalTimestamp":"2030-01-01T01:00:00Z","sentAt":"2030-01-01T01:00:05Z"}')" "200"
check "admin API needs the admin token" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/profiles/u1")" "401"
profile=$(curl -s -H "Authorization: Bearer $AT" "$URL/api/profiles/u1")
check_contains "profile has the anonymous identity" "$profile" "anon:a1"
check_contains "profile has the trait" "$profile" '"plan":"trial"'
check_contains "metrics are Prometheus text" "$(curl -s "$URL/metrics")" "signpost_events_accepted_total"
stop_server

events=$(sp events --profile u1 --json)
check "the anonymous event moved to the user retroactively" "$(echo "$events" | json events.0.event)" "Viewed Pricing"
skew=$(sp events --profile u3 --json | json events.0.timestamp)
# received ~now, sent 5s after original: the corrected time is 5s before receipt, not 2030.
check "skew-corrected time is near now, not the device clock" "${skew:0:4}" "$(date -u +%Y)"
check_contains "dead letters keep the rejected item" "$(sp deadletters --json)" "No Id"

# Bulk import: NDJSON with one bad line, CSV with nested columns.
cat >"$WORK/e.ndjson" <<'NDJSON'
{"type":"track","userId":"u4","event":"Signed Up","messageId":"i1","timestamp":"2026-11-02T10:00:00Z"}
{"type":"track","userId":"u4","event":"Email Verified","messageId":"i2","timestamp":"2026-11-02T11:00:00Z"}
{"type":"track","event":"Missing Id","messageId":"i3"}
{"type":"alias","userId":"u4","previousId":"a4","messageId":"i4","timestamp":"2026-11-02T09:00:00Z"}
NDJSON
summary=$(sp import "$WORK/e.ndjson" --json)
check "ndjson import accepted" "$(echo "$summary" | json accepted)" "3"
check "ndjson import rejected with a line number" "$(echo "$summary" | json rejections.0.location)" "line 3"
check "re-import adds nothing" "$(sp import "$WORK/e.ndjson" --json | json duplicates)" "3"
printf 'userId,event,timestamp,properties.plan,context.campaign.source\nu5,Signed Up,2026-11-03T10:00:00Z,pro,ads\nu5,Order Completed,2026-11-03T12:00:00Z,pro,ads\n' >"$WORK/e.csv"
check "csv import" "$(sp import "$WORK/e.csv" --json | json accepted)" "2"
check "csv nested properties" "$(sp events --profile u5 --json | json events.0.context.campaign.source)" "ads"

# Re-import a fixed dead letter: none is fixable as is, so all stay.
total=$(sp deadletters --json | json total)
check "reimport keeps what is still bad" "$(sp deadletters reimport --json | json still_rejected)" "$total"

# A refused merge of two userIds stays visible.
printf '{"type":"alias","userId":"u5","previousId":"u4","messageId":"bad-alias"}\n' >"$WORK/alias.ndjson"
sp import "$WORK/alias.ndjson" --json >/dev/null
check_contains "two userIds are never merged" "$(sp profile u5 --json | json identities)" "user:u5"
check "u4 stays its own profile" "$(sp profile u4 --json | json identities | grep -c u5 || true)" "0"
finish
