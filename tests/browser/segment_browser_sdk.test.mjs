// The real Segment browser SDK (@segment/analytics-next, its UMD bundle as a web site loads it)
// in headless Chromium against `signpost serve --tls-cert --tls-key --cors-origins`:
// page, track and identify land exactly once, the anonymous events on the identified person's
// profile, over HTTPS and across origins (CORS with preflights); a page on an origin the server
// does not allow cannot send anything.
//   SIGNPOST_BIN=build/signpost node --test tests/browser/segment_browser_sdk.test.mjs
// Nothing leaves the machine: the bundle and its chunks, and the test page, come from a small
// HTTP server on another port (the SDK's `cdnURL`), the SDK's settings are given inline
// (`cdnSettings`), and every request the page makes is checked to go to one of the two servers.
// The certificate is made at test time with the `openssl` binary (scripts/install-deps.sh).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, launchBrowser, startServer } from './lib.mjs';

const BUNDLES = join(ROOT, 'node_modules/@segment/analytics-next/dist/umd');

// The site's page: loads the SDK from its own origin, sends to signpost (`apiHost`), and runs
// `script` (a function of `analytics`) once the SDK is loaded; the outcome goes to window.result.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>shop</title>
<script src="/analytics-next/bundles/index.js"></script></head><body><script>
window.run = async (writeKey, apiHost, script) => {
  const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
    { writeKey, cdnURL: location.origin,
      cdnSettings: { integrations: { 'Segment.io': { apiKey: writeKey } },
                     metrics: { flushTimer: 200, sampleRate: 1 } } },
    { integrations: { 'Segment.io': { apiHost, protocol: 'https' } } });
  return (0, eval)('(' + script + ')')(analytics);
};
</script></body></html>`;

let work, cert, signpost, site, siteUrl, browser, context, writeKey;
const served = [];          // paths the site's server answered
const pageRequests = [];    // every URL the pages asked for
const responses = [];       // { url, status } of the pages' calls to signpost

// Signpost's admin API over HTTPS, checking its certificate against the test's own CA.
function admin(path, method = 'GET', body = '') {
  return new Promise((ok, fail) => {
    const req = request(`${signpost.url}${path}`, {
      method, ca: cert, headers: { Authorization: `Bearer ${signpost.token}`, 'Content-Type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

// Polls `fn` until it returns a truthy value (or `ms` pass): the SDK sends asynchronously.
async function until(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openPage(origin) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('request', (r) => pageRequests.push(r.url()));
  page.on('response', (r) => { if (r.url().startsWith(signpost.url)) responses.push({ url: r.url(), status: r.status() }); });
  await page.goto(`${origin}/`);
  return page;
}

before(async () => {
  assert.ok(existsSync(join(BUNDLES, 'index.js')), 'node_modules is missing @segment/analytics-next: run `make node-deps`');
  work = mkdtempSync(join(tmpdir(), 'signpost-browser-sdk-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(work, 'cert.pem'));

  // The site: the page at /, the SDK's bundle and chunks under /analytics-next/bundles/.
  site = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    served.push(path);
    if (path === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    const m = path.match(/^\/analytics-next\/bundles\/([\w.-]+\.js)$/);
    if (m && existsSync(join(BUNDLES, m[1]))) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return createReadStream(join(BUNDLES, m[1])).pipe(res);
    }
    res.writeHead(404).end();
  });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  siteUrl = `http://127.0.0.1:${site.address().port}`;

  signpost = await startServer({ demo: false, web: false, serveArgs: [
    '--tls-cert', join(work, 'cert.pem'), '--tls-key', join(work, 'key.pem'), '--cors-origins', siteUrl] });
  assert.match(signpost.url, /^https:\/\//);
  const key = await admin('/api/keys', 'POST', JSON.stringify({ kind: 'write', name: 'browser' }));
  assert.equal(key.status, 200);
  writeKey = key.body.token;
  browser = await launchBrowser();
  // Chromium does not know the test's CA; the admin calls above and below do check the certificate.
  context = await browser.newContext({ ignoreHTTPSErrors: true });
});

