#!/usr/bin/env bash
# Seeds a new data folder with the demo: the definitions (onboarding funnel, file email and SMS
# channels, cart and profile templates, the abandoned-cart journey with a goal and an A/B split, the
# finish-profile journey with a `channel: auto` step) applied, the journeys set live, a month of
# generated events imported, and an admin token for the dashboard. Runs the CLI on the folder, so
# `signpost serve` must not be running on it.
# Usage: seed.sh BINARY DATA_DIR [generate.mjs options, e.g. --profiles 500 --now 2026-11-24T00:00:00Z]
# Every step must succeed: a step the binary refuses (a definition, a command) stops the seeding
# with its error and a non-zero exit code, so a broken demo never passes for a working one.
set -uo pipefail
bin=${1:?usage: seed.sh BINARY DATA_DIR [generate options]}
data=${2:?usage: seed.sh BINARY DATA_DIR [generate options]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/signpost-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

sp() { "$bin" --data "$data" "$@"; }
# step WHAT COMMAND...: runs it; on failure prints the command's output and stops the seeding.
step() {
  local what=$1; shift
  local out
  if out=$("$@" 2>&1); then
    echo "demo: $what: ok"
  else
    echo "demo: $what: FAILED:" >&2
    echo "$out" | sed 's/^/  /' >&2
    echo "demo: seeding stopped; the data folder $data is incomplete (delete it, fix the cause, retry)" >&2
    exit 1
  fi
}

node "$here/generate.mjs" "$work" "$@" || exit 1
for def in "$work"/*.yaml; do
  step "apply $(basename "$def" .yaml | sed 's/^[0-9]*-//')" sp apply -f "$def"
done
# Live before the import, so the month of history flows through the journey (it starts 30 days ago).
step "set the abandoned-cart journey live (signpost journeys abandoned-cart --state live)" sp journeys abandoned-cart --state live
step "set the finish-profile journey live (signpost journeys finish-profile --state live)" sp journeys finish-profile --state live
step "import the events" sp import "$work/events.ndjson"
# The dashboard's token: created here so it exists before serve's first start (scripts/run.sh
# prints the dashboard link with it).
step "create the dashboard's admin token" sp keys create --kind admin --name dashboard
step "create a write key" sp keys create --kind write --name demo
exit 0
