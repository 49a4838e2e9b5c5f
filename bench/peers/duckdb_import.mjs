// DuckDB peer of the import benchmark: the same NDJSON file of Segment track events read with
// read_json into a table, timed twice on fresh databases:
//  - durable, like `signpost import`: a FILE database (in --dir, default a new folder beside the
//    data file, removed afterwards), `CHECKPOINT` inside the timing, so the rows are in the
//    database file and fsynced when the clock stops. This is the import row's peer figure.
//  - in memory (not durable): what `make bench` compared before issue 18, printed beside it.
// Prints one JSON line:
//   {"engine":"duckdb","bench":"import","events":n,"seconds":s,"events_per_second":r,
//    "durable":true,"duckdb_durable_events_per_second":r,"duckdb_memory_events_per_second":m,
//    "memory_seconds":s,"sql":"..."}
//   node bench/peers/duckdb_import.mjs --data events.ndjson [--threads 2] [--dir FOLDER]
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { fail, timed, quote } from './common.mjs';

const usage = 'usage: duckdb_import.mjs --data FILE.ndjson [--threads 2] [--dir FOLDER]';
const args = process.argv.slice(2);
let data;
let threads = 2;
let dir;
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === '--data') data = args[i + 1];
  else if (args[i] === '--threads') threads = Number(args[i + 1]);
  else if (args[i] === '--dir') dir = args[i + 1];
  else fail(`unknown flag ${args[i]}\n${usage}`);
}
if (!data) fail(usage);

// Every field typed, as a store must keep them; properties stays JSON (its keys vary by event).
const sql = `CREATE TABLE events AS SELECT * FROM read_json(${quote(data)}, format = 'newline_delimited', ` +
  `columns = {type: 'VARCHAR', messageId: 'VARCHAR', userId: 'VARCHAR', event: 'VARCHAR', ` +
  `timestamp: 'TIMESTAMPTZ', properties: 'JSON', context: 'JSON'})`;

// Loads the file into a new database at `location` (':memory:' or a file path); returns
// {seconds, events, version}. `durable`: CHECKPOINT (data in the file, fsynced) inside the timing.
async function load(location, durable) {
  const instance = await DuckDBInstance.create(location, { threads: String(threads) });
  const db = await instance.connect();
  const version = (await db.runAndReadAll('SELECT version()')).getRows()[0][0];
  const [seconds] = await timed(async () => {
    await db.run(sql);
    if (durable) await db.run('CHECKPOINT');
  });
  const events = Number((await db.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  db.closeSync?.();
  instance.closeSync?.();
  return { seconds, events, version };
}

const folder = dir ?? fs.mkdtempSync(path.join(path.dirname(path.resolve(data)), 'duckdb-import-'));
fs.mkdirSync(folder, { recursive: true });
let durable;
try {
  durable = await load(path.join(folder, 'import.duckdb'), true);
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
const memory = await load(':memory:', false);
if (memory.events !== durable.events) fail(`durable and in-memory loads differ: ${durable.events} vs ${memory.events}`);
const rate = (r) => Math.round(r.events / r.seconds);
console.log(JSON.stringify({
  engine: 'duckdb', bench: 'import', version: durable.version, threads, events: durable.events,
  seconds: Number(durable.seconds.toFixed(4)), events_per_second: rate(durable), durable: true,
  duckdb_durable_events_per_second: rate(durable),
  memory_seconds: Number(memory.seconds.toFixed(4)),
  duckdb_memory_events_per_second: rate(memory),
  memory_note: 'in memory (not durable)', sql,
}));
