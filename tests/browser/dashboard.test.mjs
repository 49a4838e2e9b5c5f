// The dashboard in a real browser (Debian's chromium via playwright-core) against `signpost serve`
// on a seeded demo store: every page opens, the numbers shown equal the API's, the funnel controls
// change them to the API's, the save-segment button creates the segment (by mouse and by keyboard
// only). Screenshots go to tests/browser/artifacts/. Run: SIGNPOST_BIN=build/signpost node --test tests/browser/
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { date, num, pct, points, pointsRange, share, shortDur, signedPct, signedPctRange, targetText, winnerText } from '../../web/src/format.js';
import { queryString } from '../../web/src/api.js';
import { reportQuery } from '../../web/src/pages/funnelQuery.js';
import { adminApi, count, launchBrowser, screenshot, startServer, texts } from './lib.mjs';

const DAY = 86400e3;
// A UTC day `days` ago as the date inputs take it: "2026-11-04".
const dayAgo = (days) => new Date(Date.now() - days * DAY).toISOString().slice(0, 10);
// People who signed up in the first half of the demo month: a segment that cuts across drop-off.
const EARLY_UNTIL = `${dayAgo(15)}T00:00:00Z`;

let server, api, browser, page;

before(async () => {
  // Segments to filter by (the CLI saves them; the page's own save button is tested below).
  server = await startServer({
    setup: [
      ['funnel', 'onboarding', '--dropped-at', '2', '--save-segment', 'stuck-at-2'],
      ['funnel', 'onboarding', '--to', EARLY_UNTIL, '--completed', '1', '--save-segment', 'early-signups'],
    ],
  });
  api = adminApi(server);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Opens a dashboard route logged in (the #token= link), then the route.
async function open(hashRoute) {
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.waitForSelector('nav[aria-label="Main"]');
  await page.evaluate((h) => { location.hash = h; }, hashRoute);
}

// Cell texts of the rows matching `selector`: [[cell, ...], ...].
function rowCells(selector) {
  return page.locator(selector).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

// Waits until the funnel page shows the report of `query` (the page names the API call its numbers
// come from, and nothing is loading), then checks every number against the API's report.
async function expectFunnelMatchesApi(query, label) {
  const rq = reportQuery(query);
  const { status, body: r } = await api('/api/funnels/onboarding/report', rq);
  assert.equal(status, 200, `the API answers the report (${label})`);
  const key = `/api/funnels/onboarding/report${queryString(rq)}`;
  await page.waitForFunction((k) => {
    const el = document.querySelector('[data-testid="funnel-report"]');
    return el && el.dataset.key === k && !document.querySelector('.stale') && !document.querySelector('.state-loading');
  }, key);
  assert.equal(await page.textContent('[data-testid="funnel-entered"]'), num(r.entered), `entered (${label})`);
  const shownCounts = await texts(page, '[data-testid="step-count"]');
  assert.deepEqual(shownCounts.map(count), r.steps.map((s) => s.count), `step counts (${label})`);
  assert.deepEqual(await texts(page, '[data-testid="step-from-first"]'), r.steps.map((s) => pct(s.conversion_from_first)), `conversion from first (${label})`);
  assert.deepEqual(await texts(page, '[data-testid="step-from-previous"]'), r.steps.slice(1).map((s) => pct(s.conversion_from_previous)), `conversion from previous (${label})`);
  assert.deepEqual((await texts(page, '[data-testid="drop-count"]')).map(count), r.steps.slice(0, -1).map((s) => s.dropped), `drop-off (${label})`);
  assert.equal(await page.textContent('[data-testid="funnel-completed"]'), num(r.completed), `completed (${label})`);
  assert.equal(await page.textContent('[data-testid="funnel-conversion"]'), pct(r.conversion), `conversion (${label})`);
  // The histogram when someone converted; otherwise the page says there is nothing to show.
  if (r.time_to_convert.counts.some((c) => c > 0)) {
    assert.deepEqual((await texts(page, '[data-testid="ttc-count"]')).map(count), r.time_to_convert.counts, `histogram (${label})`);
  } else {
    assert.equal(r.completed, 0, `no time to convert although ${r.completed} completed (${label})`);
    await page.locator('[data-testid="ttc"]').getByText('Nobody converted yet').waitFor();
  }
  // Completed within: window, completed / entered, rate.
  const completion = await rowCells('[data-testid="completion-row"]');
  assert.deepEqual(completion, r.completion.map((c) => [shortDur(c.window_ms), `${num(c.completed)} / ${num(c.entered)}`, pct(c.rate)]),
    `completed within (${label})`);
  return r;
}

// The numbers under a chart's "Show the numbers" (opens it): rows of cell texts.
async function chartTable(testid) {
  const fig = page.locator(`[data-testid="${testid}"]`);
  const details = fig.locator('details');
  if (!(await details.evaluate((d) => d.open))) await fig.getByText('Show the numbers').click();
  return rowCells(`[data-testid="${testid}-row"]`);
}

// Presses Tab (at most `max` times) until the focused element matches `selector`; returns the count.
async function tabTo(selector, max = 80) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return i;
  }
  assert.fail(`Tab did not reach ${selector} in ${max} presses`);
}

// No sideways scrolling of the page itself (wide tables and the graph scroll in their own box).
async function assertNoPageOverflow(what) {
  const overflow = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
  assert.ok(overflow <= 1, `${what}: the page is ${overflow}px wider than the screen`);
}

// Checks one channel optimization card (`[data-testid="channel-report"]`) against the API's report
// of a `channel: auto` step: every channel's sent, converted, rate, interval and share of sends; the
// control and optimized groups; the lift and its intervals; the control's share and default channel.
async function expectChannelReportMatches(card, r, label) {
  // Rows of the step itself, not of its per-segment blocks.
  const own = (sel) => card.locator(`${sel}:not([data-testid="channel-segment"] *)`);
  const interval = (iv) => `${pct(iv[0])} – ${pct(iv[1])}`;
  assert.equal(await card.getAttribute('aria-label'), `Channel optimization ${r.journey} / ${r.step}`, `card of ${label}`);
  assert.equal(await own('[data-testid="channel-row"]').count(), r.channels.length, `one row per channel (${label})`);
  const total = r.channels.reduce((a, c) => a + c.sent, 0);
  for (const c of r.channels) {
    const row = own(`[data-testid="channel-row"][data-channel="${c.channel}"]`);
    const what = `${c.channel} (${label})`;
    assert.equal(await row.locator('[data-testid="channel-sent"]').textContent(), num(c.sent), `sent by ${what}`);
    assert.equal(await row.locator('[data-testid="channel-converted"]').textContent(), num(c.converted), `converted by ${what}`);
    assert.equal(await row.locator('[data-testid="channel-rate"]').textContent(), pct(c.rate), `rate of ${what}`);
    assert.equal(await row.locator('[data-testid="channel-interval"]').textContent(), interval(c.interval), `interval of ${what}`);
    assert.equal(await row.locator('[data-testid="channel-share"]').textContent(), pct(share(c.sent, total)), `share of sends of ${what}`);
    assert.equal(await row.locator('[data-testid="channel-default"]').count(), c.default ? 1 : 0, `default mark of ${what}`);
  }
  for (const group of ['control', 'optimized']) {
    const g = r[group];
    const row = own(`[data-testid="group-row"][data-group="${group}"]`);
    assert.equal(await row.locator('[data-testid="group-sent"]').textContent(), num(g.sent), `${group} sent (${label})`);
    assert.equal(await row.locator('[data-testid="group-converted"]').textContent(), num(g.converted), `${group} converted (${label})`);
    assert.equal(await row.locator('[data-testid="group-rate"]').textContent(), pct(g.rate), `${group} rate (${label})`);
    assert.equal(await row.locator('[data-testid="group-interval"]').textContent(), interval(g.interval), `${group} interval (${label})`);
  }
  const lift = own('[data-testid="channel-lift"]');
  assert.equal(await lift.locator('[data-testid="lift-absolute"]').textContent(), points(r.lift.absolute), `lift (${label})`);
  assert.equal(await lift.locator('[data-testid="lift-interval"]').textContent(), pointsRange(r.lift.absolute_interval), `lift interval (${label})`);
  assert.equal(await lift.locator('[data-testid="lift-relative"]').textContent(), signedPct(r.lift.relative), `relative lift (${label})`);
  assert.equal(await lift.locator('[data-testid="lift-relative-interval"]').textContent(), signedPctRange(r.lift.relative_interval), `relative lift interval (${label})`);
  assert.equal((await lift.locator('[data-testid="lift-significant"]').textContent()).trim(),
    r.lift.significant ? 'significant' : 'not significant yet', `significance (${label})`);
  assert.equal(await card.locator('[data-testid="control-share"]').textContent(), pct(r.control_share, 0), `control share (${label})`);
  assert.equal(await card.locator('[data-testid="control-default"]').textContent(), r.default, `default channel (${label})`);
  assert.match(await card.locator('[data-testid="control-explainer"]').textContent(), /default channel .* whatever the optimizer prefers/, `control explained (${label})`);
  assert.equal(await card.locator('[data-testid="channel-segment"]').count(), r.segments.length, `segments (${label})`);
  const warnings = card.locator('[data-testid="channel-warnings"] li');
  assert.deepEqual((await warnings.allTextContents()).map((t) => t.trim()), r.warnings, `warnings (${label})`);
}

// Focus moves in an effect after the render that shows its target: wait for it (up to 5 s), then
// assert, so the failure message names what has the focus instead.
async function expectFocus(selector, message) {
  await page.waitForFunction((s) => document.activeElement?.matches(s), selector, { timeout: 5000 }).catch(() => {});
  const focused = await page.evaluate(() => {
    const e = document.activeElement;
    return e ? `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.dataset?.testid ? `[data-testid="${e.dataset.testid}"]` : ''}` : 'nothing';
  });
  assert.ok(await page.evaluate((s) => !!document.activeElement?.matches(s), selector), `${message}: expected ${selector}, focus is on ${focused}`);
}

describe('dashboard', () => {
  test('the login screen refuses a wrong token and accepts the admin token', async () => {
    await page.goto(`${server.url}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByLabel('Admin token').fill('spa_wrong');
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByText('This token was refused').waitFor();
    await screenshot(page, '00-login');
    await page.getByLabel('Admin token').fill(server.token);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.waitForSelector('nav[aria-label="Main"]');
    assert.equal(await page.evaluate(() => localStorage.getItem('signpost.adminToken')), server.token);
  });

  test('funnels: steps, drop-off, histogram, completed within and trend equal the API report', async () => {
    await open('#/funnels/onboarding');
    const r = await expectFunnelMatchesApi({}, 'as defined');
    assert.ok(r.entered > 0, 'the demo has people in the funnel');
    assert.ok(r.completed > 0, 'the demo has conversions');
    assert.ok(r.time_to_convert.counts.some((c) => c > 0), 'the demo has times to convert');
    assert.ok(r.completion.length > 0, 'the report has completion windows');
    assert.deepEqual(await texts(page, '.step-name'), r.steps.map((s) => s.name));
    await page.waitForSelector('[data-testid="trend"] .uplot');
    // The trend's numbers: entry day, conversion, entered, completed.
    assert.ok(r.trend.points.length > 0, 'the demo has a trend');
    const trend = await chartTable('trend');
    assert.deepEqual(trend, r.trend.points.map((p) => [
      date(typeof p.start_ms === 'number' ? p.start_ms : Date.parse(p.start)), pct(p.rate), num(p.entered), num(p.completed),
    ]), 'trend by entry day');
    await screenshot(page, '01-funnel');
  });

  test('funnels: window, order, counting, date range, breakdown and segment controls change the numbers to the API\'s', async () => {
    await open('#/funnels/onboarding');
    const base = await expectFunnelMatchesApi({}, 'as defined');
    await page.getByLabel('Conversion window').selectOption('30d');
    const wide = await expectFunnelMatchesApi({ window: '30d' }, 'window 30d');
    assert.notDeepEqual(wide.steps.map((s) => s.count), base.steps.map((s) => s.count), 'a 30-day window counts more late orders');
    await page.getByLabel('Step order').selectOption('strict');
    const strict = await expectFunnelMatchesApi({ window: '30d', order: 'strict' }, 'window 30d, strict');
    assert.notDeepEqual(strict.steps.map((s) => s.count), wide.steps.map((s) => s.count), 'strict order drops people who browsed between steps');
    // Counting (entry mode): the report's own mode is shown in the settings tile.
    await page.getByLabel('Counting').selectOption('each_attempt');
    const attempts = await expectFunnelMatchesApi({ window: '30d', order: 'strict', entry: 'each_attempt' }, 'each attempt');
    assert.equal(attempts.entry, 'each_attempt', 'the API counts each attempt');
    assert.match(await page.textContent('[data-testid="funnel-summary"]'), /each_attempt/, 'the page says it counts each attempt');
    // Date range: people who entered between 20 and 8 days ago.
    const from = dayAgo(20), to = dayAgo(8);
    await page.locator('#f-from').fill(from);
    await page.locator('#f-to').fill(to);
    const ranged = await expectFunnelMatchesApi({ window: '30d', order: 'strict', entry: 'each_attempt', from, to }, `${from} to ${to}`);
    assert.ok(ranged.entered > 0 && ranged.entered < attempts.entered, `the range keeps some entries (${ranged.entered} of ${attempts.entered})`);
    assert.equal(await page.locator('#f-from').inputValue(), from);
    assert.equal(await page.locator('#f-to').inputValue(), to);
    await page.locator('#f-from').fill('');
    await page.locator('#f-to').fill('');
    await page.getByLabel('Counting').selectOption('');
    await expectFunnelMatchesApi({ window: '30d', order: 'strict' }, 'range and counting cleared');
    // Breakdown by source.
    await page.locator('#f-breakdown').fill('context.campaign.source');
    await page.locator('#f-breakdown').press('Enter');
    await page.locator('#f-breakdown').blur();
    await expectFunnelMatchesApi({ window: '30d', order: 'strict', breakdown: 'context.campaign.source' }, 'breakdown');
    const { body: bd } = await api('/api/funnels/onboarding/report', reportQuery({ window: '30d', order: 'strict', breakdown: 'context.campaign.source' }));
    assert.ok(bd.breakdown.rows.length > 0, 'the demo has sources');
    const rows = await rowCells('[data-testid="breakdown-row"]');
    assert.deepEqual(rows.map((r) => r[0]), bd.breakdown.rows.map((r) => r.value), 'breakdown values');
    assert.deepEqual(rows.map((r) => r.at(-1)), bd.breakdown.rows.map((r) => pct(r.conversion)), 'breakdown conversion');
    assert.deepEqual(rows.map((r) => r.slice(1, -1).map(count)), bd.breakdown.rows.map((r) => r.counts), 'breakdown counts');
    await screenshot(page, '02-funnel-controls');
    await page.getByLabel('Segment').selectOption('stuck-at-2');
    const seg = await expectFunnelMatchesApi({ window: '30d', order: 'strict', breakdown: 'context.campaign.source', segment: 'stuck-at-2' }, 'segment stuck-at-2');
    assert.ok(seg.entered > 0 && seg.entered < strict.entered, 'the segment filter restricts the funnel to its members');
  });

  test('funnels: "save people who dropped at step 2" creates the segment the API lists', async () => {
    await open('#/funnels/onboarding?window=14d');
    const r = await expectFunnelMatchesApi({ window: '14d' }, 'window 14d');
    assert.ok(r.steps[1].dropped > 0, 'the demo has people who dropped at step 2');
    await page.locator('[data-testid="dropoff"][data-step="2"] [data-testid="save-dropped"]').click();
    await page.getByLabel('Segment name').fill('browser-dropped-at-2');
    await page.getByRole('button', { name: `Save ${num(r.steps[1].dropped)} people` }).click();
    await page.waitForSelector('[data-testid="segment-saved"]');
    await screenshot(page, '03-funnel-save-segment');
    const { status, body } = await api('/api/segments/browser-dropped-at-2');
    assert.equal(status, 200, 'the API has the segment');
    assert.equal(body.count, r.steps[1].dropped, 'the segment has the people shown as dropped');
    const people = await api('/api/funnels/onboarding/people', { window: '14d', dropped_at: 2 });
    assert.equal(people.body.count, r.steps[1].dropped, 'people who dropped at step 2 = the drop-off shown');
    assert.equal(count(await page.textContent('[data-testid="segment-members"]')), people.body.count);
    assert.ok(JSON.stringify(body).includes(people.body.people[0].identities[0]), 'the segment holds the people');
  });

  test('funnels: with a segment chosen, the keyboard alone saves the filtered people who dropped', async () => {
    await open('#/funnels/onboarding?segment=early-signups');
    await page.reload();  // a fresh page: the keyboard starts at the top
    const r = await expectFunnelMatchesApi({ segment: 'early-signups' }, 'segment early-signups');
    const all = await api('/api/funnels/onboarding/report', reportQuery({}));
    const dropped = r.steps[1].dropped;
    assert.ok(dropped > 0 && dropped < all.body.steps[1].dropped, `the segment has some but not all who dropped at step 2 (${dropped} of ${all.body.steps[1].dropped})`);
    const presses = await tabTo('[data-testid="dropoff"][data-step="2"] [data-testid="save-dropped"]');
    await page.keyboard.press('Enter');
    // The form opens with the focus in its name field (moved there once the form has rendered).
    await expectFocus('#seg-name-2', 'the name field has the focus');
    assert.equal(await page.locator('.save-form button[type="submit"]').textContent(), `Save ${num(dropped)} people`);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('early-dropped-at-2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="segment-saved"]');
    await expectFocus('[data-testid="segment-saved"]', 'the focus moves to the result');
    await screenshot(page, '03b-funnel-save-segment-keyboard');
    assert.equal(count(await page.textContent('[data-testid="segment-members"]')), dropped, 'the page saved the filtered count');
    const { status, body } = await api('/api/segments/early-dropped-at-2');
    assert.equal(status, 200, 'the API has the segment');
    assert.equal(body.count, dropped, `the segment has the ${dropped} filtered people shown (Tab pressed ${presses} times)`);
    const people = await api('/api/funnels/onboarding/people', { segment: 'early-signups', dropped_at: 2 });
    assert.equal(people.body.count, dropped, 'people of the segment who dropped at step 2 = the drop-off shown');
  });

  test('funnels: an unknown funnel says so and links to the known ones', async () => {
    await open('#/funnels/no-such-funnel');
    const box = page.locator('[data-testid="unknown-funnel"]');
    await box.getByText('No funnel “no-such-funnel”').waitFor();
    await box.getByText('Pick one of its funnels').waitFor();
    await screenshot(page, '09-funnel-unknown');
    await box.getByRole('link', { name: 'Onboarding' }).click();
    await page.getByRole('heading', { name: 'Funnel: Onboarding' }).waitFor();
    await expectFunnelMatchesApi({}, 'after the link');
  });

  test('journeys: the list and a journey page equal the API', async () => {
    const list = await api('/api/journeys');
    assert.equal(list.status, 200, 'GET /api/journeys');
    const journeys = list.body.journeys;
    assert.ok(journeys.length > 0, 'the demo seeding applied the abandoned-cart journey');
    await open('#/journeys');
    await page.waitForSelector('[data-testid="journey"]');
    await screenshot(page, '04-journeys');
    assert.equal(await page.locator('[data-testid="journey"]').count(), journeys.length, 'every journey is listed');
    for (const j of journeys) {
      const card = page.locator(`[data-testid="journey"][data-id="${j.id}"]`);
      assert.equal(await card.locator('[data-testid="journey-state"]').textContent(), j.state);
      assert.equal(await card.locator('[data-testid="journey-version"]').textContent(), num(j.version));
      assert.equal(await card.locator('[data-testid="journey-entered"]').textContent(), num(j.entered));
      assert.equal(await card.locator('[data-testid="journey-in-progress"]').textContent(), num(j.in_progress));
    }
    const cart = journeys.find((j) => j.id === 'abandoned-cart');
    assert.ok(cart, 'the demo journey is listed');
    assert.ok(cart.entered > 0, 'people entered the demo journey');
    const g = cart.goal;
    assert.ok(g && typeof g === 'object', 'the demo journey has a goal tile');
    const tile = page.locator('[data-testid="journey"][data-id="abandoned-cart"] [data-testid="goal-tile"]');
    assert.equal(await tile.locator('[data-testid="goal-attained"]').textContent(), num(g.attained), 'goal attained');
    assert.equal(await tile.locator('[data-testid="goal-rate"]').textContent(), pct(g.rate), 'goal rate');
    assert.equal(await tile.locator('[data-testid="goal-target"]').textContent(), targetText(g.target), 'goal target');
    assert.equal(targetText(g.target), '40% of entered', 'the demo goal\'s target');
    assert.equal(typeof g.target_progress, 'number', 'the API gives the progress to the target');
    assert.equal(await tile.locator('[data-testid="goal-progress"]').textContent(), pct(g.target_progress, 0), 'progress to the target');
    assert.equal(await tile.getByRole('progressbar').getAttribute('aria-valuenow'), String(Math.round(Math.min(g.target_progress, 1) * 100)), 'progress bar');
    assert.ok(g.lift && typeof g.lift.absolute === 'number', 'the API gives the holdout lift (the demo has a 10% holdout)');
    assert.equal(await tile.locator('[data-testid="goal-lift"]').textContent(), points(g.lift.absolute), 'holdout lift');

    const id = 'abandoned-cart';
    const { status, body: jd } = await api(`/api/journeys/${id}`);
    assert.equal(status, 200);
    await page.evaluate((h) => { location.hash = h; }, `#/journeys/${id}`);
    await page.waitForSelector('[data-testid="step-row"]');
    await expectFocus('#journey-title', 'the focus moves to the new page\'s heading');
    assert.equal(await page.textContent('[data-testid="total-entered"]'), num(jd.totals.entered));
    assert.equal(await page.textContent('[data-testid="total-entries"]'), num(jd.totals.entries));
    assert.equal(await page.textContent('[data-testid="total-in-progress"]'), num(jd.totals.in_progress));
    assert.equal(await page.textContent('[data-testid="total-completed"]'), num(jd.totals.completed));
    assert.equal(await page.textContent('[data-testid="total-exited"]'), num(jd.totals.exited));
    let exitsSeen = 0;
    for (const s of jd.steps) {
      const row = page.locator(`[data-testid="step-row"][data-id="${s.id}"]`);
      assert.equal(await row.locator('[data-testid="step-inflow"]').textContent(), num(s.inflow), `inflow of ${s.id}`);
      assert.equal(await row.locator('[data-testid="step-in-progress"]').textContent(), num(s.in_progress), `in progress of ${s.id}`);
      assert.equal(await row.locator('[data-testid="step-passed-on"]').textContent(), num(s.passed_on), `passed on of ${s.id}`);
      const shown = await row.locator('[data-testid="step-exit"]').evaluateAll((lis) =>
        lis.map((li) => [li.dataset.reason, li.querySelector('[data-testid="step-exit-count"]').textContent.trim()]));
      const expected = Object.entries(s.exits || {}).map(([k, v]) => [k, num(v)]);
      assert.deepEqual(Object.fromEntries(shown), Object.fromEntries(expected), `exits by reason of ${s.id}`);
      exitsSeen += Object.values(s.exits || {}).reduce((a, v) => a + v, 0);
    }
    assert.ok(exitsSeen > 0, 'people exited the demo journey (the exits column is exercised)');
    assert.equal(await page.locator('[data-testid="graph-node"]').count(), jd.steps.length, 'the graph draws every step');
    assert.ok(jd.goal, 'the demo journey\'s definition has a goal');
    const goal = await api(`/api/journeys/${id}/goal`, { trend: 'day' });
    assert.equal(goal.status, 200, 'the demo journey has a goal report');
    await page.waitForSelector('[data-testid="goal-report"]');
    assert.equal(await page.textContent('[data-testid="goal-report"] [data-testid="goal-attained"]'), num(goal.body.attained));
    assert.equal(await page.textContent('[data-testid="goal-report"] [data-testid="goal-rate"]'), pct(goal.body.rate));
    assert.equal(await page.textContent('[data-testid="goal-report"] [data-testid="goal-entered"]'), num(goal.body.entered));
    assert.equal(await page.textContent('[data-testid="goal-holdout-rate"]'), pct(goal.body.holdout.rate));
    // Attained over time: the chart's table, day by day.
    const over = goal.body.over_time;
    assert.ok(over.length > 0, 'the demo goal has attained-over-time points');
    await page.waitForSelector('[data-testid="attained-chart"] .uplot');
    const cumulative = over.some((p) => typeof p.cumulative_attained === 'number');
    assert.deepEqual(await chartTable('attained-chart'), over.map((p) => [
      date(Date.parse(p.date)), num(p.attained), ...(cumulative ? [num(p.cumulative_attained)] : []),
    ]), 'attained over time');
    await screenshot(page, '05-journey');
  });

  test('experiments: variants, intervals and the decision equal the API', async () => {
    const res = await api('/api/experiments');
    assert.equal(res.status, 200, 'GET /api/experiments');
    const exps = res.body.experiments;
    assert.ok(exps.length >= 1, 'the demo journey has an A/B split');
    await open('#/experiments');
    await page.waitForSelector('[data-testid="variant"]');
    const cards = page.locator('[data-testid="experiment"]');
    assert.equal(await cards.count(), exps.length);
    for (const [i, e] of exps.entries()) {
      const card = cards.nth(i);
      assert.equal(await card.getAttribute('aria-label'), `Experiment ${e.journey} / ${e.step}`);
      assert.equal(await card.locator('[data-testid="experiment-state"]').textContent(), e.state, `state of ${e.step}`);
      assert.equal(await card.locator('[data-testid="experiment-winner"]').textContent(), winnerText(e), `winner of ${e.step}`);
      assert.ok(e.variants.length >= 2, 'a split has two variants or more');
      let entered = 0;
      for (const v of e.variants) {
        const row = card.locator(`[data-testid="variant"][data-id="${v.id}"]`);
        assert.equal(await row.locator('[data-testid="variant-entered"]').textContent(), num(v.entered), `entered of ${v.id}`);
        assert.equal(await row.locator('[data-testid="variant-converted"]').textContent(), num(v.converted), `converted of ${v.id}`);
        assert.equal(await row.locator('[data-testid="variant-rate"]').textContent(), pct(v.rate), `rate of ${v.id}`);
        assert.equal(await row.locator('[data-testid="variant-interval"]').textContent(), `${pct(v.interval[0])} – ${pct(v.interval[1])}`, `interval of ${v.id}`);
        assert.equal(await row.locator('[data-testid="variant-prob-best"]').textContent(), pct(v.prob_best, 0), `probability best of ${v.id}`);
        assert.equal(await row.evaluate((tr) => tr.classList.contains('is-winner')), e.winner === v.id, `winner mark of ${v.id}`);
        entered += v.entered;
      }
      assert.ok(entered > 0, `people went through the split ${e.step}`);
    }
    await screenshot(page, '06-experiments');
  });

  test('experiments: channel optimization of each `channel: auto` step equals the API', async () => {
    const res = await api('/api/experiments');
    assert.equal(res.status, 200, 'GET /api/experiments');
    const reports = res.body.channels;
    assert.ok(Array.isArray(reports) && reports.length >= 1, 'the demo has a `channel: auto` step (finish-profile / nudge)');
    const demo = reports.find((r) => r.journey === 'finish-profile' && r.step === 'nudge');
    assert.ok(demo, 'the demo\'s finish-profile / nudge is listed');
    // The demo gives the report real numbers: both channels sent and converted, a control and an optimized group.
    for (const ch of ['email', 'sms']) {
      const c = demo.channels.find((x) => x.channel === ch);
      assert.ok(c && c.sent > 0 && c.converted > 0, `the demo sent and converted by ${ch}`);
    }
    assert.ok(demo.control.sent > 0 && demo.optimized.sent > 0, 'the demo has control and optimized sends');
    assert.equal(demo.channels.reduce((a, c) => a + c.sent, 0), demo.control.sent + demo.optimized.sent,
      'the channels\' sends add up to control + optimized');
    assert.equal(demo.lift.treated_rate, demo.optimized.rate, 'the lift\'s treated rate is the optimized rate');
    assert.equal(demo.lift.holdout_rate, demo.control.rate, 'the lift\'s holdout rate is the control rate');
    // The per-step endpoint gives the same report as the list.
    const one = await api('/api/journeys/finish-profile/channels/nudge');
    assert.equal(one.status, 200, 'GET /api/journeys/finish-profile/channels/nudge');
    assert.deepEqual(one.body, demo, 'the per-step report equals the item of /api/experiments');

    await open('#/experiments');
    await page.waitForSelector('[data-testid="channel-row"]');
    const cards = page.locator('[data-testid="channel-optimization"] [data-testid="channel-report"]');
    assert.equal(await cards.count(), reports.length, 'one card per `channel: auto` step');
    for (const [i, r] of reports.entries()) await expectChannelReportMatches(cards.nth(i), r, `${r.journey}/${r.step} on the experiments page`);
    await page.locator('[data-testid="channel-optimization"]').scrollIntoViewIfNeeded();
    await screenshot(page, '06b-experiments-channels');
  });

  test('journeys: a `channel: auto` step links to its channel optimization; other steps have none', async () => {
    const { body: jd } = await api('/api/journeys/finish-profile');
    const auto = jd.steps.filter((s) => s.channel === 'auto');
    assert.deepEqual(auto.map((s) => s.id), ['nudge'], 'the demo journey has one `channel: auto` step');
    await open('#/journeys/finish-profile');
    await page.waitForSelector('[data-testid="step-row"]');
    assert.equal(await page.locator('[data-testid="step-channels-link"]').count(), auto.length, 'a link on each auto step only');
    await page.locator('[data-testid="step-row"][data-id="nudge"] [data-testid="step-channels-link"]').click();
    await page.getByRole('heading', { name: 'Channel optimization: step nudge' }).waitFor();
    await page.waitForSelector('[data-testid="channel-row"]');
    await expectFocus('#channels-page-title', 'the focus moves to the heading');
    const { status, body: r } = await api('/api/journeys/finish-profile/channels/nudge');
    assert.equal(status, 200);
    await expectChannelReportMatches(page.locator('[data-testid="channel-report"]'), r, 'finish-profile/nudge on its page');
    await screenshot(page, '05b-journey-channels');
    // A journey without an auto step: no link, and its steps have no channel report.
    await page.evaluate(() => { location.hash = '#/journeys/abandoned-cart'; });
    await page.waitForSelector('[data-testid="step-row"][data-id="remind"]');
    assert.equal(await page.locator('[data-testid="step-channels-link"]').count(), 0, 'abandoned-cart has no auto step');
    assert.equal((await api('/api/journeys/abandoned-cart/channels/remind')).status, 404, 'the API has no report for a fixed-channel step');
    await page.evaluate(() => { location.hash = '#/journeys/abandoned-cart/channels/remind'; });
    const box = page.getByRole('region', { name: 'No channel optimization here' });
    await box.waitFor();
    assert.match(await box.textContent(), /no message step remind with channel: auto/);
    await screenshot(page, '05c-journey-channels-none');
    await box.getByRole('link', { name: 'its page' }).click();
    await page.waitForSelector('[data-testid="step-row"][data-id="remind"]');
  });

  test('alerts and schema are real pages in the navigation (their own tests: alerts.test.mjs, schema.test.mjs)', async () => {
    await open('#/journeys');
    for (const name of ['Alerts', 'Schema']) {
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      assert.equal(await page.getByText('Coming later.').count(), 0, `${name} is no longer a placeholder`);
    }
    await screenshot(page, '07-schema');
  });

  test('a narrow screen has no sideways scrolling, and the controls are labelled and reachable by keyboard', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await open('#/funnels/onboarding');
      await expectFunnelMatchesApi({}, 'narrow');
      await assertNoPageOverflow('funnel');
      await screenshot(page, '08-funnel-narrow');
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
        .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
      assert.deepEqual(unlabelled, [], 'every input has a label');
      for (const [route, ready, name] of [
        ['#/journeys', '[data-testid="journey"] [data-testid="goal-tile"]', '08-journeys-narrow'],
        ['#/journeys/abandoned-cart', '[data-testid="attained-chart"] .uplot', '08-journey-narrow'],
        ['#/experiments', '[data-testid="channel-row"]', '08-experiments-narrow'],
        ['#/journeys/finish-profile/channels/nudge', '[data-testid="channel-row"]', '08-channels-narrow'],
      ]) {
        await page.evaluate((h) => { location.hash = h; }, route);
        await page.waitForSelector(ready);
        await page.waitForFunction(() => !document.querySelector('.state-loading'));
        await assertNoPageOverflow(route);
        await screenshot(page, name);
      }
      // Tab from the top reaches the navigation and then the first control.
      await page.evaluate(() => { location.hash = '#/funnels/onboarding'; });
      await page.reload();
      await page.waitForSelector('[data-testid="step-count"]');
      const reached = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        reached.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim()));
      }
      assert.ok(reached.includes('Funnels'), `Tab reaches the navigation: ${reached.join(' | ')}`);
      assert.ok(reached.includes('f-funnel'), `Tab reaches the funnel picker: ${reached.join(' | ')}`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