after(async () => {
  await browser?.close();
  await signpost?.stop();
  await new Promise((ok) => (site ? site.close(ok) : ok()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Segment analytics.js in a browser', () => {
  let sent;  // what the page's SDK reported sending

  test('page, track and identify from an allowed origin land once, on the identified profile', async () => {
    const page = await openPage(siteUrl);
    const apiHost = `${new URL(signpost.url).host}/v1`;
    sent = await page.evaluate(([key, host]) => window.run(key, host, `async (analytics) => {
      const p = await analytics.page('Pricing', { plan: 'pro' });
      const t = await analytics.track('Signed Up', { source: 'ads' });
      const i = await analytics.identify('user-1', { email: 'ada@example.com', plan: 'trial' });
      const ev = (ctx) => ({ type: ctx.event.type, messageId: ctx.event.messageId,
        anonymousId: ctx.event.anonymousId, userId: ctx.event.userId ?? null,
        failed: ctx.failedDelivery() ? String(ctx.failedDelivery().reason) : null });
      return [ev(p), ev(t), ev(i)];
    }`), [writeKey, apiHost]);
    assert.deepEqual(sent.map((e) => [e.type, e.failed]), [['page', null], ['track', null], ['identify', null]]);
    const anon = sent[0].anonymousId;
    assert.ok(anon && sent[1].anonymousId === anon, 'page and track share the anonymous id');
    assert.deepEqual([sent[0].userId, sent[1].userId, sent[2].userId], [null, null, 'user-1']);

    // The SDK's own calls: the one-letter routes with a preflight each, and its telemetry.
    const posted = await until(() => {
      const paths = new Set(responses.map((r) => new URL(r.url).pathname));
      return ['/v1/p', '/v1/t', '/v1/i', '/v1/m'].every((p) => paths.has(p)) && paths;
    });
    assert.ok(posted, `the SDK's calls reached signpost: ${JSON.stringify(responses)}`);
    for (const r of responses) assert.equal(r.status, 200, `${r.url} answered ${r.status}`);

    const stored = await until(async () => {
      const r = await admin('/api/profiles/user-1/events');
      return r.status === 200 && r.body.events.length >= 3 && r.body.events;
    });
    assert.ok(stored, 'the events reached user-1\'s profile');
    assert.deepEqual(stored.map((e) => e.messageId).sort(), sent.map((e) => e.messageId).sort(),
      'each event exactly once');
    const byId = new Map(stored.map((e) => [e.messageId, e]));
    assert.equal(byId.get(sent[0].messageId).type, 'page');
    assert.equal(byId.get(sent[1].messageId).event, 'Signed Up');
    assert.equal(byId.get(sent[2].messageId).type, 'identify');

    const profile = await admin('/api/profiles/user-1');
    assert.ok(profile.body.identities.includes(`anon:${anon}`), JSON.stringify(profile.body.identities));
    assert.equal(profile.body.traits.plan, 'trial');
    assert.equal((await admin(`/api/profiles/${encodeURIComponent(anon)}`)).body.id, profile.body.id,
      'the anonymous id names the same profile');
    await page.close();
  });

  test('a page on another origin is refused by CORS and nothing it sends lands', async () => {
    // The same site under another name: another origin, not in --cors-origins.
    const page = await openPage(siteUrl.replace('127.0.0.1', 'localhost'));
    const apiHost = `${new URL(signpost.url).host}/v1`;
    const outcome = await page.evaluate(([key, host, url]) => window.run(key, host, `async (analytics) => {
      analytics.identify('blocked-user');
      analytics.track('Blocked Event');
      // A text/plain POST with the key in the body needs no preflight: the server must refuse it.
      const simple = await fetch('${url}/v1/t', { method: 'POST', headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ writeKey: '${key}', userId: 'blocked-user', event: 'Simple Post' }) })
        .then((r) => 'read ' + r.status, (e) => 'refused: ' + e.name);
      const preflighted = await fetch('${url}/v1/t', { method: 'POST',
        headers: { 'Content-Type': 'text/plain', Authorization: 'Basic ' + btoa('${key}:') },
        body: JSON.stringify({ userId: 'blocked-user', event: 'Preflighted Post' }) })
        .then((r) => 'read ' + r.status, (e) => 'refused: ' + e.name);
      return { simple, preflighted };
    }`), [writeKey, apiHost, signpost.url]);
    assert.deepEqual(outcome, { simple: 'refused: TypeError', preflighted: 'refused: TypeError' });
    await new Promise((r) => setTimeout(r, 1000));  // the SDK's own attempts, had they landed
    assert.equal((await admin('/api/profiles/blocked-user')).status, 404);
    await page.close();
  });

  test('nothing was fetched from Segment: only the site and signpost were asked', () => {
    const origins = new Set(pageRequests.map((u) => new URL(u).origin));
    const allowed = new Set([siteUrl, siteUrl.replace('127.0.0.1', 'localhost'), signpost.url]);
    for (const o of origins) assert.ok(allowed.has(o), `the page asked ${o}`);
    assert.ok(served.includes('/analytics-next/bundles/index.js'));
  });
});
