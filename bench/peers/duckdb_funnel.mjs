// DuckDB peer of the funnel benchmark (@duckdb/node-api, in-memory database).
//   node bench/peers/duckdb_funnel.mjs --data events.csv --steps 'a,b,c,d,e' --window-ms 604800000
// Loads the CSV (profile_id,ts_ms,event) into a table (load_seconds), then runs the ordered
// any-attempt funnel: for every step-1 event (an attempt), chained ASOF joins find the earliest
// step-2 event after it, the earliest step-3 after that, and so on (earliest is optimal for a fixed
// start); an attempt reaches step k when the k-th found time is <= its step-1 time + window
// (inclusive); a profile's level is its best attempt's (ClickHouse windowFunnel semantics).
// Prints one JSON line: {"engine":"duckdb",...,"best_seconds":m,"steps":[c1..cn],"sql":"..."}.
import { DuckDBInstance } from '@duckdb/node-api';
import { parseFlags, timed, warmupAndRun, quote } from './common.mjs';

const flags = parseFlags(process.argv.slice(2),
  'usage: duckdb_funnel.mjs --data FILE.csv --steps a,b,c --window-ms W [--runs 5] [--threads 2]');

// The funnel query. With steps a,b,c it reads:
//   WITH s1 AS (SELECT profile_id, ts_ms AS t1 FROM events WHERE event = 'a'),
//        e2 AS (SELECT profile_id, ts_ms FROM events WHERE event = 'b'), e3 AS (...),
//        a2 AS (SELECT s1.*, e2.ts_ms AS t2 FROM s1 ASOF LEFT JOIN e2
//               ON e2.profile_id = s1.profile_id AND e2.ts_ms > s1.t1),
//        a3 AS (SELECT a2.*, e3.ts_ms AS t3 FROM a2 ASOF LEFT JOIN e3
//               ON e3.profile_id = a2.profile_id AND e3.ts_ms > a2.t2),
//        levels AS (SELECT profile_id, max(1 + coalesce(t2 <= t1 + W, false)::INT
//                          + coalesce(t2 <= t1 + W AND t3 <= t1 + W, false)::INT) AS level
//                   FROM a3 GROUP BY profile_id)
//   SELECT count(*) FILTER (WHERE level >= 1), count(*) FILTER (WHERE level >= 2), ... FROM levels
export function funnelSql(steps, windowMs) {
  const n = steps.length;
  const ctes = [`s1 AS (SELECT profile_id, ts_ms AS t1 FROM events WHERE event = ${quote(steps[0])})`];
  for (let k = 2; k <= n; k++) {
    ctes.push(`e${k} AS (SELECT profile_id, ts_ms FROM events WHERE event = ${quote(steps[k - 1])})`);
  }
  let prev = 's1';
  for (let k = 2; k <= n; k++) {
    const prevTime = k === 2 ? 't1' : `t${k - 1}`;
    ctes.push(`a${k} AS (SELECT ${prev}.*, e${k}.ts_ms AS t${k} FROM ${prev} ASOF LEFT JOIN e${k} ` +
      `ON e${k}.profile_id = ${prev}.profile_id AND e${k}.ts_ms > ${prev}.${prevTime})`);
    prev = `a${k}`;
  }
  // Step k counts only when steps 2..k all fall inside the window (an ASOF join whose key time
  // is NULL may still match, so a later time alone proves nothing).
  const reached = [];
  for (let k = 2; k <= n; k++) {
    const inside = [];
    for (let j = 2; j <= k; j++) inside.push(`t${j} <= t1 + ${windowMs}`);
    reached.push(`coalesce(${inside.join(' AND ')}, false)::INT`);
  }
  ctes.push(`levels AS (SELECT profile_id, max(${['1', ...reached].join(' + ')}) AS level ` +
    `FROM ${prev} GROUP BY profile_id)`);
  const counts = steps.map((_, i) => `count(*) FILTER (WHERE level >= ${i + 1})`);
  return `WITH ${ctes.join(',\n  ')}\nSELECT ${counts.join(', ')} FROM levels`;
}

const instance = await DuckDBInstance.create(':memory:', { threads: String(flags.threads) });
const db = await instance.connect();
const version = (await db.runAndReadAll('SELECT version()')).getRows()[0][0];
const loadSql = `CREATE TABLE events AS SELECT * FROM read_csv(${quote(flags.data)}, header = true, ` +
  `columns = {'profile_id': 'UBIGINT', 'ts_ms': 'BIGINT', 'event': 'VARCHAR'})`;
const [loadSeconds] = await timed(() => db.run(loadSql));
const stats = (await db.runAndReadAll('SELECT count(*), count(DISTINCT profile_id) FROM events')).getRows()[0];
const sql = funnelSql(flags.steps, flags.windowMs);
const result = await warmupAndRun(flags.runs, async () => {
  const row = (await db.runAndReadAll(sql)).getRows()[0];
  return row.map(Number);
});
console.log(JSON.stringify({
  engine: 'duckdb', version, threads: flags.threads, events: Number(stats[0]), profiles: Number(stats[1]),
  load_seconds: Number(loadSeconds.toFixed(4)), ...result, sql,
}));
