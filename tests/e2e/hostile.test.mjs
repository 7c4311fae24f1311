// Hostile scenarios opened in the page, as a visitor following a link would: every one is
// refused with a reason, runs to its end, or stops with a message saying why; none
// freezes or crashes the tab. The CLI runs all of `tests/hostile/` (its expectations are
// in `expected.json`); this is the subset that exercises the page's own paths: the file
// size cap before reading, refusal notices, problems, and the worker's clean stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveApp, saveScreenshot } from './harness.mjs';

const app = serveApp();
const HOSTILE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../hostile');

async function open(page, name, buffer = fs.readFileSync(path.join(HOSTILE, name))) {
  await page.setInputFiles('#open-file', { name, mimeType: 'application/json', buffer });
}

async function playToEnd(page) {
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => !/computing|loading|playing|ready/.test(document.querySelector('#player-status').textContent),
    undefined, { timeout: 60000 });
  return page.textContent('#player-status');
}

test('files that are not scenarios, or are too big, are refused with a reason before anything runs', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const cases = [
    ['not-json.json', /Cannot open not-json\.json: .*expected/],
    ['deeply-nested.json', /recursion limit/],
    ['typo-next-to-params.json', /reserved_concurency/],
    ['type-error-deep-in-params.json', /nodes\[1\]\.params\.handler\[1\]\.call\.times/],
    ['future-version.json', /version 99 is not supported/],
  ];
  for (const [name, reason] of cases) {
    await open(page, name);
    await page.waitForSelector('.notice.refused');
    assert.match(await page.textContent('.notice.refused'), reason, name);
    await page.click('.notice button');
  }
  // 17 MB: refused from its size, before it is read.
  await open(page, 'huge.json', Buffer.alloc(17_000_000, 0x20));
  await page.waitForSelector('.notice.refused');
  assert.match(await page.textContent('.notice.refused'), /17\.0 MB; Surge reads scenarios of at most 16 MB/);
  assert.ok(await page.isVisible('g.node[data-node="fn"]'), 'the diagram is still the starter');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a loop that takes no time is a problem before the run, and Play says it cannot run', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await open(page, 'choice-default-itself-express.json');
  await page.waitForSelector('g.node[data-node="m"]');
  await page.waitForSelector('.problem-count');
  await page.click('.canvas-svg', { position: { x: 5, y: 5 } });
  assert.match(await page.textContent('.problems'), /loop without taking any time/);
  assert.match(await playToEnd(page), /cannot run/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 30,000-item Map runs to its end; zero-time loops stop with a message naming the cause', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await open(page, 'map-30000-items-express.json');
  await page.waitForSelector('g.node[data-node="m"]');
  assert.equal(await playToEnd(page), 'finished');

  for (const [name, node] of [['nested-maps-zero-time.json', 'm'], ['sqs-loop-allowed-zero-latency.json', 'q']]) {
    await open(page, name);
    await page.waitForSelector(`g.node[data-node="${node}"]`);
    const status = await playToEnd(page);
    assert.match(status, /without simulated time passing/, `${name}: ${status}`);
    await page.click('#tab-run');
    await page.waitForSelector('#run-stopped');
    assert.match(await page.textContent('#run-stopped'), /Stopped at t = \d+ s/);
    await saveScreenshot(page, `hostile-${name.replace('.json', '')}.png`);
    await page.click('#tab-inspector');
  }
  // The page stayed responsive throughout, and the editor still works.
  await page.click('#new');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a run of billions of requests is announced before it runs', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await open(page, 'client-timeouts-10m-per-s.json');
  await page.waitForSelector('g.node');
  await page.click('.canvas-svg', { position: { x: 5, y: 5 } });
  await page.waitForSelector('#warnings');
  assert.match(await page.textContent('#warnings'), /billion/);
  assert.deepEqual(errors, []);
  await context.close();
});
