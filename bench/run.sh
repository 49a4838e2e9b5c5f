#!/usr/bin/env bash
# What `make bench` runs: signpost against real peers, on the same generated data, in one run.
#   bench/run.sh BUILD_DIR
# 1. Funnels: for each size (events:profiles), the CSV from gen_events (cached under bench/data/),
#    then bench/signpost_funnel, DuckDB (bench/peers/duckdb_funnel.mjs) and ClickHouse via chdb
#    (bench/peers/clickhouse_funnel.mjs): one warm-up and BENCH_RUNS timed runs each. The step counts
#    must be identical, else the run fails loudly. At BENCH_REBUILD_SIZE, signpost_funnel also times
#    the index rebuilt from a store (a data folder imported once from the NDJSON, kept in bench/data).
# 2. Bulk import: the same generator's NDJSON into a fresh data folder (`signpost import --json`,
#    durable) against DuckDB read_json into a table of a FILE database with CHECKPOINT inside the
#    timing (durable too: its `seconds`/`events_per_second`, also `duckdb_durable_events_per_second`),
#    and into memory, not durable (`duckdb_memory_events_per_second`), printed beside it.
# 3. HTTP ingest: `signpost serve` on a fresh folder, bench/http_load posting /v1/batch.
# 4. Journeys (no peer): bench/journeys_bench, 100 live journeys on the runtime (events/s), goal
#    attribution (goal events/s, added latency) and a live Engine's event-to-send latency at half the
#    runtime's rate; its table goes to stdout, its JSON to bench/results/journeys.json.
# 5. Erasure (no peer): bench/erase_bench, erasing 1 person and then BENCH_ERASE_BATCH people in one
#    regulation from a store of BENCH_ERASE_SIZE events: time until erased (acknowledged) and until
#    purged (physically gone); its JSON to bench/results/erase.json.
# 6. Dedup table (no peer): bench/dedup_bench, the message-id table with BENCH_DEDUP_IDS ids: bytes
#    per id, inserts, lookups (hits, misses) and the rebuild at open per CPU-second; its JSON to
#    bench/results/dedup.json.
# 7. Delivery (no peer): bench/delivery_bench, BENCH_DELIVERY_MESSAGES messages through a real Engine's
#    outbox to a local SMTP sink and a webhook sink (loopback, answering at once and after
#    BENCH_DELIVERY_LATENCY_MS): messages/s with a new connection per message (before) and connections
#    kept per channel, each with 1 and BENCH_DELIVERY_WORKERS workers; its JSON to
#    bench/results/delivery.json.
# 8. Event catalog cost (no peer): bench/catalog_bench imports the NDJSON of BENCH_CATALOG_SIZE into a
#    fresh folder with the catalog on and off, alternating, BENCH_RUNS times each: the best events/s
#    of each and the cost in percent (goal: under 5%); its JSON to bench/results/catalog.json.
# 9. Step drivers (no peer): bench/drivers_bench, BENCH_DRIVERS_SEEDS seeded populations (planted
#    drivers among null candidates: power, coverage of the true effect, false-discovery rate) and
#    the cost of drivers for one step over an in-memory index of BENCH_DRIVERS_SIZE; its JSON to
#    bench/results/drivers.json.
# 10. Step health (no peer): bench/step_health_sim, the seeded simulation of src/analytics/step_health.h
#    (BENCH_HEALTH_STEPS steps x 8 weeks with weekly seasonality and noise): false alerts per step per
#    30 days at each sensitivity and the detection latency of 30%, 50% and 100% drops; its JSON to
#    bench/results/step_health.json.
# 11. Step segments (no peer): bench/journeys_bench --only-step-segments, the journeys part's runtime
#    over BENCH_STEPS_SIZE events without and with BENCH_STEPS_FUNNELS live step segments (funnel
#    rules kept current by events and by time, each entering a join-later journey): events/s of both
#    and the cost in percent; its JSON to bench/results/step_segments.json.
# Tables go to stdout; everything also to bench/results/latest.json (see bench/report.mjs); the parts
# without a peer (4-11) print theirs and write bench/results/<part>.json with bench/print.mjs. Last,
# the performance table of every part that ran (bench/summary.mjs, bench/results/summary.json).
#
# Environment (defaults):
#   BENCH_SIZES="10000000:1000000 100000000:10000000"  funnel sizes, events:profiles
#   BENCH_RUNS=5 BENCH_THREADS=2 BENCH_SEED=42 BENCH_WINDOW_MS=604800000
#   BENCH_IMPORT_SIZE=10000000:1000000                 import size, events:profiles
#   BENCH_REBUILD_SIZE=10000000:1000000                the funnel size whose index rebuild from a
#                                                      store is also timed (signpost_funnel --rebuild-data)
#   BENCH_HTTP_SECONDS=10 BENCH_HTTP_THREADS=4 BENCH_HTTP_BATCH=100
#   BENCH_ONLY="funnel import http journeys"                    which parts to run
#   BENCH_JOURNEYS_SIZE=5000000:1000000 BENCH_JOURNEYS_LATENCY_SECONDS=10   events:profiles, paced seconds
#   BENCH_JOURNEYS_EXTRA_RATES=500                     more event rates (events/s) to measure latency at
#   BENCH_ERASE_SIZE=10000000:1000000 BENCH_ERASE_BATCH=10000   events:profiles, people per batch
#   BENCH_DEDUP_IDS=10000000                           message ids in the dedup table
#   BENCH_DRIVERS_SEEDS=200 BENCH_DRIVERS_SIZE=10000000:1000000   seeds, cost events:profiles
#   BENCH_DELIVERY_MESSAGES=4000 BENCH_DELIVERY_WORKERS=4 BENCH_DELIVERY_LATENCY_MS=5
#   BENCH_CATALOG_SIZE=1000000:100000                  catalog cost: import size, events:profiles
#   BENCH_HEALTH_STEPS=500                             simulated funnel steps (step health)
#   BENCH_STEPS_SIZE=5000000:1000000 BENCH_STEPS_FUNNELS=10   step segments: events:profiles, funnels
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "bench: no build folder '${1:-build}'" >&2; exit 1; }
sizes=${BENCH_SIZES:-10000000:1000000 100000000:10000000}
runs=${BENCH_RUNS:-5}
threads=${BENCH_THREADS:-2}
seed=${BENCH_SEED:-42}
window=${BENCH_WINDOW_MS:-604800000}
import_size=${BENCH_IMPORT_SIZE:-10000000:1000000}
rebuild_size=${BENCH_REBUILD_SIZE:-10000000:1000000}
http_seconds=${BENCH_HTTP_SECONDS:-10}
http_threads=${BENCH_HTTP_THREADS:-4}
http_batch=${BENCH_HTTP_BATCH:-100}
only=${BENCH_ONLY:-funnel import http journeys erase dedup delivery catalog drivers health steps}
drivers_seeds=${BENCH_DRIVERS_SEEDS:-200}
drivers_size=${BENCH_DRIVERS_SIZE:-10000000:1000000}
health_steps=${BENCH_HEALTH_STEPS:-500}
dedup_ids=${BENCH_DEDUP_IDS:-10000000}
delivery_messages=${BENCH_DELIVERY_MESSAGES:-4000}
delivery_workers=${BENCH_DELIVERY_WORKERS:-4}
delivery_latency_ms=${BENCH_DELIVERY_LATENCY_MS:-5}
erase_size=${BENCH_ERASE_SIZE:-10000000:1000000}
erase_batch=${BENCH_ERASE_BATCH:-10000}
catalog_size=${BENCH_CATALOG_SIZE:-1000000:100000}
journeys_size=${BENCH_JOURNEYS_SIZE:-5000000:1000000}
journeys_latency_seconds=${BENCH_JOURNEYS_LATENCY_SECONDS:-10}
journeys_extra_rates=${BENCH_JOURNEYS_EXTRA_RATES:-500}
steps_size=${BENCH_STEPS_SIZE:-5000000:1000000}
steps_funnels=${BENCH_STEPS_FUNNELS:-10}
steps='Signed Up,Email Verified,Project Created,Teammate Invited,Order Completed'
data="$root/bench/data"
run="$data/run-$$"
mkdir -p "$data" "$run"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$run/import-data" "$run/http-data" "$run/duckdb-import"
}
trap cleanup EXIT
wants() { [[ " $only " == *" $1 "* ]]; }
say() { echo "bench: $*" >&2; }

