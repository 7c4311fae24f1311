// Watching a run: Play computes the run in slices and the canvas shows gauges and health as
// it goes; the finished run equals the CLI's for the same scenario; the scrubber moves back
// over recorded seconds without re-running; an edit ends the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveApp, saveScreenshot, cliReport as cli, dismissGallery, untilFinished } from './harness.mjs';

const app = serveApp();

test('play, watch the gauges, finish like the CLI, scrub back, edit ends the run', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  assert.equal(await page.textContent('#player-status'), 'ready');
  await page.click('#step');
  // The worker computes the second; the clock shows it once it has arrived.
  await page.waitForFunction(() => /^t = 1 s \/ \d+ s$/.test(document.querySelector('#clock')?.textContent));
  assert.ok(await page.isVisible('g.node[data-node="fn"] .node-gauge'), 'a gauge after one second');

  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  const gauge = await page.textContent('g.node[data-node="fn"] .node-gauge');
  assert.match(gauge, /^\d+\/10/);
  await saveScreenshot(page, 'player-finished.png');

  await page.click('#tab-run');
  const scenario = await page.textContent('#scenario-json');
  const report = cli(scenario);
  assert.equal(Number(await page.textContent('#kpi-requests')), report.ledger.arrived);
  const failed = Object.values(report.ledger.failed).reduce((a, b) => a + b, 0);
  assert.equal(Number(await page.textContent('#kpi-rejected')), failed);

  // Scrub back to 5 s: the recorded second is shown, nothing re-runs.
  await page.fill('#scrubber', '5');
  assert.match(await page.textContent('#clock'), /^t = 5 s /);
  assert.equal(await page.textContent('#player-status'), 'finished');

  // Editing the diagram ends the run: the gauges go.
  await page.click('g.node[data-node="fn"] .node-box');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => !document.querySelector('.node-gauge'));
  assert.equal(await page.textContent('#player-status'), 'ready');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a long lesson plays without freezing the page', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('#tab-run');
  await page.selectOption('#preset', 'lesson2-burst-limit1000-current');
  await page.click('#load-preset');
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.selectOption('#speed', 'max');
  const started = Date.now();
  await page.click('#play');
  // While it computes, the page answers: measure how long a trivial evaluate takes.
  const latencies = [];
  while ((await page.textContent('#player-status')) !== 'finished') {
    const t0 = Date.now();
    await page.evaluate(() => 1);
    latencies.push(Date.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const worst = latencies[latencies.length - 1] ?? 0;
  console.log(`# lesson 2 (240 s, ~2.2 M events) played at max in ${Date.now() - started} ms; ${latencies.length} input round trips meanwhile, worst ${worst} ms`);
  assert.ok(latencies.length > 3, 'the page answered while the run was computing');
  assert.ok(await page.locator('g.node.health-throttling').count() >= 1, 'throttling shows in its colour');
  // At 1280 px the finished run's strip (with its whole-run figures) fits its fixed height,
  // and the key to the marks and colours sits in the canvas' corner.
  await page.waitForSelector('.kpi-strip dt:has-text("p99, whole run")');
  const strip = await page.locator('.kpi-strip').evaluate((e) => [e.scrollHeight, e.clientHeight]);
  assert.ok(strip[0] <= strip[1], `the KPI strip shows all it holds (content ${strip[0]} px in ${strip[1]} px)`);
  assert.ok(await page.locator('.canvas .marks-legend').isVisible(), 'the marks key is on the canvas');
  await saveScreenshot(page, 'player-lesson2.png');
  // A narrower window (the canvas column ~470 px): the strip has room for three lines.
  await page.setViewportSize({ width: 1024, height: 800 });
  const narrow = await page.locator('.kpi-strip').evaluate((e) => [e.scrollHeight, e.clientHeight]);
  assert.ok(narrow[0] <= narrow[1], `at 1024 px the KPI strip shows all it holds (content ${narrow[0]} px in ${narrow[1]} px)`);
  const key = await page.locator('.canvas .marks-legend').boundingBox();
  const mini = await page.locator('svg.minimap').boundingBox();
  assert.ok(key.x + key.width <= mini.x, `the marks key stays clear of the minimap: ${JSON.stringify([key, mini])}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('pause, inject a database outage, resume: errors in the log; scrub back; CSV equals the CLI', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('#tab-run');
  await page.selectOption('#preset', 'lesson7-storm-proxy');
  await page.click('#load-preset');
  await page.waitForSelector('g.node[data-node="db"]');
  await page.selectOption('#speed', '4×');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) >= 4);
  assert.ok(Number(await page.getAttribute('.particle-layer', 'data-marks')) > 0, 'marks move along busy edges');
  const gaugeBefore = await page.textContent('g.node[data-node="db"] .node-gauge');
  await page.click('#play'); // pause
  await page.waitForFunction(() => document.querySelector('#player-status').textContent === 'paused');
  // Paused at 4×, the marks still travel along the edges (the calls in flight at that
  // second); at "max" they are drawn with each view, not at every animation frame.
  const marksMove = () => page.locator('.particle-layer').evaluate(async (c) => {
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // At "max" the marks of a new view are drawn two frames after it: counted in frames
    // (a loaded machine may draw none in 150 ms).
    await new Promise((r) => setTimeout(r, 150));
    await frames();
    await frames();
    const before = c.toDataURL();
    await new Promise((r) => setTimeout(r, 150));
    await frames();
    return before !== c.toDataURL();
  });
  assert.ok(await marksMove(), 'paused at 4×, the marks move');
  await page.selectOption('#speed', 'max');
  assert.equal(await marksMove(), false, 'at "max", the marks stay still between views');
  assert.ok(Number(await page.getAttribute('.particle-layer', 'data-marks')) > 0, 'and are drawn');
  await page.selectOption('#speed', '4×');

  await page.click('g.node[data-node="db"] .node-box');
  await page.selectOption('#inject-duration', '10');
  await page.click('.inject-button[data-fault="outage"]');
  // The worker replays the run with the fault, then the log says so.
  await page.waitForFunction(() => /: injected an outage for 10 s/.test(document.querySelector('#event-log').textContent));
  await saveScreenshot(page, 'player-injected.png');

  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  // The inspector (still on the database) follows the player: no fault to inject once the
  // run is over.
  await page.waitForFunction(() => document.querySelectorAll('.inject-button').length === 0, null, { timeout: 5000 });
  const log = await page.textContent('#event-log');
  assert.match(log, /unavailable \(503\)/, 'the outage shows as failures in the log');
  const gaugeAfter = await page.textContent('g.node[data-node="db"] .node-gauge');
  assert.notEqual(gaugeAfter, gaugeBefore);

  // The charts follow the run: the database's (selected) and the end-to-end one show the
  // failures; hovering reads a second's values; the KPI strip shows the damage.
  assert.ok(await page.isVisible('#chart-node'));
  assert.match(await page.textContent('#live-cost'), /^\$\d+\.\d{4}$/, 'cost so far');
  assert.equal(await page.textContent('#live-dlq'), '0');
  const nodeChart = await page.locator('#chart-node').boundingBox();
  const nodeReadouts = [];
  for (let x = 50; x < nodeChart.width - 12; x += 8) {
    await page.mouse.move(nodeChart.x + x, nodeChart.y + 40);
    nodeReadouts.push(await page.textContent('#panel-inspector .live-chart .readout'));
  }
  assert.ok(nodeReadouts.some((r) => /failures: \d+ refused: unavailable \(503\)/.test(r)), 'failures by kind on hover');
  assert.ok(nodeReadouts.some((r) => /p99 \d+ ms/.test(r)), 'latency per second on hover');
  assert.ok(Number((await page.textContent('#live-success')).replace(' %', '')) < 100);
  await page.click('#tab-run');
  const chart = await page.locator('#chart-e2e').boundingBox();
  const readouts = [];
  for (let x = 50; x < chart.width - 12; x += 6) {
    await page.mouse.move(chart.x + x, chart.y + chart.height / 2);
    readouts.push(await page.textContent('.live-chart .readout'));
  }
  const failing = readouts.filter((r) => Number(r.match(/(\d+)\/s failed/)[1]) > 0);
  assert.ok(failing.length > 0, `errors rise on the chart: ${readouts.slice(0, 5)}`);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('.live-chart button')]);
  assert.equal(png.suggestedFilename(), 'surge-end-to-end.png');
  await page.click('#tab-inspector');

  // Scrub back before the outage: the log no longer has it.
  await page.fill('#scrubber', '2');
  assert.match(await page.textContent('#clock'), /^t = 2 s /);
  assert.doesNotMatch(await page.textContent('#event-log'), /injected/);

  // The finished run, exported as CSV, equals the CLI's run of the scenario it shows
  // (its fault schedule includes the injected outage).
  await page.click('#tab-run');
  const scenario = await page.textContent('#scenario-json');
  assert.match(scenario, /"kind": "outage"/);
  const report = cli(scenario);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const rows = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => l.split(','));
  const header = rows.shift();
  const col = (name) => header.indexOf(name);
  for (const node of report.nodes) {
    const mine = rows.filter((r) => r[0] === node.id);
    assert.equal(mine.length, node.series.length, `${node.id}: one row per second`);
    node.series.forEach((s, i) => {
      for (const field of ['arrivals', 'ok', 'errors', 'throttled', 'mean_in_node', 'p99_ms']) {
        assert.equal(Number(mine[i][col(field)]), s[field], `${node.id} second ${i} ${field}`);
      }
    });
  }
  const dbFailed = report.nodes.find((n) => n.id === 'db').errors.unavailable;
  assert.ok(dbFailed > 0, 'the CLI sees the outage too');
  assert.deepEqual(errors, []);
  await context.close();
});

test('A/B: pin a run, change one thing, watch the second against it with the difference named', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  await page.click('#tab-run');
  await page.click('#pin');

  // Double the function's concurrency: an edit, so the run ends and A stays pinned.
  await page.click('g.node[data-node="fn"] .node-box');
  await page.fill('#param-params-reserved_concurrency', '20');
  await page.fill('#param-params-provisioned_concurrency', '20');
  await page.click('#tab-run');
  await page.waitForSelector('#pinned-note');
  // While B plays, the strip's whole-run figures are not A's: they come with B's report.
  await page.selectOption('#speed', '4×');
  await page.click('#play');
  await page.waitForFunction(() => /^t = [1-9]/.test(document.querySelector('#clock').textContent));
  assert.doesNotMatch(await page.textContent('.kpi-strip'), /whole run/, 'no whole-run figures of the last run');
  assert.equal(await page.textContent('.results-idle'), 'The results come when the run reaches its end.');
  await page.selectOption('#speed', 'max');
  await untilFinished(page);
  await page.waitForSelector('#compare');
  const caption = await page.textContent('#compare figcaption');
  assert.match(caption, /fn\.reserved_concurrency: 10 → 20/);
  assert.match(caption, /fn\.provisioned_concurrency: 10 → 20/);
  const [, , aFailed, , bFailed] = caption.match(/A: (\d+) ok, (\d+) failed · B so far: (\d+) ok, (\d+) failed/).map(Number);
  assert.ok(bFailed < aFailed / 10, `twice the capacity, far fewer failures: A ${aFailed}, B ${bFailed}`);
  await saveScreenshot(page, 'player-ab.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('reduced motion: nothing moves, the counters still tell', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(app.url);
  await dismissGallery(page);
  await page.waitForSelector('g.node');
  await page.selectOption('#speed', '4×');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) >= 3);
  assert.equal(await page.getAttribute('.particle-layer', 'data-marks'), '0');
  assert.match(await page.textContent('g.edge .edge-label'), /sync · \d+/, 'calls in flight as a counter');
  await page.click('#play');
  await context.close();
});
