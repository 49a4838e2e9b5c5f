// Issue 16's dashboard parts in a real browser against `signpost serve`, on a small store made for
// them (no demo): funnel `onboarding` (Account Created → Email Verified → Integration Connected),
// three people stuck at step 2 for nine days, one at step 1 for ten, one who went on; journey
// `unstick` entered on a `funnel_step:` stall at step 2 (version 1 after 3 days, version 2 after
// 1 day), its goal the step-3 event.
// - Funnel page: the "stuck at a step" line of each step shows the server's count (GET
//   /api/funnels/{id}/stuck), follows the "stuck for" choice, and "Make this a live segment"
//   applies a rule segment whose members now are the people counted, and links to it.
// - Journey page: the entry is said ("stalls at step 2 of funnel onboarding"); the replay panel
//   shows POST /api/replay's numbers for the journey (entries, goal attained, per-step inflow), and
//   a what-if of its two versions shows the goal-rate difference.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { points } from '../../web/src/format.js';
import { adminApi, count, launchBrowser, screenshot, startServer } from './lib.mjs';

const HOUR = 3600e3;
const DAY = 24 * HOUR;
let server, api, browser, page, files;

function writeEvents(path) {
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const lines = [];
  let n = 0;
  const track = (user, event, at) => lines.push(JSON.stringify({ type: 'track', event, userId: user, messageId: `m${++n}`, timestamp: new Date(at).toISOString() }));
  for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) track(u, 'Account Created', now - 10 * DAY);
  for (const u of ['u1', 'u2', 'u3', 'u4']) track(u, 'Email Verified', now - 9 * DAY);
  track('u4', 'Integration Connected', now - 7 * DAY);  // two days at step 2, then on
  writeFileSync(path, lines.join('\n') + '\n');
}

const journey = (after) => `kind: journey
id: unstick
entry: { funnel_step: { funnel: onboarding, step: 2, on: stalled, after: ${after} } }
goal: { type: onboard_new_people, met_when: { event: Integration Connected } }
steps:
  - { id: wait, wait: { for: 3d } }
`;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'signpost-steps-'));
  writeFileSync(join(files, 'funnel.yaml'), 'kind: funnel\nid: onboarding\nwindow: 30d\nsteps: [Account Created, Email Verified, Integration Connected]\n');
  writeFileSync(join(files, 'j1.yaml'), journey('3d'));
  writeFileSync(join(files, 'j2.yaml'), journey('1d'));
  writeEvents(join(files, 'events.ndjson'));
  server = await startServer({
    demo: false,
    setup: [
      ['apply', '-f', join(files, 'funnel.yaml')],
      ['apply', '-f', join(files, 'j1.yaml')],
      ['apply', '-f', join(files, 'j2.yaml')],
      ['import', join(files, 'events.ndjson')],
    ],
  });
  api = adminApi(server);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15000);
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.waitForSelector('nav[aria-label="Main"]');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

async function replay(body) {
  const res = await fetch(`${server.url}/api/replay`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return res.json();
}

describe('step segments and replay', () => {
  test('the funnel page counts the people stuck at each step and makes a live segment of them', async () => {
    const stuck2 = (await api('/api/funnels/onboarding/stuck', { step: 2, for: '2d' })).body;
    const stuck1 = (await api('/api/funnels/onboarding/stuck', { step: 1, for: '2d' })).body;
    assert.equal(stuck2.people, 3, JSON.stringify(stuck2));
    assert.equal(stuck1.people, 1);
    assert.equal((await api('/api/funnels/onboarding/stuck', { step: 3 })).status, 400, 'no step after the last');

    await page.evaluate(() => { location.hash = '#/funnels/onboarding'; });
    const line2 = page.locator('[data-testid="stuck-line"][data-step="2"]');
    await line2.locator('[data-testid="stuck-count"]').waitFor();
    assert.equal(count(await line2.locator('[data-testid="stuck-count"]').textContent()), 3);
    assert.equal(count(await page.locator('[data-testid="stuck-line"][data-step="1"] [data-testid="stuck-count"]').textContent()), 1);
    await screenshot(page, '50-stuck-lines');

    await line2.locator('[data-testid="make-stuck-segment"]').click();
    const link = line2.locator('[data-testid="stuck-segment-link"]');
    await link.waitFor();
    const id = (await link.textContent()).trim();
    assert.equal(id, 'onboarding-stuck-at-2-2d');
    const seg = (await api(`/api/segments/${id}`)).body;
    assert.equal(seg.type, 'rule', JSON.stringify(seg));
    assert.equal(seg.members.length, 3, 'its members now are the people counted');

    await page.selectOption('[data-testid="stuck-for"]', '14d');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="stuck-line"][data-step="2"] [data-testid="stuck-count"]');
      return el && el.getAttribute('data-key').includes('for=14d');
    });
    assert.equal(count(await line2.locator('[data-testid="stuck-count"]').textContent()), 0);
  });

  test('the journey page says its funnel-step entry and replays it (alone and as a what-if)', async () => {
    const from = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    const to = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const alone = await replay({ journeys: ['unstick'], from, to });
    const mine = alone.journeys[0];
    assert.equal(mine.totals.entered, 4, JSON.stringify(mine.totals));
    const whatif = await replay({ journey: 'unstick', versions: [1, 2], from, to });

    await page.evaluate(() => { location.hash = '#/journeys/unstick'; });
    const entry = page.locator('[data-testid="journey-entry"]');
    await entry.waitFor();
    assert.match(await entry.textContent(), /stalls at step 2 of funnel onboarding: still there 1d after reaching it/);

    await page.click('[data-testid="replay-run"]');
    await page.locator('[data-testid="replay-result"]').waitFor();
    assert.equal(count(await page.locator('[data-testid="replay-entered"]').textContent()), mine.totals.entered);
    assert.equal(count(await page.locator('[data-testid="replay-attained"]').textContent()), mine.goal.attained);
    assert.deepEqual(
      (await page.locator('[data-testid="replay-step"] [data-testid="replay-step-inflow"]').allTextContents()).map(count),
      mine.steps.map((s) => s.inflow));

    await page.selectOption('[data-testid="replay-mode"]', 'whatif');
    await page.selectOption('[data-testid="replay-va"]', '1');
    await page.selectOption('[data-testid="replay-vb"]', '2');
    await page.click('[data-testid="replay-run"]');
    await page.locator('[data-testid="replay-diff"]').waitFor();
    assert.equal(count(await page.locator('[data-testid="replay-a-entered"]').textContent()), whatif.a.totals.entered);
    assert.equal(count(await page.locator('[data-testid="replay-b-entered"]').textContent()), whatif.b.totals.entered);
    assert.equal((await page.locator('[data-testid="replay-diff"]').textContent()).trim(), points(whatif.rate_difference));
    assert.ok(whatif.rate_difference > 0, JSON.stringify(whatif.rate_difference));
    await screenshot(page, '51-journey-replay');
  });
});
