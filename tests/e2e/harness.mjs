// Shared e2e harness: a loopback static server for dist/ and a headless Debian Chromium.
// Each test file starts and stops its own server and browser (`serveApp`), so nothing
// outlives a run.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const DIST = process.env.SURGE_DIST ?? path.resolve('../../dist');
export const SURGE_BIN = process.env.SURGE_BIN ?? path.resolve('../../target/debug/surge');
export const ARTIFACTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'artifacts');

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serveDist(root = DIST) {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html missing: build with \`cargo xtask dist\` first`);
  }
  return serveTree({ '/': root }, true);
}

/**
 * Serves several directories, each under its own URL prefix (`{'/a/b/surge/': dist,
 * '/': hostPages}`): Surge under a nested sub-path next to a host page, as a docs site
 * would publish it. Resolves to { url, close } (url ends with `/`).
 */
export function serveTree(mounts, fallback = false) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = prefixes.find((p) => urlPath.startsWith(p));
    if (!prefix) { res.writeHead(404).end(); return; }
    const root = mounts[prefix];
    let file = path.join(root, urlPath.slice(prefix.length));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    // A single-page app: unknown paths get its page (`fallback`), otherwise a 404.
    if (!fs.existsSync(file) && fallback) file = path.join(root, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Runs `surge link encode FILE --base BASE [args…]` and returns the link. */
export function cliLink(file, base, ...args) {
  return execFileSync(SURGE_BIN, ['link', 'encode', file, '--base', base, ...args], { encoding: 'utf8' }).trim();
}

/** Launches Debian's Chromium headless with the flags this closed network needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

/**
 * A page that records console errors and uncaught page errors. `options` are the
 * context's (colorScheme, hasTouch, isMobile…).
 */
export async function openPage(browser, url, viewport = { width: 1280, height: 800 }, options = {}) {
  const { gallery = false, ...contextOptions } = options;
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  if (!gallery) await dismissGallery(page);
  return { page, context, errors };
}

/**
 * A first visit lands on the lesson gallery; tests about other things start from the
 * diagram behind it (`openPage` does this unless given `gallery: true`).
 */
export async function dismissGallery(page) {
  await page.waitForSelector('.app', { timeout: 30000 }).catch(() => {});
  if (await page.locator('#gallery').count()) await page.click('#gallery-close');
}

export function saveScreenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

/** Runs the `surge` CLI on a scenario's JSON and returns its report (`--json`). */
export function cliReport(scenarioJson) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-e2e-')), 'scenario.json');
  fs.writeFileSync(file, scenarioJson);
  return JSON.parse(execFileSync(SURGE_BIN, ['run', file, '--json'], { encoding: 'utf8' }));
}

/**
 * For a test file: serves dist/ and launches Chromium before its tests, closes both after.
 * `app.url` is the page's address, `app.browser` the browser (for contexts with special
 * options); `app.open(query, viewport, options)` opens the page in a fresh context.
 */
export function serveApp() {
  const app = { url: '', browser: null, open: null };
  let server;
  let browser;
  before(async () => {
    server = await serveDist();
    browser = await launchBrowser();
    app.url = server.url;
    app.browser = browser;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  app.open = (query = '', viewport = undefined, options = {}) => openPage(browser, `${app.url}${query}`, viewport, options);
  return app;
}

/**
 * A generated diagram of `rows` rows of clients → API → function → proxy → database
 * (5 × rows nodes, 4 × rows edges), for the editor benchmarks.
 */
export function rowsScenario(rows) {
  const columns = ['client', 'api_gateway', 'lambda', 'rds_proxy', 'rds'];
  const nodes = [];
  const edges = [];
  for (let r = 0; r < rows; r++) {
    columns.forEach((kind, c) => {
      const id = `${kind}-${r}`;
      const params = kind === 'lambda' ? { handler: [{ call: { node: `rds_proxy-${r}` } }] } : {};
      nodes.push({ id, kind, params, position: { x: 40 + c * 240, y: 40 + r * 80 } });
      if (c > 0) edges.push({ from: `${columns[c - 1]}-${r}`, to: id });
    });
  }
  return { format: 'surge-scenario', version: 6, seed: 1, duration_s: 10, nodes, edges };
}

/** Median, 95th percentile and largest of `values`, and how many. */
export function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { count: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

/**
 * Loads a lesson preset from the Run tab (the canvas must be there), and waits for the view
 * to be framed on it (a zero-delay timer the load sets; one set after it runs after it).
 */
export async function loadPreset(page, id) {
  await page.waitForSelector('g.node');
  await page.click('#tab-run');
  await page.selectOption('#preset', id);
  await page.click('#load-preset');
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** Plays the loaded scenario at full speed until the player says it finished. */
export async function playToEnd(page) {
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
}

/**
 * Waits until the run is finished and its results are shown: the status says "finished"
 * with the last frame; the run's report (its whole-run figures, the pin) renders in a task
 * of its own a moment later.
 */
export async function untilFinished(page, timeout = 120000) {
  await page.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'finished'
    && /whole run/.test(document.querySelector('.kpi-strip')?.textContent ?? ''), null, { timeout });
}

/**
 * Resolves once the autosave has written the last change. The page writes it 300 ms after
 * the change rests, in a timer set when the change rendered; a timer set later, in the page,
 * with a later deadline runs after it however late the machine runs both, where a sleep in
 * the test could end first.
 */
export async function afterAutosave(page) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 450)));
}
