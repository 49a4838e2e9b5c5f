// The parts of bench/run.sh without a peer: prints each part's table from the output its program
// left in the run folder, and writes bench/results/<part>.json (the machine, then the result).
//   node bench/print.mjs PART RESULT MACHINE OUT
// PART is journeys, steps, erase, dedup, delivery, catalog, drivers or health. RESULT is what the
// part's program printed: its last line is the JSON result (delivery: every line starting with
// `{`; health: every line; catalog: the whole file). MACHINE is run.sh's machine.json (`null` in
// OUT when it cannot be read). drivers and health print no table (their programs print theirs).
// Exit code 1 when the part left no result (it prints "<Part>: FAILED: ..."), 2 for an unknown
// PART; OUT is written only on success.
import fs from 'node:fs';

const [part, file, machineFile, out] = process.argv.slice(2);

// The last line of RESULT as JSON, through `pick`; when that fails, prints
// "<title>: FAILED: no result from <program>" and exits 1.
const lastResult = (title, program, pick = (r) => r) => {
  try {
    return pick(JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').pop()));
  } catch (e) {
    console.log(`\n${title}: FAILED: no result from ${program}`);
    process.exit(1);
  }
};

// OUT: {machine, ...result}.
const write = (result) => {
  let machine = null;
  try {
    machine = JSON.parse(fs.readFileSync(machineFile, 'utf8'));
  } catch {}
  fs.writeFileSync(out, JSON.stringify({ machine, ...result }, null, 2) + '\n');
};

const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);

