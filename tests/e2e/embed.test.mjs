// Embeds on a docs page: a static host page (tests/e2e/host/) holds two iframes with
// different scenarios, with Surge published under a nested sub-path as a docs site would.
// Click-to-load fetches no wasm before the click; autoplay plays; the host drives an
// embed (load, play, seek, inject) and hears its events; reveal.js's slide:start and
// slide:stop play and pause; nothing is written to local storage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DIST, serveTree, launchBrowser, saveScreenshot, cliLink, dismissGallery, untilFinished } from './harness.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const SCENARIOS = path.resolve(HERE, '../scenarios');
const SUB = '/docs/tools/surge/';
let server;
let browser;

before(async () => {
  server = await serveTree({ [SUB]: DIST, '/': path.join(HERE, 'host') });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the host page, recording every request for a wasm file. */
async function hostPage() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1100 } });
  const page = await context.newPage();
  const errors = [];
  const wasm = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  context.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  await page.goto(server.url);
  return { page, context, errors, wasm };
}

async function frame(page, id) {
  const handle = await page.$(`#${id}`);
  return handle.contentFrame();
}

const events = (page, type, from) => page.evaluate(([t, f]) => window.events.filter((e) => e.type === t && (!f || e.from === f)), [type, from]);

test('the dist build under a nested sub-path loads and runs', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}${SUB.slice(1)}`);
  await dismissGallery(page);
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two embeds: click-to-load fetches no wasm before the click; the host drives the other and hears it', async () => {
  const { page, context, errors, wasm } = await hostPage();
  const base = `${server.url}${SUB.slice(1)}`;
  const storm = cliLink(path.join(SCENARIOS, 'lesson7-storm-proxy.json'), '');
  const little = cliLink(path.join(SCENARIOS, 'lesson1-littles-law.json'), '');
  await page.evaluate(([a, b]) => {
    document.getElementById('first').src = a;
    document.getElementById('second').src = b;
  }, [
    `${base}embed.html?embed&show=both&controls=minimal&load=click&title=The%20connection%20storm${storm}`,
    `${base}embed.html?embed&show=canvas&controls=full&load=click&title=Little%27s%20law${little}`,
  ]);
  const first = await frame(page, 'first');
  await first.waitForSelector('#start');
  assert.equal(await first.textContent('#title'), 'The connection storm');
  await page.waitForTimeout(500);
  assert.deepEqual(wasm, [], 'no wasm before a click');
  await saveScreenshot(page, 'embed-placeholders.png');

  // Click the first: Surge loads in its frame and plays (autoplay comes with the click).
  await first.click('#start');
  const firstApp = await frame(page, 'first');
  await firstApp.waitForSelector('g.node[data-node="db"]');
  await firstApp.waitForFunction(() => /playing|computing|finished/.test(document.querySelector('#player-status')?.textContent ?? ''), undefined, { polling: 100 });
  assert.ok(wasm.length > 0, 'the click loaded the wasm');
  assert.ok(await firstApp.isVisible('#open-in-surge'));
  assert.match(await firstApp.getAttribute('#open-in-surge', 'href'), /\/docs\/tools\/surge\/#s1\./);

  // Load the second and drive it from the host.
  const second = await frame(page, 'second');
  await second.click('#start');
  const secondApp = await frame(page, 'second');
  await secondApp.waitForSelector('g.node[data-node="fn"]');
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'pause' }));
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'hello' }));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'ready' && e.from === 'second'));
  // load another scenario (the storm), seek, inject, play to the end.
  await page.evaluate((link) => window.send('second', { surge: 'embed', v: 1, type: 'load', link }), storm);
  await secondApp.waitForSelector('g.node[data-node="db"]');
  await page.waitForFunction(() => window.events.some((e) => e.type === 'loaded' && e.from === 'second' && e.nodes.includes('db')));
  await page.evaluate(() => window.send('second', JSON.stringify({ surge: 'embed', v: 1, type: 'seek', t: 20 })));
  await secondApp.waitForFunction(() => /^t = 20 s/.test(document.querySelector('#clock').textContent)
    && document.querySelector('#player-status').textContent === 'paused');
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'inject', node: 'db', kind: 'outage', duration_s: 10 }));
  // The full controls offer to keep the injected fault.
  await secondApp.waitForSelector('#keep-faults');
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'setSpeed', speed: 'max' }));
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'play' }));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'finished' && e.from === 'second'), undefined, { timeout: 60000 });
  const times = await events(page, 'time', 'second');
  assert.ok(times.length > 0, 'time events');
  assert.ok(times.every((e) => typeof e.t === 'number' && e.kpis && typeof e.kpis.requests === 'number'));
  const [finished] = await events(page, 'finished', 'second');
  assert.match(finished.digest, /^[0-9a-f]{16}$/);
  assert.ok(finished.kpis.failed > 0, 'the injected outage failed requests');
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'getReport' }));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'report'));
  const [report] = await events(page, 'report', 'second');
  assert.ok(JSON.parse(report.report).nodes.some((n) => n.id === 'db'));
  // A bad message is answered with an error, not obeyed.
  await page.evaluate(() => window.send('second', { surge: 'embed', v: 1, type: 'inject', node: 'nope', kind: 'outage', duration_s: 1 }));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'error' && /no node/.test(e.message)));
  assert.ok((await events(page, 'resize', 'second')).length > 0, 'resize events');

  // Nothing in local storage, in the host or in either embed.
  for (const f of [page.mainFrame(), firstApp, secondApp]) {
    assert.equal(await f.evaluate(() => localStorage.length), 0, f.url());
  }
  await saveScreenshot(page, 'embed-host.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an iframe of the page itself in embed mode loads on click by default', async () => {
  const { page, context, errors, wasm } = await hostPage();
  const base = `${server.url}${SUB.slice(1)}`;
  const link = cliLink(path.join(SCENARIOS, 'lesson1-littles-law.json'), '');
  await page.evaluate((src) => { document.getElementById('first').src = src; }, `${base}index.html?embed&title=Little${link}`);
  const placeholder = await frame(page, 'first');
  await placeholder.waitForSelector('#start');
  await page.waitForTimeout(300);
  assert.deepEqual(wasm, []);
  assert.match(placeholder.url(), /embed\.html\?embed&title=Little#s1\./);
  assert.deepEqual(errors, []);
  await context.close();
});

test('autoplay, and reveal.js slide:start / slide:stop play and pause an embed', async () => {
  const { page, context, errors } = await hostPage();
  const base = `${server.url}${SUB.slice(1)}`;
  const link = cliLink(path.join(SCENARIOS, 'lesson7-storm-proxy.json'), '');
  await page.evaluate((src) => { document.getElementById('first').src = src; },
    `${base}index.html?embed&controls=minimal&autoplay=1&speed=1&load=eager&theme=dark${link}`);
  const app = await frame(page, 'first');
  await app.waitForSelector('g.node[data-node="db"]');
  await app.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'playing');
  // Autoplay plays: the clock moves on by itself.
  await app.waitForFunction(() => /^t = [1-9]/.test(document.querySelector('.player .clock')?.textContent ?? ''));
  await page.evaluate(() => window.send('first', 'slide:stop'));
  await app.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'paused');
  await page.evaluate(() => window.send('first', 'slide:start'));
  await app.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'playing');
  await page.evaluate(() => window.send('first', JSON.stringify({ namespace: 'reveal', eventName: 'slide:stop' })));
  await app.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'paused');
  assert.ok(await app.evaluate(() => document.querySelector('.app').classList.contains('theme-dark')));
  assert.equal(await app.evaluate(() => localStorage.length), 0);
  await saveScreenshot(page, 'embed-autoplay.png');
  assert.deepEqual(errors, []);
  await context.close();
});
