// Helpers of the dashboard's browser tests: a seeded demo store, `signpost serve` on a free port
// with the built dashboard, the admin API, and Debian's chromium through playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'tests/browser/artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Seeds a demo store in a temp folder (`demo: false`: an empty store with only an admin token, as
// `SIGNPOST_DEMO=0 make run` starts), runs each CLI command of `setup` on it (arrays of arguments
// after `--data DIR`), and starts `signpost serve --web web/dist` on it (`web: false`: without
// the dashboard), with `serveArgs` appended.
// Returns { url, token, stop() }; `url` is https:// when serveArgs hold --tls-cert. Throws with the fix when the binary or web/dist is missing, and
// with the seeding's output when any seeding step failed.
export async function startServer({ profiles = 800, setup = [], demo = true, web = true, serveArgs = [] } = {}) {
  const bin = resolve(ROOT, process.env.SIGNPOST_BIN || 'build/signpost');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it (make build-server) or set SIGNPOST_BIN`);
  if (web && !existsSync(join(ROOT, 'web/dist/index.html'))) throw new Error('web/dist is not built: run `make web`');
  const work = mkdtempSync(join(tmpdir(), 'signpost-browser-'));
  const data = join(work, 'data');
  let seeded = '';
  try {
    seeded = demo
      ? execFileSync('bash', [join(ROOT, 'scripts/demo/seed.sh'), bin, data, '--profiles', String(profiles)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      : execFileSync(bin, ['--data', data, 'keys', 'create', '--kind', 'admin', '--name', 'dashboard'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`${demo ? 'the demo seeding (scripts/demo/seed.sh)' : 'creating the admin token'} failed (exit ${e.status}):\n${e.stdout || ''}${e.stderr || ''}`);
  }
  for (const args of setup) execFileSync(bin, ['--data', data, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const keys = JSON.parse(execFileSync(bin, ['--data', data, 'keys', 'list', '--json'], { encoding: 'utf8' }));
  const admin = keys.find((k) => k.kind === 'admin' && !k.revoked);
  if (!admin) throw new Error(`the demo seeding made no admin token:\n${seeded}`);
  const proc = spawn(bin, ['serve', '--data', data, '--port', '0', ...(web ? ['--web', join(ROOT, 'web/dist')] : []), ...serveArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`signpost serve did not start in 20s:\n${log}`)), 20000);
    const on = (chunk) => {
      log += chunk;
      const m = log.match(/listening on (https?:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`signpost serve exited (${code}):\n${log}`)); });
  });
  return {
    url,
    token: admin.token,
    seeded,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((ok) => proc.once('exit', ok));
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

// The admin API of a started server: api(path, query) -> { status, body }.
export function adminApi(server) {
  return async (path, query = {}, method = 'GET') => {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString();
    const res = await fetch(`${server.url}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { Authorization: `Bearer ${server.token}` },
      body: method === 'POST' ? '' : undefined,
    });
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    return { status: res.status, body };
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (make deps installs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Texts of every element matching a selector (in document order).
export function texts(page, selector) {
  return page.locator(selector).allTextContents().then((t) => t.map((s) => s.trim()));
}

// "3,000" -> 3000
export const count = (s) => Number(String(s).replace(/,/g, ''));
