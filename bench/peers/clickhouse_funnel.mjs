// ClickHouse peer of the funnel benchmark (chdb: ClickHouse embedded, a temporary session).
//   node bench/peers/clickhouse_funnel.mjs --data events.csv --steps 'a,b,c,d,e' --window-ms 604800000
// Loads the CSV (profile_id,ts_ms,event) into a MergeTree table ordered by (profile_id, ts_ms)
// (load_seconds), then runs windowFunnel(window) on the millisecond timestamps: per profile the
// deepest step reached by any attempt, each step after the previous one and within the window
// from step 1. This is the function PostHog ran its funnels on.
// Prints one JSON line: {"engine":"clickhouse",...,"best_seconds":m,"steps":[c1..cn],"sql":"..."}.
import { Session } from 'chdb';
import { parseFlags, timed, warmupAndRun, quote } from './common.mjs';

const flags = parseFlags(process.argv.slice(2),
  'usage: clickhouse_funnel.mjs --data FILE.csv --steps a,b,c --window-ms W [--runs 5] [--threads 2]');

// The funnel query. With steps a,b,c it reads:
//   SELECT countIf(level >= 1), countIf(level >= 2), countIf(level >= 3)
//   FROM (SELECT profile_id, windowFunnel(W)(toUInt64(ts_ms), event = 'a', event = 'b', event = 'c') AS level
//         FROM events WHERE event IN ('a', 'b', 'c') GROUP BY profile_id)
//   SETTINGS max_threads = 2
export function funnelSql(steps, windowMs, threads) {
  const conditions = steps.map((s) => `event = ${quote(s)}`).join(', ');
  const counts = steps.map((_, i) => `countIf(level >= ${i + 1})`).join(', ');
  return `SELECT ${counts}\nFROM (SELECT profile_id, windowFunnel(${windowMs})(toUInt64(ts_ms), ${conditions}) AS level\n` +
    `      FROM events WHERE event IN (${steps.map(quote).join(', ')}) GROUP BY profile_id)\n` +
    `SETTINGS max_threads = ${threads}`;
}

const session = new Session();
try {
  const q = (sql, format = 'CSV') => session.query(sql, format);
  const version = q('SELECT version()', 'TSV').trim();
  q(`CREATE TABLE events (profile_id UInt64, ts_ms Int64, event LowCardinality(String)) ` +
    `ENGINE = MergeTree ORDER BY (profile_id, ts_ms)`);
  const loadSql = `INSERT INTO events SELECT * FROM file(${quote(flags.data)}, CSVWithNames, ` +
    `'profile_id UInt64, ts_ms Int64, event String') SETTINGS max_threads = ${flags.threads}, ` +
    `max_insert_threads = ${flags.threads}`;
  const [loadSeconds] = await timed(() => q(loadSql));
  q('OPTIMIZE TABLE events FINAL');  // one part, as a loaded table settles to; not timed
  const [events, profiles] = q('SELECT count(), uniqExact(profile_id) FROM events', 'TSV').trim().split('\t').map(Number);
  const sql = funnelSql(flags.steps, flags.windowMs, flags.threads);
  const result = await warmupAndRun(flags.runs, () => q(sql, 'TSV').trim().split('\t').map(Number));
  console.log(JSON.stringify({
    engine: 'clickhouse', version, threads: flags.threads, events, profiles,
    load_seconds: Number(loadSeconds.toFixed(4)), ...result, sql,
  }));
} finally {
  session.close();
}
