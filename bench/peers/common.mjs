// Shared by the benchmark peers: command-line flags, timing, and the one JSON line each prints.
// Flags: --data FILE.csv --steps 'e1,e2,...' --window-ms W [--runs 5] [--threads 2]
import { performance } from 'node:perf_hooks';

// Returns {data, steps[], windowMs, runs, threads}; exits with a message on a bad flag.
export function parseFlags(argv, usage) {
  const flags = { runs: 5, threads: 2, windowMs: 7 * 86400000, steps: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${name} needs a value\n${usage}`);
    if (name === '--data') flags.data = value;
    else if (name === '--steps') flags.steps = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (name === '--window-ms') flags.windowMs = Number(value);
    else if (name === '--runs') flags.runs = Number(value);
    else if (name === '--threads') flags.threads = Number(value);
    else fail(`unknown flag ${name}\n${usage}`);
  }
  if (!flags.data || flags.steps.length === 0) fail(usage);
  if (!Number.isSafeInteger(flags.windowMs) || flags.windowMs < 0) fail('--window-ms must be an integer >= 0');
  if (!(flags.runs >= 1) || !(flags.threads >= 1)) fail('--runs and --threads must be >= 1');
  return flags;
}

export function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

// Runs fn (async or not) once and returns [seconds, result].
export async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return [(performance.now() - t0) / 1000, result];
}

// One warm-up, then `runs` timed runs of query(); every run must give the same step counts.
// Returns {query_seconds, best_seconds, steps}.
export async function warmupAndRun(runs, query) {
  const steps = await query();
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const [s, again] = await timed(query);
    if (JSON.stringify(again) !== JSON.stringify(steps)) {
      fail(`run ${i + 1} gave ${JSON.stringify(again)}, the warm-up ${JSON.stringify(steps)}`);
    }
    seconds.push(Number(s.toFixed(4)));
  }
  return { query_seconds: seconds, best_seconds: Math.min(...seconds), steps };
}

// SQL string literal.
export function quote(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}
