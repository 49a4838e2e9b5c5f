// DuckDB peer of the import benchmark: the same NDJSON file of Segment track events read with
// read_json into a table (in memory), timed. Prints one JSON line:
//   {"engine":"duckdb","bench":"import","events":n,"seconds":s,"events_per_second":r,"sql":"..."}
//   node bench/peers/duckdb_import.mjs --data events.ndjson [--threads 2]
import { DuckDBInstance } from '@duckdb/node-api';
import { fail, timed, quote } from './common.mjs';

const args = process.argv.slice(2);
let data;
let threads = 2;
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === '--data') data = args[i + 1];
  else if (args[i] === '--threads') threads = Number(args[i + 1]);
  else fail(`unknown flag ${args[i]}\nusage: duckdb_import.mjs --data FILE.ndjson [--threads 2]`);
}
if (!data) fail('usage: duckdb_import.mjs --data FILE.ndjson [--threads 2]');

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const db = await instance.connect();
const version = (await db.runAndReadAll('SELECT version()')).getRows()[0][0];
// Every field typed, as a store must keep them; properties stays JSON (its keys vary by event).
const sql = `CREATE TABLE events AS SELECT * FROM read_json(${quote(data)}, format = 'newline_delimited', ` +
  `columns = {type: 'VARCHAR', messageId: 'VARCHAR', userId: 'VARCHAR', event: 'VARCHAR', ` +
  `timestamp: 'TIMESTAMPTZ', properties: 'JSON', context: 'JSON'})`;
const [seconds] = await timed(() => db.run(sql));
const events = Number((await db.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
console.log(JSON.stringify({
  engine: 'duckdb', bench: 'import', version, threads, events, seconds: Number(seconds.toFixed(4)),
  events_per_second: Math.round(events / seconds), sql,
}));
