// Turns the JSON lines bench/run.sh collected into the printed tables and bench/results/latest.json.
//   node bench/report.mjs RUN_DIR OUT.json
// RUN_DIR holds funnel-<events>-<engine>.json, import-<engine>.json, http-signpost.json and
// machine.json (each one JSON line, as the programs printed it). Exit code 1 when two engines gave
// different funnel step counts on the same file, or an expected result is missing; else 0.
import fs from 'node:fs';
import path from 'node:path';

const [runDir, outFile] = process.argv.slice(2);
const read = (name) => {
  const file = path.join(runDir, name);
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8').trim();
  try {
    return JSON.parse(text);  // one document, maybe pretty-printed (signpost --json)
  } catch {
    // else the last one-line JSON document among other output
  }
  try {
    return JSON.parse(text.split('\n').filter((l) => l.startsWith('{')).pop());
  } catch {
    return { error: `could not parse ${name}: ${text.slice(0, 300)}` };
  }
};
const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(1)}k`);
const pad = (s, n) => String(s).padEnd(n);
// How a peer's time compares with signpost's: "12.3x slower" (signpost faster) or "2.0x faster".
const versus = (peerSeconds, oursSeconds) => {
  if (!peerSeconds || !oursSeconds) return '-';
  const r = peerSeconds / oursSeconds;
  return r >= 1 ? `${r.toFixed(1)}x slower` : `${(1 / r).toFixed(1)}x faster`;
};
const lpad = (s, n) => String(s).padStart(n);
let failed = false;
const report = { machine: read('machine.json'), funnel: [], import: {}, http_ingest: null, checks: [] };

// Funnels: one table per data size.
const sizes = [...new Set(fs.readdirSync(runDir).map((f) => f.match(/^funnel-(\d+)-/)?.[1]).filter(Boolean))]
  .map(Number).sort((a, b) => a - b);
for (const events of sizes) {
  const rows = ['signpost', 'duckdb', 'clickhouse'].map((engine) => ({ engine, r: read(`funnel-${events}-${engine}.json`) }));
  const ours = rows[0].r;
  console.log(`\nFunnel: 5 ordered steps, 7-day window, any attempt; ${events.toLocaleString('en')} events`);
  console.log(`${pad('engine', 12)}${lpad('load s', 9)}${lpad('best s', 9)}${lpad('events/s', 11)}${lpad('vs signpost', 13)}  steps`);
  const entry = { events, profiles: ours?.profiles, engines: {} };
  for (const { engine, r } of rows) {
    if (!r || r.error || !Array.isArray(r.steps)) {
      console.log(`${pad(engine, 12)}  FAILED: ${r?.error ?? 'no result'}`);
      failed = true;
      entry.engines[engine] = { error: r?.error ?? 'no result' };
      continue;
    }
    const ratio = ours?.best_seconds ? r.best_seconds / ours.best_seconds : null;
    const ratioText = engine === 'signpost' ? '1.0x' : versus(r.best_seconds, ours?.best_seconds);
    console.log(`${pad(engine, 12)}${lpad(r.load_seconds?.toFixed(2) ?? '-', 9)}${lpad(r.best_seconds.toFixed(3), 9)}` +
      `${lpad(fmtRate(events / r.best_seconds), 11)}${lpad(ratioText, 13)}  [${r.steps.join(', ')}]`);
    entry.engines[engine] = { ...r, events_per_second: Math.round(events / r.best_seconds), ratio_vs_signpost: ratio };
  }
  const answers = rows.filter((x) => Array.isArray(x.r?.steps)).map((x) => `${x.engine}=${JSON.stringify(x.r.steps)}`);
  const same = new Set(rows.filter((x) => Array.isArray(x.r?.steps)).map((x) => JSON.stringify(x.r.steps))).size === 1;
  entry.identical_results = same && answers.length === rows.length;
  if (!entry.identical_results) {
    console.log(`!!! RESULTS DIFFER on ${events} events: ${answers.join('  ')}`);
    failed = true;
  } else {
    console.log('identical step counts from all three engines');
  }
  const duck = entry.engines.duckdb?.ratio_vs_signpost;
  if (duck) {
    const check = { bar: `funnel >= 10x faster than DuckDB (${events} events)`, value: Number(duck.toFixed(2)), met: duck >= 10 };
    report.checks.push(check);
  }
  report.funnel.push(entry);
}

// Import.
const imp = { signpost: read('import-signpost.json'), duckdb: read('import-duckdb.json') };
if (imp.signpost || imp.duckdb) {
  console.log('\nBulk import: the same events as Segment NDJSON');
  console.log(`${pad('engine', 12)}${lpad('events', 12)}${lpad('seconds', 10)}${lpad('events/s', 11)}${lpad('vs signpost', 13)}`);
  for (const [engine, r] of Object.entries(imp)) {
    if (!r || r.error || !r.seconds) {
      console.log(`${pad(engine, 12)}  FAILED: ${r?.error ?? 'no result'}`);
      failed = true;
      continue;
    }
    const events = r.events ?? r.accepted;
    const rate = events / r.seconds;
    const ratio = engine === 'signpost' ? '1.0x' : versus(r.seconds, imp.signpost?.seconds);
    console.log(`${pad(engine, 12)}${lpad(events, 12)}${lpad(r.seconds.toFixed(2), 10)}${lpad(fmtRate(rate), 11)}${lpad(ratio, 13)}`);
    report.import[engine] = { ...r, events, events_per_second: Math.round(rate) };
    if (engine === 'duckdb' && r.memory_seconds) {  // the durable figure above; this one beside it
      const label = 'duckdb in memory (not durable)';
      console.log(`${pad(label, 12)}${lpad(events, 12)}${lpad(r.memory_seconds.toFixed(2), 10)}${lpad(fmtRate(events / r.memory_seconds), 11)}${lpad(versus(r.memory_seconds, imp.signpost?.seconds), 13)}`);
    }
  }
  const counts = Object.entries(report.import).map(([engine, r]) => `${engine}=${r.events}`);
  if (new Set(Object.values(report.import).map((r) => r.events)).size > 1 || (imp.signpost?.rejected ?? 0) > 0) {
    console.log(`!!! IMPORT COUNTS DIFFER: ${counts.join('  ')} (signpost rejected ${imp.signpost?.rejected ?? 0})`);
    failed = true;
  }
  const ours = report.import.signpost;
  if (ours) report.checks.push({ bar: 'bulk import > 1M events/s', value: ours.events_per_second, met: ours.events_per_second > 1e6 });
}

// HTTP ingest.
const http = read('http-signpost.json');
if (http) {
  report.http_ingest = http;
  if (http.error || !http.events_per_second) {
    console.log(`\nHTTP ingest: FAILED: ${http.error ?? http.first_error ?? 'no result'}`);
    failed = true;
  } else {
    console.log(`\nHTTP ingest: POST /v1/batch, ${http.batch} events a request, ${http.threads} client threads, ${http.seconds.toFixed(1)} s`);
    console.log(`  ${fmtRate(http.events_per_second)} events/s, ${http.requests_per_second.toFixed(0)} requests/s, ` +
      `latency p50 ${http.latency_ms.p50.toFixed(2)} ms, p99 ${http.latency_ms.p99.toFixed(2)} ms, errors ${http.errors}`);
    report.checks.push({ bar: 'HTTP ingest > 200k events/s', value: Math.round(http.events_per_second), met: http.events_per_second > 2e5 });
  }
}

console.log('\nQuality bars (docs/CONTRACT.md §9):');
for (const c of report.checks) console.log(`  ${c.met ? 'met    ' : 'NOT met'}  ${c.bar}: ${c.value}`);
report.ok = !failed;
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${outFile}`);
process.exit(failed ? 1 : 0);
