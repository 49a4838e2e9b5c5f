// The real Segment SDK (@segment/analytics-node) against `signpost serve`: every call type, sent the
// way an engineer's app sends it, must land exactly once on the right profile with the right time.
//   SIGNPOST_BIN=build/signpost node --test tests/sdk/
// Starts its own server on a fresh data folder and a free port; reads the result back with the CLI
// (`signpost profile` / `signpost events`) after the server has stopped (it holds the folder's lock).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analytics } from '@segment/analytics-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.SIGNPOST_BIN ?? path.join(root, 'build/signpost');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signpost-sdk-'));

// Runs a signpost CLI command with --data and --json; returns the parsed JSON.
function cli(...args) {
  const out = execFileSync(bin, [...args, '--data', dataDir, '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

// Starts `signpost serve --port 0`; resolves with {child, url} once it prints "listening on".
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 20 s:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve(code ?? signal));
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15000).unref();
  });
}

// What the SDK sent (every event of every request) and what the server answered.
const sent = [];
const statuses = [];
const errors = [];
let firstRequest = null;

// Fixed past instants, one minute apart in call order (far from the send time, so a timestamp
// taken from the wrong field would show).
const t = (i) => new Date(Date.UTC(2026, 0, 15, 9, i, 0, 123));

before(async () => {
  assert.ok(fs.existsSync(bin), `signpost binary not found at ${bin}; build first or set SIGNPOST_BIN`);
  const { token } = cli('keys', 'create', '--kind', 'write', '--name', 'sdk-test');
  assert.match(token, /\S+/);
  const { child, url } = await startServer();
  try {
    const analytics = new Analytics({
      writeKey: token, host: url, path: '/v1/batch', flushAt: 3, flushInterval: 200, maxRetries: 2,
    });
    analytics.on('http_request', (req) => {
      firstRequest ??= req;
      const body = JSON.parse(req.body);
      for (const e of body.batch) sent.push({ ...e, batchSentAt: body.sentAt });
    });
    analytics.on('http_response', (res) => statuses.push(res.status));
    analytics.on('error', (err) => errors.push(err));

    // Person 1 arrives anonymously, signs up, buys; a second anonymous id is aliased to them later.
    analytics.track({ anonymousId: 'sdk-anon-1', event: 'Product Viewed', properties: { sku: 'A-1' }, timestamp: t(0) });
    analytics.identify({ userId: 'sdk-user-1', anonymousId: 'sdk-anon-1',
      traits: { plan: 'trial', email: 'one@example.com', consent: { email: true } }, timestamp: t(1) });
    analytics.track({ userId: 'sdk-user-1', event: 'Signed Up', properties: { source: 'ads' }, timestamp: t(2) });
    analytics.page({ userId: 'sdk-user-1', name: 'Pricing', properties: { path: '/pricing' }, timestamp: t(3) });
    analytics.group({ userId: 'sdk-user-1', groupId: 'acme', traits: { name: 'Acme Inc' }, timestamp: t(4) });
    analytics.alias({ userId: 'sdk-user-1', previousId: 'sdk-anon-2', timestamp: t(5) });
    analytics.track({ userId: 'sdk-user-1', event: 'Order Completed', properties: { revenue: 42.5 }, timestamp: t(6) });
    // Person 2: must stay a separate profile.
    analytics.identify({ userId: 'sdk-user-2', traits: { plan: 'pro' }, timestamp: t(7) });
    analytics.track({ userId: 'sdk-user-2', event: 'Signed Up', timestamp: t(8) });
    await analytics.closeAndFlush({ timeout: 30000 });

    // A retrying client sends the very same request again: nothing may be stored twice.
    const again = await fetch(firstRequest.url, { method: 'POST', headers: firstRequest.headers, body: firstRequest.body });
    statuses.push(again.status);
  } finally {
    await stopServer(child);
  }
});

after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('the server acknowledged every request the SDK made', () => {
  assert.deepEqual(errors, []);
  assert.ok(statuses.length >= 3, `expected at least 3 requests (flushAt 3), saw ${statuses.length}`);
  for (const s of statuses) assert.equal(s, 200);
  assert.equal(sent.length, 9);
  assert.equal(new Set(sent.map((e) => e.messageId)).size, 9);
});

test('every event landed exactly once, on the right profile, with its timestamp', () => {
  const byUser = { 'sdk-user-1': sent.filter((e) => e.userId !== 'sdk-user-2'), 'sdk-user-2': sent.filter((e) => e.userId === 'sdk-user-2') };
  assert.equal(byUser['sdk-user-1'].length, 7);
  for (const [user, expected] of Object.entries(byUser)) {
    const stored = cli('events', '--profile', user, '--limit', '1000').events;
    assert.equal(stored.length, expected.length, `${user}: stored ${stored.length}, sent ${expected.length}`);
    const storedById = new Map();
    for (const e of stored) {
      assert.ok(!storedById.has(e.messageId), `${user}: ${e.messageId} stored twice`);
      storedById.set(e.messageId, e);
    }
    for (const e of expected) {
      const got = storedById.get(e.messageId);
      assert.ok(got, `${user}: ${e.type} ${e.event ?? ''} (${e.messageId}) is missing`);
      assert.equal(got.type, e.type);
      if (e.event) assert.equal(got.event, e.event);
      // docs/CONTRACT.md §1: timestamp = receivedAt - (sentAt - originalTimestamp), where the SDK's
      // explicit `timestamp` is the original one and sentAt is the batch's. With one clock on both
      // sides the correction is only the transit time, so the result stays within seconds of it.
      const corrected = Date.parse(got.receivedAt) - (Date.parse(e.batchSentAt) - Date.parse(e.timestamp));
      assert.equal(Date.parse(got.timestamp), corrected, `${e.messageId}: skew-corrected timestamp`);
      assert.ok(Math.abs(corrected - Date.parse(e.timestamp)) < 5000, `${e.messageId}: transit under 5 s`);
    }
  }
  assert.equal(cli('events', '--count').count, sent.length);
});

test('identify with both ids and alias link the identities into one profile', () => {
  const one = cli('profile', 'sdk-user-1');
  assert.equal(cli('profile', 'sdk-anon-1').id, one.id, 'anonymousId of identify');
  assert.equal(cli('profile', 'sdk-anon-2').id, one.id, 'previousId of alias');
  assert.notEqual(cli('profile', 'sdk-user-2').id, one.id, 'two userIds must never merge');
  const ids = one.identities.join(' ');
  for (const id of ['sdk-user-1', 'sdk-anon-1', 'sdk-anon-2']) assert.ok(ids.includes(id), `${id} in ${ids}`);
});

test('identify traits are on the profile', () => {
  const one = cli('profile', 'sdk-user-1');
  assert.equal(one.traits.plan?.value ?? one.traits.plan, 'trial');
  assert.equal(cli('profile', 'sdk-user-2').traits.plan?.value ?? cli('profile', 'sdk-user-2').traits.plan, 'pro');
});
