#!/usr/bin/env bash
# End to end: a versioned funnel applied from YAML, its report from the CLI and the HTTP API (the
# same document), ad-hoc funnels, people at a step saved as a static segment, the last completed
# step of one profile.
source "$(dirname "$0")/lib.sh"

cat >"$WORK/events.ndjson" <<'NDJSON'
{"type":"track","userId":"ann","event":"Signed Up","messageId":"1","timestamp":"2026-11-01T10:00:00Z","context":{"campaign":{"source":"ads"}}}
{"type":"track","userId":"ann","event":"Email Verified","messageId":"2","timestamp":"2026-11-01T10:05:00Z"}
{"type":"track","userId":"ann","event":"Order Completed","messageId":"3","timestamp":"2026-11-02T10:00:00Z"}
{"type":"track","userId":"bob","event":"Signed Up","messageId":"4","timestamp":"2026-11-01T11:00:00Z","context":{"campaign":{"source":"blog"}}}
{"type":"track","userId":"bob","event":"Email Verified","messageId":"5","timestamp":"2026-11-01T12:00:00Z"}
{"type":"track","userId":"cid","event":"Signed Up","messageId":"6","timestamp":"2026-11-01T12:00:00Z","context":{"campaign":{"source":"ads"}}}
{"type":"track","userId":"dan","event":"Signed Up","messageId":"7","timestamp":"2026-11-01T13:00:00Z","context":{"campaign":{"source":"ads"}}}
{"type":"track","userId":"dan","event":"Email Verified","messageId":"8","timestamp":"2026-11-01T13:30:00Z"}
{"type":"track","userId":"dan","event":"Order Completed","messageId":"9","timestamp":"2026-11-20T13:00:00Z"}
NDJSON
sp import "$WORK/events.ndjson" --json >/dev/null
cat >"$WORK/onboarding.yaml" <<'YAML'
kind: funnel
id: onboarding
name: Onboarding
note: first version
window: 7d
steps:
  - { name: Signed Up, event: Signed Up }
  - { name: Verified, event: Email Verified }
  - { name: Ordered, event: Order Completed }
YAML
check "apply gives version 1" "$(sp apply -f "$WORK/onboarding.yaml" --json | json version)" "1"
check "the same definition again is unchanged" "$(sp apply -f "$WORK/onboarding.yaml" --note 'second' --json | json action)" "unchanged"
sed -i 's/^note: first version/note: second version/' "$WORK/onboarding.yaml"
check "a changed one gives version 2" "$(sp apply -f "$WORK/onboarding.yaml" --json | json version)" "2"
report=$(sp funnel onboarding --json)
check "report names its version" "$(echo "$report" | json version)" "2"
check "step 1 reached by 4" "$(echo "$report" | json steps.0.count)" "4"
check "step 2 reached by 3" "$(echo "$report" | json steps.1.count)" "3"
check "step 3 within 7 days: only ann (dan took 19 days)" "$(echo "$report" | json steps.2.count)" "1"
check "a 30d window counts dan" "$(sp funnel onboarding --window 30d --json | json steps.2.count)" "2"
check "ad-hoc funnel from the command line" \
  "$(sp funnel --steps 'Signed Up>Email Verified' --json | json steps.1.count)" "3"
check_contains "breakdown by a context property" \
  "$(sp funnel onboarding --breakdown context.campaign.source --json | json breakdown)" "ads"
people=$(sp funnel onboarding --dropped-at 2 --json)
check "people who verified but did not order" "$(echo "$people" | json count)" "2"
check "saved as a static segment" "$(sp funnel onboarding --dropped-at 2 --save-segment stuck-at-2 --json | json members)" "2"
check_contains "the segment lists them" "$(sp segments stuck-at-2 --json)" "user:bob"
check "restricted to the segment" "$(sp funnel onboarding --segment stuck-at-2 --json | json steps.0.count)" "2"
check "last completed step of bob" "$(sp funnel onboarding --profile bob --json | json last_step)" "2"
# A static segment imported from a file of ids (unknown ids are kept and reported).
printf '# do not contact\nann\n\nuser:bob\n  anon:nobody  \n' >"$WORK/ids.txt"
imported=$(sp segments import vip "$WORK/ids.txt" --note "from support" --json)
check "import stores version 1" "$(echo "$imported" | json version)" "1"
check "import keeps the unknown id" "$(echo "$imported" | json unknown)" '["anon:nobody"]'
check "the imported list" "$(sp segments vip --json | json identities)" '["user:ann","user:bob","anon:nobody"]'
check_contains "a rule segment's name is refused" \
  "$(printf 'kind: segment\nid: rules\nrule: { event: Buy }\n' >"$WORK/rule.yaml"; sp apply -f "$WORK/rule.yaml" >/dev/null; sp segments import rules "$WORK/ids.txt" 2>&1)" "is a rule segment"

WK=$(sp keys create --kind write --json | json token)
AT=$(sp keys create --kind admin --json | json token)
start_server
http_report=$(curl -s -H "Authorization: Bearer $AT" "$URL/api/funnels/onboarding/report")
check "HTTP report equals the CLI report" "$(echo "$http_report" | json steps)" "$(echo "$report" | json steps)"
check "HTTP import adds to the list" "$(curl -s -H "Authorization: Bearer $AT" -d '{"ids":["cid"],"mode":"add"}' "$URL/api/segments/vip/members" | json members)" "4"
check "HTTP ad-hoc query" "$(curl -s -H "Authorization: Bearer $AT" -d '{"steps":"Signed Up>Email Verified"}' "$URL/api/funnels/query" | json steps.1.count)" "3"
# A live event reaches the index at once.
curl -s -u "$WK:" "$URL/v1/track" -d '{"userId":"cid","event":"Email Verified","timestamp":"2026-11-01T12:30:00Z"}' >/dev/null
check "a live event shows in the next report" "$(curl -s -H "Authorization: Bearer $AT" "$URL/api/funnels/onboarding/report" | json steps.1.count)" "4"
finish