const parts = {
  // journeys_bench: the runtime, goal attribution and event -> send latency ("ours" only).
  journeys() {
    const r = lastResult('Journeys', 'journeys_bench');
    const rt = r.runtime, g = r.goals;
    console.log(`\nJourneys: 100 live journeys, ${rt.profiles.toLocaleString('en')} profiles, ${rt.events.toLocaleString('en')} events (no peer: nothing comparable runs journeys locally)`);
    console.log(`${'part'.padEnd(30)}${'ours'.padStart(14)}  detail`);
    console.log(`${'runtime events/s'.padEnd(30)}${rate(rt.events_per_second).padStart(14)}  ${rate(rt.events_per_cpu_second)} per CPU second; ${rt.entries} entries, ${rt.messages} messages, ${rt.timers_fired} timers, peak RSS ${rt.peak_rss_mb} MB (goal: > 500k/s)`);
    console.log(`${'goal attribution events/s'.padEnd(30)}${rate(g.goal_events_per_second).padStart(14)}  goal events; ${rate(g.history_events_per_second)} history events/s; added p50 ${g.added_latency_us.p50.toFixed(1)} us, p99 ${g.added_latency_us.p99.toFixed(1)} us`);
    for (const l of r.latency ?? []) {
      if (l.error) { console.log(`${'event -> send'.padEnd(30)}${'FAILED'.padStart(14)}  ${l.error}`); continue; }
      console.log(`${`event -> send @ ${rate(l.offered_events_per_second)}/s`.padEnd(30)}${`p99 ${l.first_send_ms.p99.toFixed(1)} ms`.padStart(14)}  p50 ${l.first_send_ms.p50.toFixed(1)} ms; achieved ${rate(l.achieved_events_per_second)}/s; ${l.triggers_with_both_sends}/${l.triggers} triggers fully sent; in the outbox (journey thread done) p50 ${l.outbox_ms?.p50} ms, p99 ${l.outbox_ms?.p99} ms (goal: p99 < 10 ms)`);
    }
    write(r);
  },

  // journeys_bench --only-step-segments: the runtime without and with live step segments.
  steps() {
    const r = lastResult('Step segments', 'journeys_bench --only-step-segments', (x) => x.step_segments);
    console.log(`\nStep segments: ${r.funnels} funnels with a live step segment (stuck at step 2 > 1d) on the journeys runtime, ${r.profiles.toLocaleString('en')} profiles, ${r.events.toLocaleString('en')} events (no peer)`);
    console.log(`${'part'.padEnd(30)}${'ours'.padStart(14)}  detail`);
    console.log(`${'events per CPU s, without'.padEnd(30)}${rate(r.events_per_cpu_second_without).padStart(14)}  100 live journeys (best of ${r.runs} runs, alternating)`);
    console.log(`${'events per CPU s, with'.padEnd(30)}${rate(r.events_per_cpu_second_with).padStart(14)}  + ${r.funnels} step segments: ${r.step_segment_entries} entries at their instants; cost ${r.cost_percent.toFixed(1)}%`);
    write(r);
  },

  // erase_bench: 1 person, then a batch, until acknowledged and until physically gone.
  erase() {
    const r = lastResult('Erasure', 'erase_bench');
    console.log(`\nErasure: ${r.events.toLocaleString('en')} events, ${r.profiles.toLocaleString('en')} profiles (no peer)`);
    console.log(`${'erase'.padEnd(30)}${'acknowledged'.padStart(14)}${'physically gone'.padStart(18)}  events erased`);
    for (const [name, x] of [['1 person', r.one], [`${r.batch.people} people, one batch`, r.batch]])
      console.log(`${name.padEnd(30)}${(x.acknowledged_seconds.toFixed(3) + ' s').padStart(14)}${(x.gone_seconds.toFixed(3) + ' s').padStart(18)}  ${x.events_erased}`);
    write(r);
  },

  // dedup_bench: the message-id table's size and rates per CPU-second.
  dedup() {
    const r = lastResult('Dedup table', 'dedup_bench');
    const m = (x) => (x / 1e6).toFixed(2) + 'M';
    console.log(`\nDedup table: ${r.ids.toLocaleString('en')} message ids (no peer; rates per CPU-second)`);
    console.log(`bytes per id ${r.bytes_per_id.toFixed(2)} (${r.bytes_per_id_least.toFixed(2)}-${r.bytes_per_id_most.toFixed(2)} over growth from 1M ids; ${r.slot_bits}-bit slots, ${r.key_bits}-bit keys), insert ${m(r.insert_per_cpu_s)}/s, lookup hit ${m(r.hit_lookup_per_cpu_s)}/s, miss ${m(r.miss_lookup_per_cpu_s)}/s (prefetching batches: ${m(r.hit_lookup_batched_per_cpu_s)}/s, ${m(r.miss_lookup_batched_per_cpu_s)}/s), rebuild ${r.rebuild_cpu_seconds.toFixed(3)} CPU-s, false candidates ${r.false_candidates_per_million_misses.toFixed(0)} per million misses`);
    write(r);
  },

  // delivery_bench: one JSON line per channel, provider latency, mode and workers.
  delivery() {
    let rows = [];
    try { rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)); } catch {}
    if (!rows.length) { console.log('\nDelivery: FAILED: no result from delivery_bench'); process.exit(1); }
    console.log(`\nDelivery: ${rows[0].messages.toLocaleString('en')} messages a run to local sinks (no peer)`);
    console.log(`${'channel'.padEnd(9)}${'latency'.padStart(8)}  ${'mode'.padEnd(16)}${'workers'.padStart(8)}${'messages/s'.padStart(12)}`);
    for (const r of rows)
      console.log(`${r.channel.padEnd(9)}${(r.latency_ms + ' ms').padStart(8)}  ${r.mode.padEnd(16)}${String(r.workers).padStart(8)}${r.messages_per_s.toFixed(0).padStart(12)}`);
    write({ results: rows });
  },

  // catalog_bench: import events/s with the catalog on and off (run.sh calls this only when the
  // program succeeded, so its stdout is the one JSON line).
  catalog() {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    console.log(`\nEvent catalog on import (${r.events} events, best of ${r.runs}): on ${r.on_events_per_second} events/s, off ${r.off_events_per_second} events/s, cost ${r.cost_percent}% (goal: under 5%)`);
    write({ result: r });
  },

  // drivers_bench: the result file only (run.sh prints the program's own table).
  drivers() {
    write(lastResult('Step drivers', 'drivers_bench'));
  },

  // step_health_sim --json, one line per sensitivity: the result file only.
  health() {
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    write({ results: rows });
  },
};

if (!Object.hasOwn(parts, part)) {
  console.error(`usage: node bench/print.mjs ${Object.keys(parts).join('|')} RESULT MACHINE OUT`);
  process.exit(2);
}
parts[part]();
