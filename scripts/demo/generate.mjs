#!/usr/bin/env node
// Generates the demo store's input: onboarding events for a few thousand profiles over the last
// N days (NDJSON for `signpost import`), and the definitions with dates filled in relative to now.
//
// Usage: node generate.mjs OUT_DIR [--profiles 3000] [--days 30] [--seed 7] [--now ISO]
// Writes OUT_DIR/events.ndjson and OUT_DIR/<name>.yaml for every template in definitions/.
// Deterministic for a given seed and --now (the browser tests pass both).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOUR = 3600e3;
const DAY = 24 * HOUR;

function parseArgs(argv) {
  const opts = { out: null, profiles: 3000, days: 30, seed: 7, now: Date.now() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a}: missing value`);
      return argv[++i];
    };
    if (a === '--profiles') opts.profiles = Number(value());
    else if (a === '--days') opts.days = Number(value());
    else if (a === '--seed') opts.seed = Number(value());
    else if (a === '--now') opts.now = Date.parse(value());
    else if (!a.startsWith('--') && !opts.out) opts.out = a;
    else throw new Error(`unknown argument ${a}; usage: generate.mjs OUT_DIR [--profiles N] [--days N] [--seed N] [--now ISO]`);
  }
  if (!opts.out) throw new Error('usage: generate.mjs OUT_DIR [--profiles N] [--days N] [--seed N] [--now ISO]');
  if (!(opts.profiles > 0) || !(opts.days > 0) || Number.isNaN(opts.now)) {
    throw new Error('--profiles and --days must be positive numbers, --now an ISO 8601 time');
  }
  return opts;
}

// mulberry32: a small seeded generator, so the demo is the same on every machine.
function makeRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    pick: (weighted) => {
      const total = weighted.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of weighted) if ((r -= w) < 0) return v;
      return weighted[weighted.length - 1][0];
    },
    // A log-normal delay around `median` ms (spread: the sigma of the log).
    delay: (median, spread) => {
      const u = Math.max(next(), 1e-9), v = next();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.round(median * Math.exp(spread * normal));
    },
  };
}

// Acquisition sources and how well each converts at each step (verify, profile, order).
const SOURCES = [
  ['ads', 35, [0.70, 0.62, 0.38]],
  ['organic', 25, [0.82, 0.70, 0.52]],
  ['newsletter', 15, [0.88, 0.74, 0.58]],
  ['referral', 15, [0.85, 0.78, 0.60]],
  ['blog', 10, [0.66, 0.55, 0.33]],
];
const PLATFORMS = [['web', 55], ['ios', 28], ['android', 17]];
const COUNTRIES = [['US', 40], ['DE', 15], ['GB', 15], ['FR', 10], ['IN', 10], ['BR', 10]];
const ZONES = { US: 'America/New_York', DE: 'Europe/Berlin', GB: 'Europe/London', FR: 'Europe/Paris', IN: 'Asia/Kolkata', BR: 'America/Sao_Paulo' };

function generateEvents({ profiles, days, seed, now }) {
  const rnd = makeRandom(seed);
  const start = now - days * DAY;
  const events = [];
  let seq = 0;
  const emit = (userId, at, body) => {
    if (at > now) return false;  // nothing from the future
    events.push({ messageId: `demo-${seed}-${++seq}`, userId, timestamp: new Date(at).toISOString(), ...body });
    return true;
  };
  for (let i = 1; i <= profiles; i++) {
    const user = `demo-user-${String(i).padStart(5, '0')}`;
    const [source, , rates] = rnd.pick(SOURCES.map((row) => [row, row[1]]));
    const platform = rnd.pick(PLATFORMS);
    const country = rnd.pick(COUNTRIES);
    // More sign-ups on weekdays and in recent weeks (the product is growing).
    let t0;
    do {
      t0 = start + Math.pow(rnd.next(), 0.8) * (now - start);
    } while ([0, 6].includes(new Date(t0).getUTCDay()) && rnd.chance(0.35));
    const context = { campaign: { source }, device: { type: platform } };
    // Some give a phone number and agree to texts: the finish-profile journey can then pick SMS.
    const phone = rnd.chance(0.6) ? `+1555${String(i).padStart(7, '0')}` : null;
    const smsConsent = phone !== null && rnd.chance(0.75);
    emit(user, t0 - 1000, {
      type: 'identify',
      traits: {
        email: `${user}@example.com`, plan: 'trial', country, timezone: ZONES[country],
        ...(phone ? { phone } : {}),
        consent: { email: rnd.chance(0.92), sms: smsConsent },
      },
      context,
    });
    emit(user, t0, { type: 'track', event: 'Signed Up', properties: { platform }, context });
    let t = t0;
    // Some browse between steps: a strict funnel counts them as breaking the chain.
    const browse = () => {
      if (rnd.chance(0.25)) emit(user, t + rnd.delay(2 * 60e3, 0.8), { type: 'track', event: 'Page Viewed', properties: { path: '/pricing' }, context });
    };
    browse();
    if (!rnd.chance(rates[0])) continue;
    t += rnd.delay(25 * 60e3, 1.4);
    if (!emit(user, t, { type: 'track', event: 'Email Verified', context })) continue;
    browse();
    // People who take texts finish their profile more often (an SMS nudge is seen at once): the
    // finish-profile journey's channel optimization has a better channel to find.
    if (!rnd.chance(rates[1] + (smsConsent ? 0.15 : -0.10))) continue;
    t += rnd.delay(6 * HOUR, 1.3);
    if (!emit(user, t, { type: 'track', event: 'Profile Completed', properties: { fields: 4 + Math.floor(rnd.next() * 6) }, context })) continue;
    if (!rnd.chance(rates[2] + 0.1)) continue;
    // Carts: some pay at once, others abandon first; of those, some come back (the journey's goal).
    let carts = 1 + (rnd.chance(0.3) ? 1 : 0);
    let ordered = false;
    while (carts-- > 0) {
      t += rnd.delay(2.5 * DAY, 0.9);
      const cart = `cart-${i}-${carts}`;
      const total = Math.round(15 + rnd.next() * 140);
      if (rnd.chance(0.45)) {
        if (!emit(user, t, { type: 'track', event: 'Cart Abandoned', properties: { cart_id: cart, total, items: 1 + Math.floor(rnd.next() * 4) }, context })) break;
        if (!rnd.chance(0.42)) continue;
        t += rnd.delay(14 * HOUR, 1.2);
      }
      if (!emit(user, t, { type: 'track', event: 'Order Completed', properties: { cart_id: cart, total, revenue: total, first: !ordered }, context })) break;
      ordered = true;
    }
  }
  events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return events;
}

// The definitions: every definitions/*.yaml with ${START} (days ago, midnight UTC) filled in.
function writeDefinitions(out, { days, now }) {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'definitions');
  const startDay = new Date(now - days * DAY);
  startDay.setUTCHours(0, 0, 0, 0);
  const written = [];
  for (const name of readdirSync(here).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(here, name), 'utf8').replaceAll('${START}', startDay.toISOString());
    writeFileSync(join(out, name), text);
    written.push(name);
  }
  return written;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.out, { recursive: true });
  const events = generateEvents(opts);
  writeFileSync(join(opts.out, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const defs = writeDefinitions(opts.out, opts);
  console.log(`demo: ${events.length} events of ${opts.profiles} profiles over ${opts.days} days; definitions ${defs.join(', ')}`);
}

try {
  main();
} catch (e) {
  console.error(`demo: ${e.message}`);
  process.exit(2);
}
