// The Alerts page in a real browser against `signpost serve`: a store whose funnel step 2 (`Email
// Verified`) stopped arriving 12 hours ago after nine steady days; `signpost alerts --evaluate`
// raises the step-health alert before the server starts. The page lists it as the API does, and its
// Acknowledge and Mute buttons move it (checked through the API). Screenshots go to
// tests/browser/artifacts/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminApi, launchBrowser, screenshot, startServer } from './lib.mjs';

const HOUR = 3600e3;
let server, api, browser, page, files;

// Nine days of hourly sign-ups (30 an hour), half verified, until 12 hours ago; then sign-ups only.
function writeEvents(path) {
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const lines = [];
  let n = 0;
  for (let h = now - 9 * 24 * HOUR; h < now; h += HOUR) {
    for (let i = 0; i < 30; i++) {
      const user = `u${++n}`;
      const at = h + i * 60e3;
      lines.push(JSON.stringify({ type: 'track', event: 'Signed Up', userId: user, messageId: `s${n}`, timestamp: new Date(at).toISOString() }));
      if (i % 2 === 0 && h < now - 12 * HOUR) {
        lines.push(JSON.stringify({ type: 'track', event: 'Email Verified', userId: user, messageId: `v${n}`, timestamp: new Date(at + 1000).toISOString() }));
      }
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'signpost-alerts-'));
  writeFileSync(join(files, 'funnel.yaml'), 'kind: funnel\nid: signup\nsteps: [Signed Up, Email Verified]\n');
  writeEvents(join(files, 'events.ndjson'));
  server = await startServer({
    demo: false,
    setup: [
      ['apply', '-f', join(files, 'funnel.yaml')],
      ['import', join(files, 'events.ndjson')],
      ['alerts', '--evaluate'],
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

describe('alerts page', () => {
  test('lists the step-health alert as the API does; acknowledge and mute move it', async () => {
    const { status, body } = await api('/api/alerts');
    assert.equal(status, 200);
    assert.equal(body.incidents.length, 1, JSON.stringify(body));
    const alert = body.incidents[0];
    assert.equal(alert.key, 'step/funnel/signup/2');
    assert.equal(alert.kind, 'step_volume');

    await page.evaluate(() => { location.hash = '#/alerts'; });
    const card = page.locator(`[data-testid="alert"][data-id="${alert.id}"]`);
    await card.waitFor();
    assert.equal((await card.locator('[data-testid="alert-title"]').textContent()).trim(), alert.title);
    assert.equal((await card.locator('[data-testid="alert-state"]').textContent()).trim(), 'open');
    assert.equal(await card.locator('a[href="#/funnels/signup"]').count(), 1, 'links the affected funnel');
    await screenshot(page, '40-alerts-open');

    await card.locator('[data-testid="alert-ack"]').click();
    await page.waitForSelector(`[data-testid="alert"][data-id="${alert.id}"][data-state="acknowledged"]`);
    assert.equal((await api(`/api/alerts/${alert.id}`)).body.state, 'acknowledged');

    await card.locator('[data-testid="alert-mute"]').click();
    await card.locator('[data-testid="alert-muted"]').waitFor();
    const muted = (await api(`/api/alerts/${alert.id}`)).body;
    assert.equal(muted.muted, true);
    assert.ok(muted.muted_until.ms > Date.now() + 3 * HOUR, 'muted for about four hours');
    await screenshot(page, '41-alerts-muted');
  });

  test("the funnel page shows the funnel's alerts", async () => {
    const { body } = await api('/api/alerts?state=all&subject=funnel/signup');
    assert.equal(body.incidents.length, 1);
    await page.evaluate(() => { location.hash = '#/funnels/signup'; });
    const card = page.locator(`[data-testid="funnel-alerts"] [data-testid="alert"][data-id="${body.incidents[0].id}"]`);
    await card.waitFor();
    assert.equal((await card.locator('[data-testid="alert-title"]').textContent()).trim(), body.incidents[0].title);
  });
});
