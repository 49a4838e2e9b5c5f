// The Schema page on a small store: ten days of `Email Verified`, then the release that renamed it
// to `email_verified` (imported), and a funnel that reads it. The page shows the rename finding
// with its suggestion and the funnel step it breaks, and the catalog's events with the API's
// counts; the search narrows them. Screenshots go to tests/browser/artifacts/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { num } from '../../web/src/format.js';
import { adminApi, launchBrowser, screenshot, startServer } from './lib.mjs';

const HOUR = 3600e3;
let server, api, browser, page, files;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'signpost-schema-'));
  const now = Date.now();
  const lines = [];
  // Every 2 hours for 10 days up to a day ago, then the new name for the last 20 hours.
  for (let t = now - 11 * 24 * HOUR; t < now - 24 * HOUR; t += 2 * HOUR) {
    lines.push({ type: 'track', userId: `u${lines.length % 7}`, event: 'Email Verified', timestamp: new Date(t).toISOString(), properties: { method: 'link' } });
  }
  for (let t = now - 20 * HOUR; t < now; t += 2 * HOUR) {
    lines.push({ type: 'track', userId: `u${lines.length % 7}`, event: 'email_verified', timestamp: new Date(t).toISOString(), properties: { method: 'link' } });
  }
  writeFileSync(join(files, 'events.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(files, 'funnel.yaml'), 'kind: funnel\nid: signup\nsteps:\n  - { name: Signed Up, event: Signed Up }\n  - { name: Verified, event: Email Verified }\n');
  server = await startServer({
    demo: false,
    setup: [['apply', '-f', join(files, 'funnel.yaml')], ['import', join(files, 'events.ndjson')]],
  });
  api = adminApi(server);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe('schema page', () => {
  test('shows the rename with its suggestion and the funnel step, and the catalog as the API has it', async () => {
    const drift = (await api('/api/catalog/drift')).body;
    const rename = drift.findings.find((f) => f.kind === 'likely_rename');
    assert.ok(rename, 'the API finds the rename');
    assert.equal(rename.suggestion, 'email_verified');
    const catalog = (await api('/api/catalog')).body;
    assert.equal(catalog.events.length, 2);

    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('nav[aria-label="Main"]');
    await page.getByRole('link', { name: 'Schema' }).click();
    const finding = page.locator('[data-testid="drift-finding"]').filter({ hasText: 'looks renamed' });
    await finding.waitFor();
    assert.equal(await finding.locator('[data-testid="drift-suggestion"]').textContent(), 'email_verified');
    assert.match(await finding.textContent(), /funnel signup \(step 2 'Verified'\)/);
    const cards = page.locator('[data-testid="catalog-event"]');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    for (const e of catalog.events) {
      assert.match(await cards.filter({ hasText: e.name }).first().textContent(), new RegExp(`${num(e.count)} events`));
    }
    await screenshot(page, '11-schema');

    await page.getByLabel('Search events and properties').fill('email_');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalog-event"]').length === 1);
    assert.match(await cards.first().textContent(), /email_verified/);
  });
});
