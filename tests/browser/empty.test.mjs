// The dashboard on an empty store (no demo, as `SIGNPOST_DEMO=0 make run` starts): every page says
// what is missing and what to do, and nothing fails. Screenshots go to tests/browser/artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminApi, launchBrowser, screenshot, startServer } from './lib.mjs';

let server, api, browser, page;

before(async () => {
  server = await startServer({ demo: false });
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
});

async function go(hashRoute) {
  await page.evaluate((h) => { location.hash = h; }, hashRoute);
}

// The empty state titled `title`: its text (it must say what to do).
async function emptyState(title) {
  const box = page.getByRole('region', { name: title });
  await box.waitFor();
  return box.textContent();
}

describe('dashboard on an empty store', () => {
  test('the API has nothing', async () => {
    assert.deepEqual((await api('/api/funnels')).body.definitions, []);
    assert.deepEqual((await api('/api/journeys')).body.journeys, []);
    assert.deepEqual((await api('/api/experiments')).body.experiments, []);
  });

  test('journeys: says there are none and how to add one', async () => {
    await go('#/journeys');
    const t = await emptyState('No journeys yet');
    assert.match(t, /signpost apply -f journey\.yaml/);
    assert.match(t, /--state live/);
    await screenshot(page, '10-empty-journeys');
  });

  test('funnels: says there are none and how to add one', async () => {
    await go('#/funnels');
    const t = await emptyState('No funnels yet');
    assert.match(t, /kind: funnel/);
    assert.match(t, /signpost apply -f/);
    await screenshot(page, '10-empty-funnels');
  });

  test('experiments: says there are none and how to start one', async () => {
    await go('#/experiments');
    const t = await emptyState('No experiments yet');
    assert.match(t, /split/);
    assert.deepEqual((await api('/api/experiments')).body.channels, [], 'no `channel: auto` step');
    const c = await emptyState('No channel optimization yet');
    assert.match(c, /channel: auto/);
    assert.match(c, /default:/);
    await screenshot(page, '10-empty-experiments');
  });

  test('an unknown funnel on an empty store says how to add one', async () => {
    await go('#/funnels/onboarding');
    const box = page.locator('[data-testid="unknown-funnel"]');
    await box.getByText('No funnel “onboarding”').waitFor();
    assert.match(await box.textContent(), /no funnels yet.*signpost apply -f funnel\.yaml/);
    await screenshot(page, '10-empty-funnel-unknown');
  });

  test('an unknown journey says so and links back to the list', async () => {
    await go('#/journeys/abandoned-cart');
    const t = await emptyState('No such journey');
    assert.match(t, /Pick one on the Journeys page/);
    await page.getByRole('region', { name: 'No such journey' }).getByRole('link', { name: 'Journeys' }).click();
    await emptyState('No journeys yet');
  });
});
