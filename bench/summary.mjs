// The performance table (issue 18): one row per workload with our figure, the peer's figure from the
// same run, the ratio and the goal, read from the JSON lines bench/run.sh collected.
//   node bench/summary.mjs RUN_DIR OUT.json
// Prints the table and writes it as JSON. A row whose part did not run is left out; a part that ran
// and failed prints FAILED. Exit code 0 (the parts' own checks decide the run's status).
import fs from 'node:fs';
import path from 'node:path';

const [runDir, outFile] = process.argv.slice(2);
const read = (name) => {
  const file = path.join(runDir, name);
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8').trim();
  try {
    return JSON.parse(text);
  } catch {
    // else the last one-line JSON document among other output
  }
  try {
    return JSON.parse(text.split('\n').filter((l) => l.startsWith('{')).pop());
  } catch {
    return { error: `could not parse ${name}` };
  }
};
const rate = (r) => (r == null ? '-' : r >= 1e6 ? `${(r / 1e6).toFixed(2)}M/s` : `${(r / 1e3).toFixed(0)}k/s`);
const secs = (s) => (s == null ? '-' : s < 0.1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
const times = (x) => (x == null || !Number.isFinite(x) ? '-' : `${x.toFixed(1)}x`);

const rows = [];
// add(workload, ours, peer, ratio (>1 = we are ahead), goal text, met)
const add = (workload, ours, peer, ratio, goal, met) => rows.push({ workload, ours, peer, ratio, goal, met });

// Bulk import: ours against durable DuckDB (a file database, CHECKPOINT timed), in-memory beside it.
const imp = read('import-signpost.json');
const duck = read('import-duckdb.json');
if (imp) {
  const ours = imp.events_per_second ?? (imp.accepted ?? imp.events) / imp.seconds;
  const durable = duck?.durable_events_per_second ?? duck?.duckdb_durable_events_per_second;
  const memory = duck?.memory_events_per_second ?? duck?.duckdb_memory_events_per_second ??
    (durable == null ? duck?.events_per_second : undefined);
  const peer = [durable != null ? `DuckDB durable ${rate(durable)}` : null,
    memory != null ? `in memory (not durable) ${rate(memory)}` : null].filter(Boolean).join('; ') || '-';
  add(`bulk NDJSON import, ${(imp.accepted ?? 0).toLocaleString('en')} events, durable`, rate(ours), peer,
    durable ? times(ours / durable) : '-', 'ahead of durable DuckDB and > 1M/s',
    ours > 1e6 && (durable == null || ours > durable));
}

// HTTP /v1/batch.
const http = read('http-signpost.json');
if (http) {
  if (http.error || !http.events_per_second) add('HTTP /v1/batch', 'FAILED', '-', '-', '> 250k/s, p99 < 20 ms', false);
  else add(`HTTP /v1/batch of ${http.batch}, client on the same cores`,
    `${rate(http.events_per_second)}, p99 ${http.latency_ms.p99.toFixed(1)} ms`, '-', '-',
    '> 250k/s, p99 < 20 ms', http.events_per_second > 250e3 && http.latency_ms.p99 < 20);
}

// Journeys: the runtime on one partition and on N, and event -> send at half the maximum ingest.
const jr = read('journeys-signpost.json');
if (jr?.runtime) {
  const rt = jr.runtime;
  const n = rt.partitions ?? 1;
  const one = rt.events_per_second_1 ?? rt.events_per_second;
  const all = rt.events_per_second_n ?? rt.events_per_second;
  add(`journey runtime, 100 journeys, ${(rt.profiles ?? 0).toLocaleString('en')} profiles`,
    `${rate(all)} on ${n} partition${n === 1 ? '' : 's'}`, `1 partition: ${rate(one)}`, times(all / one),
    '> 1M/s on every core', all > 1e6);
  const lat = (jr.latency ?? []).filter((l) => !l.error);
  const half = lat.find((l) => l.half_of_max) ?? lat[0];
  if (half) {
    const p99 = half.first_send_ms.p99;
    add(`event -> send @ ${rate(half.offered_events_per_second)}`, `p99 ${p99.toFixed(1)} ms`,
      half.max_journey_lag_events != null
        ? `max ingest ${rate(jr.max_ingest_events_per_second)}; backlog max ${half.max_journey_lag_events} events`
        : '-', '-',
      'p99 < 100 ms at half the maximum ingest', p99 < 100);
  }
} else if (jr) {
  add('journey runtime', 'FAILED', '-', '-', '> 1M/s', false);
}

// Step segments: the journeys runtime without and with live step segments (the cost on events/s).
const st = read('steps-signpost.json');
if (st?.step_segments) {
  const r = st.step_segments;
  add(`journey runtime + ${r.funnels} step segments, ${(r.events ?? 0).toLocaleString('en')} events, per CPU second`,
    rate(r.events_per_cpu_second_with), `without: ${rate(r.events_per_cpu_second_without)}`,
    times(r.events_per_cpu_second_with / r.events_per_cpu_second_without), `cost ${r.cost_percent.toFixed(1)}%`, null);
} else if (st) {
  add('journey runtime + step segments', 'FAILED', '-', '-', '-', false);
}

// Funnels, index build and rebuild: per size.
const sizes = [...new Set(fs.readdirSync(runDir).map((f) => f.match(/^funnel-(\d+)-/)?.[1]).filter(Boolean))]
  .map(Number).sort((a, b) => a - b);
for (const events of sizes) {
  const [ours, dk, ch] = ['signpost', 'duckdb', 'clickhouse'].map((e) => read(`funnel-${events}-${e}.json`));
  const label = events >= 1e6 ? `${events / 1e6}M` : events.toLocaleString('en');
  if (!ours?.best_seconds) {
    add(`5-step funnel, ${label} events`, 'FAILED', '-', '-', '>= 50x ClickHouse', false);
    continue;
  }
  const vsCh = ch?.best_seconds ? ch.best_seconds / ours.best_seconds : null;
  const vsDk = dk?.best_seconds ? dk.best_seconds / ours.best_seconds : null;
  if (ours.first_query_seconds != null) {
    const vsChFirst = ch?.best_seconds ? ch.best_seconds / ours.first_query_seconds : null;
    add(`5-step funnel, ${label} events, first run of the steps`, secs(ours.first_query_seconds),
      `ClickHouse ${secs(ch?.best_seconds)}`, times(vsChFirst),
      `(2nd run builds the step projection: ${secs(ours.projection_build_query_seconds)})`, null);
  }
  add(`5-step funnel, ${label} events${ours.first_query_seconds != null ? ', repeated' : ''}`, secs(ours.best_seconds),
    `ClickHouse ${secs(ch?.best_seconds)}, DuckDB ${secs(dk?.best_seconds)}`,
    `${times(vsCh)} / ${times(vsDk)}`, '>= 50x ClickHouse', vsCh != null && vsCh >= 50);
  const peerLoad = Math.min(...[dk?.load_seconds, ch?.load_seconds].filter((x) => x > 0));
  add(`index build, ${label} events (CSV)`, secs(ours.load_seconds),
    `DuckDB ${secs(dk?.load_seconds)}, ClickHouse ${secs(ch?.load_seconds)}`,
    Number.isFinite(peerLoad) ? times(peerLoad / ours.load_seconds) : '-', 'faster than both',
    Number.isFinite(peerLoad) && ours.load_seconds < peerLoad);
  if (ours.index_rebuild_events_per_second != null) {
    add(`index rebuilt from the store at open, ${label}`, rate(ours.index_rebuild_events_per_second), '-', '-',
      '> 5M/s', ours.index_rebuild_events_per_second > 5e6);
  }
  if (ours.bytes_per_event != null) {
    add(`index memory, ${label} events`, `${ours.bytes_per_event.toFixed(1)} B/event`, '-', '-', '-', null);
  }
}

// The dedup table (bench/dedup_bench): memory per stored message id, empty slots included, its range
// over growth, and the slot's size in bits.
const dd = read('dedup-signpost.json');
if (dd?.bytes_per_id != null) {
  add(`dedup table, ${(dd.ids ?? 0).toLocaleString('en')} ids`,
    dd.bytes_per_id_most != null
      ? `${dd.bytes_per_id.toFixed(1)} B/event (${dd.bytes_per_id_least.toFixed(1)}-${dd.bytes_per_id_most.toFixed(1)} over growth, ${dd.slot_bits}-bit slots)`
      : `${dd.bytes_per_id.toFixed(1)} B/event (${dd.slot_bytes} B slots)`,
    '-', '-', '<= 8 B/event', dd.bytes_per_id <= 8 && (dd.bytes_per_id_most ?? 0) <= 8);
}

// Delivery (bench/delivery_bench, issue 14): connections kept per channel and N workers against a new
// connection per message and one worker (how delivery worked before), per channel and provider latency.
const deliveryFile = path.join(runDir, 'delivery-signpost.json');
if (fs.existsSync(deliveryFile)) {
  const results = fs.readFileSync(deliveryFile, 'utf8').split('\n').filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  for (const channel of ['smtp', 'webhook']) {
    for (const latency of [...new Set(results.map((r) => r.latency_ms))]) {
      const pick = (mode, parallel) => results.find((r) => r.channel === channel && r.latency_ms === latency &&
        r.mode === mode && (parallel ? r.workers > 1 : r.workers === 1));
      const before = pick('new-connection', false);
      const after = pick('reuse', true);
      if (!before || !after) continue;
      add(`delivery ${channel}, provider ${latency} ms: kept conns, ${after.workers} workers`,
        `${after.messages_per_s.toFixed(0)} msg/s`, `before: ${before.messages_per_s.toFixed(0)} msg/s`,
        times(after.messages_per_s / before.messages_per_s), 'faster than one connection per message',
        after.messages_per_s > before.messages_per_s);
    }
  }
}

if (rows.length) {
  const w = [52, 27, 52, 17, 38];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(Math.max(w[i], String(c).length + 2))).join('').trimEnd();
  console.log('\nPerformance (issue 18): ours, the peer in the same run, ratio (> 1x = we are ahead)');
  console.log(line(['workload', 'signpost', 'peer', 'ratio', 'goal']));
  for (const r of rows) {
    const mark = r.met == null ? '' : r.met ? '  met' : '  NOT met';
    console.log(line([r.workload, r.ours, r.peer, r.ratio, r.goal]) + mark);
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify({ machine: read('machine.json'), rows }, null, 2)}\n`);
  console.log(`\nwritten: ${outFile}`);
}
