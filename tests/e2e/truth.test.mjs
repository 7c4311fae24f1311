// A canvas that tells the truth: nodes coloured by what happens to their calls (a
// database outage turns the affected nodes red), Play never moves a node, the event log
// speaks in the canvas's names with grouped lines that go to their moment and node, a new
// connection's inspector shows the model's defaults, and a connection setting changed
// between two runs is named in the A/B legend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, untilFinished, loadPreset } from './harness.mjs';

const app = serveApp();

// Where each node is drawn: its place in the diagram and where the canvas itself sits (a
// strip or log appearing above or below it would shift it).
const boxes = (page) => page.evaluate(() => {
  const svg = document.querySelector('#canvas-svg').getBoundingClientRect();
  const nodes = [...document.querySelectorAll('g.node')].map((g) => [g.dataset.node, g.getAttribute('transform')]);
  return { canvas: [svg.x, svg.y, svg.width, svg.height].map(Math.round), nodes, view: document.querySelector('#canvas-svg g.viewport')?.getAttribute('transform') };
});

const clock = (page) => page.evaluate(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]));

test('a database outage turns the affected nodes red; Play never moves a node; log lines go to their moment', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.node[data-node="db"]');
  const before = await boxes(page);
  await page.selectOption('#speed', '4×');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) >= 4);
  assert.deepEqual(await boxes(page), before, 'starting a run moves no node');
  await page.click('#play'); // pause
  await page.waitForFunction(() => document.querySelector('#player-status').textContent === 'paused');
  assert.equal(await page.locator('g.node.health-failing').count(), 0, 'nothing fails before the outage');

  await page.click('g.node[data-node="db"] .node-box');
  await page.selectOption('#inject-duration', '30');
  await page.click('.inject-button[data-fault="outage"]');
  await page.waitForFunction(() => /injected an outage for 30 s/.test(document.querySelector('#event-log').textContent));
  await page.click('#play');
  // The database and everything that waits on it fail: red, with the reason on hover.
  await page.waitForFunction(() => ['db', 'proxy', 'fn'].every((id) => document.querySelector(`g.node[data-node="${id}"]`)?.classList.contains('health-failing')));
  assert.match(await page.textContent('g.node[data-node="db"] title'), /failing/);
  assert.deepEqual(await boxes(page), before, 'nor does a run that fails');
  await page.click('#play'); // pause
  await page.waitForFunction(() => document.querySelector('#player-status').textContent === 'paused');
  await saveScreenshot(page, 'truth-outage.png');

  // The log says it once a line, in the canvas's names, and a line's time goes there.
  const lines = await page.$$eval('#event-log li', (els) => els.map((e) => e.textContent));
  const outage = lines.find((l) => /refused: unavailable \(503\)/.test(l));
  assert.ok(outage, lines.join('\n'));
  assert.match(outage, /t=\d+(–\d+)? s orders-db: /, 'named as on the canvas');
  assert.ok(lines.filter((l) => /unavailable/.test(l)).length <= 2, `grouped: ${lines.join('\n')}`);
  assert.ok(!lines.some((l) => /: 1 cold starts/.test(l)), 'one cold start, not starts');
  await page.click('#event-log li:has-text("unavailable") .log-time');
  const from = Number(outage.match(/t=(\d+)/)[1]);
  await page.waitForFunction((t) => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) === t, from);
  assert.equal(await page.getAttribute('g.node[data-node="db"]', 'aria-pressed'), 'true', 'its node selected');
  assert.equal(await clock(page), from);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new connection shows the model defaults; a connection setting is named in the A/B legend', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson11-queue-buffer');
  await page.waitForSelector('g.edge[data-edge="orders→worker"]');
  // The dead-letter queue is drawn as a reference of its own, and chosen from a list.
  assert.equal(await page.locator('g.ref[data-ref="orders→orders-dlq"] .ref-label').textContent(), 'DLQ');
  await page.click('g.node[data-node="orders"] .node-box');
  assert.equal(await page.$eval('#param-params-dead_letter_queue', (s) => s.value), 'orders-dlq');
  assert.deepEqual(await page.$$eval('#param-params-dead_letter_queue option', (os) => os.map((o) => o.value)), ['', 'orders-dlq']);
  // Delete and redraw the queue's connection: a fresh one, with no settings of its own.
  await page.click('g.edge[data-edge="orders→worker"] .edge-hit', { force: true });
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => !document.querySelector('g.edge[data-edge="orders→worker"]'));
  const port = await page.locator('g.node[data-node="orders"] .port-out').boundingBox();
  const worker = await page.locator('g.node[data-node="worker"] .node-box').boundingBox();
  await page.mouse.move(port.x + port.width / 2, port.y + port.height / 2);
  await page.mouse.down();
  await page.mouse.move(worker.x + worker.width / 2, worker.y + worker.height / 2, { steps: 10 });
  await page.mouse.up();
  await page.waitForSelector('g.edge[data-edge="orders→worker"]');
  await page.click('g.edge[data-edge="orders→worker"] .edge-hit', { force: true });
  await page.waitForSelector('#esm-esm-scaling');
  assert.equal(await page.$eval('#esm-esm-scaling', (s) => s.value), 'standard');
  assert.equal(await page.$eval('#esm-esm-backlog-order', (s) => s.value), 'fifo');
  // A blank number shows the model's default in place.
  assert.equal(await page.getAttribute('#esm-esm-batch_size', 'placeholder'), '10');
  assert.equal(await page.getAttribute('#esm-esm-maximum_concurrency', 'placeholder'), 'none');
  await saveScreenshot(page, 'truth-edge-defaults.png');

  // Set a maximum concurrency, run, pin; change it; the legend names the change.
  await page.fill('#esm-esm-maximum_concurrency', '50');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  await page.click('#tab-run');
  await page.click('#pin');
  await page.click('g.edge[data-edge="orders→worker"] .edge-hit', { force: true });
  await page.fill('#esm-esm-maximum_concurrency', '5');
  await page.click('#tab-run');
  await page.waitForSelector('#pinned-note');
  await page.click('#play');
  await untilFinished(page);
  await page.waitForSelector('#compare');
  assert.match(await page.textContent('#compare figcaption'), /orders → worker\.esm\.maximum_concurrency: 50 → 5/);
  assert.deepEqual(errors, []);
  await context.close();
});