# The programs this needs; build whichever is missing (make bench has built everything already).
need=(gen_events signpost_funnel http_load)
wants journeys && need+=(journeys_bench)
wants steps && need+=(journeys_bench)
wants erase && need+=(erase_bench)
wants dedup && need+=(dedup_bench)
wants delivery && need+=(delivery_bench)
wants catalog && need+=(catalog_bench)
wants drivers && need+=(drivers_bench)
wants health && need+=(step_health_sim)
missing=()
for t in "${need[@]}"; do [ -x "$build/bench/$t" ] || missing+=("$t"); done
[ -x "$build/signpost" ] || missing+=(signpost)
if [ ${#missing[@]} -gt 0 ]; then
  say "building ${missing[*]}"
  cmake --build "$build" --target "${missing[@]}" -j 2 >&2 || { say "build failed"; exit 1; }
fi
bash "$root/scripts/node-deps.sh" bench >&2 || exit 1

# gen FORMAT EVENTS PROFILES: prints the cached file's path, generating it first if needed.
gen() {
  local file="$data/events-$2-$3-s$seed.$1"
  if [ ! -f "$file" ]; then
    say "generating $file"
    "$build/bench/gen_events" --events "$2" --profiles "$3" --seed "$seed" --format "$1" --out "$file" >&2 ||
      { say "gen_events failed"; return 1; }
  fi
  echo "$file"
}

# Where and on what this ran.
node -e '
const os = require("os");
console.log(JSON.stringify({ cpu: os.cpus()[0]?.model, cores: os.cpus().length,
  memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version,
  date: new Date().toISOString(), commit: process.argv[1], runs: +process.argv[2], threads: +process.argv[3], seed: +process.argv[4] }));
' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null)" "$runs" "$threads" "$seed" > "$run/machine.json"

if wants funnel; then
  for size in $sizes; do
    events=${size%%:*}; profiles=${size##*:}
    csv=$(gen csv "$events" "$profiles") || exit 1
    # The index rebuilt from a store (as Engine::Open does) is timed on the size of rebuild_size:
    # a data folder `signpost import` made from the same generator's NDJSON, kept under bench/data.
    rebuild=()
    if [ "$size" = "$rebuild_size" ]; then
      store_dir="$data/store-$events-$profiles-s$seed"
      if [ ! -f "$store_dir/.imported" ]; then
        ndjson=$(gen ndjson "$events" "$profiles") || exit 1
        say "importing $events events for the index rebuild"
        rm -rf "$store_dir"
        "$build/signpost" import --data "$store_dir" "$ndjson" --json > /dev/null &&
          touch "$store_dir/.imported" || say "import for the index rebuild failed"
      fi
      [ -f "$store_dir/.imported" ] && rebuild=(--rebuild-data "$store_dir")
    fi
    say "funnel on $events events: signpost"
    "$build/bench/signpost_funnel" --data "$csv" --steps "$steps" --window-ms "$window" \
      --threads "$threads" --runs "$runs" "${rebuild[@]}" > "$run/funnel-$events-signpost.json"
    for peer in duckdb clickhouse; do
      say "funnel on $events events: $peer"
      node "$root/bench/peers/${peer}_funnel.mjs" --data "$csv" --steps "$steps" --window-ms "$window" \
        --threads "$threads" --runs "$runs" > "$run/funnel-$events-$peer.json"
    done
  done
fi

if wants import; then
  events=${import_size%%:*}; profiles=${import_size##*:}
  ndjson=$(gen ndjson "$events" "$profiles") || exit 1
  say "import of $events events: duckdb"
  node "$root/bench/peers/duckdb_import.mjs" --data "$ndjson" --threads "$threads" \
    --dir "$run/duckdb-import" > "$run/import-duckdb.json"
  say "import of $events events: signpost"
  rm -rf "$run/import-data"
  "$build/signpost" import --data "$run/import-data" "$ndjson" --json > "$run/import-signpost.json"
  rm -rf "$run/import-data"
fi

if wants http; then
  dir="$run/http-data"
  rm -rf "$dir"
  key=$("$build/signpost" keys create --data "$dir" --kind write --name bench --json |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
  if [ -z "$key" ]; then
    say "could not create a write key"
    echo '{"error":"signpost keys create failed"}' > "$run/http-signpost.json"
  else
    "$build/signpost" serve --data "$dir" --port 0 > "$run/serve.log" 2>&1 &
    server_pid=$!
    url=""
    for _ in $(seq 1 100); do
      url=$(grep -o 'listening on http://[^ ]*' "$run/serve.log" | head -1 | sed 's/listening on //')
      [ -n "$url" ] && break
      sleep 0.1
    done
    if [ -z "$url" ]; then
      say "signpost serve did not start: $(tail -5 "$run/serve.log")"
      echo '{"error":"signpost serve did not start"}' > "$run/http-signpost.json"
    else
      say "HTTP ingest for ${http_seconds}s against $url"
      "$build/bench/http_load" --url "$url" --key "$key" --threads "$http_threads" --batch "$http_batch" \
        --seconds "$http_seconds" > "$run/http-signpost.json"
    fi
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
  fi
fi

journeys_status=0
if wants journeys; then
  events=${journeys_size%%:*}; profiles=${journeys_size##*:}
  rates=()
  for r in $journeys_extra_rates; do rates+=(--latency-extra-rates "$r"); done
  say "journeys: $events events, $profiles profiles, 100 live journeys"
  "$build/bench/journeys_bench" --events "$events" --profiles "$profiles" --seed "$seed" \
    --latency-seconds "$journeys_latency_seconds" "${rates[@]}" > "$run/journeys-signpost.json" ||
    journeys_status=1
  # The table ("ours" only: journeys have no peer) and bench/results/journeys.json with the machine.
  node "$root/bench/print.mjs" journeys "$run/journeys-signpost.json" "$run/machine.json" \
    "$root/bench/results/journeys.json" || journeys_status=1
fi

steps_status=0
if wants steps; then
  events=${steps_size%%:*}; profiles=${steps_size##*:}
  say "step segments: $events events, $profiles profiles, 100 live journeys, $steps_funnels step segments"
  "$build/bench/journeys_bench" --events "$events" --profiles "$profiles" --seed "$seed" \
    --step-segments "$steps_funnels" --only-step-segments > "$run/steps-signpost.json" || steps_status=1
  node "$root/bench/print.mjs" steps "$run/steps-signpost.json" "$run/machine.json" \
    "$root/bench/results/step_segments.json" || steps_status=1
fi

erase_status=0
if wants erase; then
  events=${erase_size%%:*}; profiles=${erase_size##*:}
  say "erase: $events events, $profiles profiles; 1 person, then $erase_batch people in one regulation"
  "$build/bench/erase_bench" --events "$events" --profiles "$profiles" --batch "$erase_batch" \
    --seed "$seed" > "$run/erase-signpost.json" || erase_status=1
  node "$root/bench/print.mjs" erase "$run/erase-signpost.json" "$run/machine.json" \
    "$root/bench/results/erase.json" || erase_status=1
fi

dedup_status=0
if wants dedup; then
  say "dedup: $dedup_ids message ids"
  "$build/bench/dedup_bench" --ids "$dedup_ids" --seed "$seed" > "$run/dedup-signpost.json" ||
    dedup_status=1
  node "$root/bench/print.mjs" dedup "$run/dedup-signpost.json" "$run/machine.json" \
    "$root/bench/results/dedup.json" || dedup_status=1
fi

delivery_status=0
if wants delivery; then
  say "delivery: $delivery_messages messages a run, $delivery_workers workers, ${delivery_latency_ms} ms provider latency"
  "$build/bench/delivery_bench" --messages "$delivery_messages" --workers "$delivery_workers" \
    --latency-ms "$delivery_latency_ms" > "$run/delivery-signpost.json" 2>"$run/delivery.log" ||
    delivery_status=1
  node "$root/bench/print.mjs" delivery "$run/delivery-signpost.json" "$run/machine.json" \
    "$root/bench/results/delivery.json" || delivery_status=1
fi

catalog_status=0
if wants catalog; then
  events=${catalog_size%%:*}; profiles=${catalog_size##*:}
  ndjson=$(gen ndjson "$events" "$profiles") || exit 1
  say "event catalog cost: import of $events events with the catalog on and off, $runs runs each"
  if "$build/bench/catalog_bench" --file "$ndjson" --runs "$runs" --dir "$run/catalog" \
      > "$run/catalog-signpost.json"; then
    node "$root/bench/print.mjs" catalog "$run/catalog-signpost.json" "$run/machine.json" \
      "$root/bench/results/catalog.json" || catalog_status=1
  else
    catalog_status=1
  fi
fi

drivers_status=0
if wants drivers; then
  say "drivers: $drivers_seeds seeds, cost at $drivers_size"
  "$build/bench/drivers_bench" --seeds "$drivers_seeds" --cost-events "${drivers_size%%:*}" \
    --cost-profiles "${drivers_size##*:}" --threads "${BENCH_THREADS:-2}" --seed "$seed" \
    > "$run/drivers-signpost.json" 2>"$run/drivers.log" || drivers_status=1
  cat "$run/drivers.log"
  node "$root/bench/print.mjs" drivers "$run/drivers-signpost.json" "$run/machine.json" \
    "$root/bench/results/drivers.json" || drivers_status=1
fi

health_status=0
if wants health; then
  say "step health: $health_steps simulated steps x 8 weeks"
  : > "$run/step-health.json"
  for level in medium high low; do
    "$build/bench/step_health_sim" --steps "$health_steps" --seed "$seed" --sensitivity "$level" ||
      health_status=1
    "$build/bench/step_health_sim" --steps "$health_steps" --seed "$seed" --sensitivity "$level" \
      --json >> "$run/step-health.json" || health_status=1
  done
  node "$root/bench/print.mjs" health "$run/step-health.json" "$run/machine.json" \
    "$root/bench/results/step_health.json" || health_status=1
fi

status=0
# latest.json holds the funnel, import and HTTP parts; a journeys-only run leaves it alone.
if wants funnel || wants import || wants http; then
  node "$root/bench/report.mjs" "$run" "$root/bench/results/latest.json"
  status=$?
fi
# The issue-18 table: every workload with the peer's figure from this run and the ratio.
node "$root/bench/summary.mjs" "$run" "$root/bench/results/summary.json"
[ "$journeys_status" = 0 ] || status=1
[ "$steps_status" = 0 ] || status=1
[ "$erase_status" = 0 ] || status=1
[ "$dedup_status" = 0 ] || status=1
[ "$delivery_status" = 0 ] || status=1
[ "$catalog_status" = 0 ] || status=1
[ "$drivers_status" = 0 ] || status=1
[ "$health_status" = 0 ] || status=1
rm -rf "$data/last-run" && mv "$run" "$data/last-run"   # the raw JSON lines, kept until the next run
exit $status
