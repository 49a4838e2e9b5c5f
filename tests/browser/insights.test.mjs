// The funnel page's insight panels in a real browser against `signpost serve`: a store of 200
// people through an onboarding funnel (step 2 any_of Integration Connected / Data Imported, an
// optional Invited, Activated), where a Tour after signing up goes with connecting. The paths
// panel (sequences, the any_of paths, the optional step), the drivers panel and the importance
// panel each show what their API answers. Screenshots go to tests/browser/artifacts/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { num, pct } from '../../web/src/format.js';
import { sequenceText } from '../../web/src/pages/pathText.js';
import { adminApi, count, launchBrowser, screenshot, startServer, texts } from './lib.mjs';

const FUNNEL = `kind: funnel
id: onboarding
steps:
  - event: Signed Up
  - name: Connected
    any_of:
      - { event: Integration Connected }
      - { event: Data Imported }
  - { event: Invited, optional: true }
  - event: Activated
`;
let server, api, browser, page, files;

// Person i: a Tour for even i; connects 80% with a Tour, 20% without (by i % 10), through an
// integration when i % 3 == 0; invites when i % 5 < 2; activates more often after inviting.
function writeEvents(path) {
  const t0 = Date.now() - 3 * 86400e3;
  const lines = [];
  const add = (user, event, at) => lines.push(JSON.stringify({ type: 'track', event, userId: `u${user}`, messageId: `${event}-${user}`, timestamp: new Date(at).toISOString() }));
  for (let i = 0; i < 200; i++) {
    const t = t0 + i * 60e3;
    add(i, 'Signed Up', t);
    const tour = i % 2 === 0;
    if (tour) add(i, 'Tour', t + 1000);
    if (!(tour ? i % 10 !== 0 : i % 10 === 1)) continue;
    add(i, i % 3 === 0 ? 'Integration Connected' : 'Data Imported', t + 2000);
    const invited = i % 5 < 2;
    if (invited) add(i, 'Invited', t + 3000);
    if (invited ? i % 7 < 5 : i % 7 < 3) add(i, 'Activated', t + 4000);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'signpost-insights-'));
  writeFileSync(join(files, 'funnel.yaml'), FUNNEL);
  writeEvents(join(files, 'events.ndjson'));
  server = await startServer({ demo: false, setup: [['apply', '-f', join(files, 'funnel.yaml')], ['import', join(files, 'events.ndjson')]] });
  api = adminApi(server);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15000);
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.waitForSelector('nav[aria-label="Main"]');
  await page.evaluate(() => { location.hash = '#/funnels/onboarding'; });
  await page.waitForSelector('[data-testid="funnel-report"]');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe('funnel insights panels', () => {
  test('the paths panel shows the sequences, the any_of paths and the optional step as the API does', async () => {
    const { status, body } = await api('/api/funnels/onboarding/paths', { step: 1 });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.reached, 200);
    await page.waitForSelector('[data-testid="paths-report"]');
    assert.deepEqual(await texts(page, '[data-testid="path-row"] [data-testid="path-events"]'), body.sequences.map(sequenceText));
    assert.deepEqual((await texts(page, '[data-testid="path-row"] [data-testid="path-people"]')).map(count), body.sequences.map((s) => s.people));
    assert.deepEqual(await texts(page, '[data-testid="path-row"] [data-testid="path-conversion"]'), body.sequences.map((s) => pct(s.conversion)));
    const [anyOf] = body.any_of;
    assert.equal(anyOf.alternatives.length, 2);
    assert.deepEqual((await texts(page, '[data-testid="anyof-row"] [data-testid="anyof-people"]')).map(count), anyOf.alternatives.map((a) => a.people));
    assert.equal(anyOf.alternatives[0].people + anyOf.alternatives[1].people, anyOf.people);
    const [opt] = body.optional;
    assert.equal(await page.locator('[data-testid="optional-with"]').textContent(), num(opt.with));
    assert.equal(await page.locator('[data-testid="optional-rate-with"]').textContent(), pct(opt.rate_with));
    await screenshot(page, '50-funnel-paths');
    // Another step: the panel asks again and shows that step's sequences.
    const step2 = (await api('/api/funnels/onboarding/paths', { step: 2 })).body;
    await page.selectOption('[data-testid="paths-step"]', '2');
    await page.waitForSelector('[data-testid="paths-report"][data-key*="step=2"]');
    assert.deepEqual(await texts(page, '[data-testid="path-row"] [data-testid="path-events"]'), step2.sequences.map(sequenceText));
  });

  test('the drivers panel ranks the planted Tour first, as the API does', async () => {
    const { body } = await api('/api/funnels/onboarding/drivers', { step: 1 });
    assert.equal(body.drivers[0].event, 'Tour');
    await page.click('[data-testid="drivers-run"]');
    await page.waitForSelector('[data-testid="drivers-report"]');
    const names = await texts(page, '[data-testid="driver-name"]');
    assert.equal(names.length, body.drivers.length);
    assert.equal(names[0], 'did Tour ★');
  });

  test('the importance panel shows the goal rates, coefficients and held-out accuracy', async () => {
    const { body } = await api('/api/funnels/onboarding/importance');
    const g = body.groups[0];
    await page.click('[data-testid="importance-run"]');
    await page.waitForSelector('[data-testid="importance-report"]');
    assert.equal(await page.locator('[data-testid="importance-accuracy"]').textContent(), pct(g.accuracy));
    assert.equal(await page.locator('[data-testid="importance-baseline"]').textContent(), pct(g.baseline));
    assert.deepEqual(await texts(page, '[data-testid="importance-with"]'), g.steps.map((s) => pct(s.rate_with)));
    assert.deepEqual(await texts(page, '[data-testid="importance-coef"]'), g.steps.map((s) => (s.coefficient >= 0 ? '+' : '') + s.coefficient.toFixed(2)));
    await screenshot(page, '51-funnel-importance');
  });
});
