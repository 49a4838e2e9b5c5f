// Checks the crash test's promise: every acknowledged messageId is stored exactly once.
//   node verify_acked.mjs SIGNPOST_BIN DATA_DIR ACKED_FILE USER_PREFIX PROFILES
// Lists the events of profiles USER_PREFIX0 .. USER_PREFIX<PROFILES-1> with `signpost events`,
// and the total with `signpost events --count`. Exit 0 when: no messageId is stored twice, every
// line of ACKED_FILE is stored, and the total equals what the listed profiles hold. Else 1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const [bin, data, ackedFile, prefix, profiles] = process.argv.slice(2);
const run = (...args) => JSON.parse(execFileSync(bin, [...args, '--data', data, '--json'],
  { encoding: 'utf8', maxBuffer: 1 << 30 }));
const problems = [];
const stored = new Map();  // messageId -> profile it was listed under
let listed = 0;
for (let i = 0; i < Number(profiles); i++) {
  const user = `${prefix}${i}`;
  let events = [];
  try {
    events = run('events', '--profile', user, '--limit', '1000000').events;
  } catch (e) {
    if (!String(e.stderr ?? e).match(/no profile|not found|no such|unknown/i)) throw e;  // a profile never written
  }
  for (const e of events) {
    listed++;
    if (stored.has(e.messageId)) problems.push(`${e.messageId} stored twice (${stored.get(e.messageId)}, ${user})`);
    stored.set(e.messageId, user);
    if (e.userId !== user) problems.push(`${e.messageId} of ${e.userId} listed under ${user}`);
  }
}
const acked = fs.existsSync(ackedFile) ? fs.readFileSync(ackedFile, 'utf8').split('\n').filter(Boolean) : [];
const ackedSet = new Set(acked);
if (ackedSet.size !== acked.length) problems.push(`the client logged ${acked.length - ackedSet.size} messageIds twice`);
let lost = 0;
for (const id of ackedSet) {
  if (!stored.has(id)) {
    if (lost++ < 10) problems.push(`acknowledged ${id} is not stored`);
  }
}
if (lost > 10) problems.push(`... ${lost} acknowledged messageIds lost in all`);
const count = run('events', '--count').count;
if (count !== listed) problems.push(`events --count says ${count}, the profiles list ${listed}`);
console.log(JSON.stringify({ acknowledged: ackedSet.size, stored: stored.size, unacknowledged_but_stored: stored.size - (ackedSet.size - lost), lost, count }));
for (const p of problems.slice(0, 30)) console.error(`crash test: ${p}`);
process.exit(problems.length === 0 && ackedSet.size > 0 ? 0 : 1);
