#!/usr/bin/env bash
# Seeds a new data folder with the demo: the definitions (onboarding funnel, file email channel,
# cart templates, abandoned-cart journey with a goal) applied, the journey set live, a month of
# generated events imported, and an admin token for the dashboard. Runs the CLI on the folder, so
# `signpost serve` must not be running on it.
# Usage: seed.sh BINARY DATA_DIR [generate.mjs options, e.g. --profiles 500 --now 2026-11-24T00:00:00Z]
# A step that fails (e.g. a definition kind this build does not know yet) is skipped with a message;
# the exit code is non-zero only when the events could not be imported.
set -uo pipefail
bin=${1:?usage: seed.sh BINARY DATA_DIR [generate options]}
data=${2:?usage: seed.sh BINARY DATA_DIR [generate options]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/signpost-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

sp() { "$bin" --data "$data" "$@"; }
skipped=0
# try WHAT COMMAND...: runs it; on failure prints what was skipped and why.
try() {
  local what=$1; shift
  local out
  if out=$("$@" 2>&1); then
    echo "demo: $what: ok"
  else
    skipped=$((skipped + 1))
    echo "demo: $what: skipped ($(echo "$out" | head -1))"
    return 1
  fi
}

node "$here/generate.mjs" "$work" "$@" || exit 1
for def in "$work"/*.yaml; do
  try "apply $(basename "$def" .yaml | sed 's/^[0-9]*-//')" sp apply -f "$def"
done
# Live before the import, so the month of history flows through the journey (it starts 30 days ago).
try "set the abandoned-cart journey live (signpost journeys abandoned-cart --state live)" sp journeys abandoned-cart --state live
if ! sp import "$work/events.ndjson"; then
  echo "demo: importing the events failed; the data folder $data is incomplete (delete it and retry)" >&2
  exit 1
fi
# The dashboard's token: created here so it exists before serve's first start (scripts/run.sh
# prints the dashboard link with it).
try "create the dashboard's admin token" sp keys create --kind admin --name dashboard
try "create a write key" sp keys create --kind write --name demo
[ "$skipped" -eq 0 ] || echo "demo: $skipped step(s) skipped; the dashboard shows what the store has"
exit 0
