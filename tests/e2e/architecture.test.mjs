// The simulation runs in a worker: a long lesson computes fast with the page free the whole
// time (no main-thread task above 20 ms, by Chromium's trace); a run that would take
// minutes stops at once; and copy and paste carries every reference to the copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, cliReport as cli, untilFinished, afterAutosave } from './harness.mjs';

const app = serveApp();

/** Opens a scenario through the toolbar's file input, as a user does. */
async function openScenario(page, scenario) {
  await page.setInputFiles('#open-file', {
    name: 'scenario.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(scenario)),
  });
  await page.waitForSelector(`g.node[data-node="${scenario.nodes[0].id}"]`);
}

/** Clicks `selector` and resolves with the milliseconds until `#player-status` matches. */
function clickUntilStatus(page, selector, pattern) {
  return page.evaluate(({ selector, source }) => new Promise((resolve) => {
    const status = document.querySelector('#player-status');
    const want = new RegExp(source);
    const t0 = performance.now();
    const check = () => {
      if (want.test(status.textContent)) {
        observer.disconnect();
        resolve(performance.now() - t0);
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(status, { childList: true, characterData: true, subtree: true });
    document.querySelector(selector).click();
    check();
  }), { selector, source: pattern.source });
}

/** The longest task the page's main thread ran in a Chromium trace (microseconds → ms). */
function longestMainThreadTask(buffer) {
  const events = JSON.parse(buffer.toString()).traceEvents;
  // The page's renderer main thread: of the threads named so, the one that ran the most.
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasksOf = (m) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.name === 'RunTask');
  const tasks = mains.map(tasksOf).sort((a, b) => b.length - a.length)[0] ?? [];
  return { longest: Math.max(0, ...tasks.map((e) => e.dur)) / 1000, count: tasks.length };
}

// The simulation runs in the worker, so the page stays responsive whatever the machine's
// speed: a whole run on the main thread would take seconds in one task. The budgets below
// catch that; the figures themselves (0.8 s and 20 ms on a quiet machine) are benchmarks,
// printed here and kept in BENCHMARKS.md, because this shared machine's speed varies by
// half from hour to hour (the same build measured 0.6–0.76 s one day and 1.0–1.3 s the next).
test('lesson 2 at max: the page stays responsive while the worker runs it (traced)', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  // Warm up once (the worker's start and the first text layout of gauges and counters
  // are one-time costs, measured separately in BENCHMARKS.md): the starter at max.
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  await page.click('#tab-run');
  const times = [];
  const worst = [];
  await page.selectOption('#preset', 'lesson2-burst-limit1000-current');
  await page.click('#load-preset');
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.selectOption('#speed', 'max');
  for (let run = 0; run < 3; run += 1) {
    if (run > 0) {
      // Start again from 0 s: the run is computed anew.
      await page.click('#restart');
      await page.waitForFunction(() => /^(paused|ready)$/.test(document.querySelector('#player-status')?.textContent)
        && /^t = 0 s/.test(document.querySelector('#clock').textContent));
    }
    await app.browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    times.push(await clickUntilStatus(page, '#play', /^finished$/));
    const trace = longestMainThreadTask(await app.browser.stopTracing());
    assert.ok(trace.count > 20, `the trace saw the page work (${trace.count} tasks)`);
    worst.push(trace.longest);
  }
  const median = [...times].sort((a, b) => a - b)[1];
  console.log(`# lesson 2 at max: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${median.toFixed(0)}); longest main-thread task ${worst.map((w) => w.toFixed(1)).join(', ')} ms`);
  // Each run's longest task, the median of the three: one compositor hiccup of this
  // software-rendered headless Chromium must not decide; no task may reach 150 ms at all.
  const longest = [...worst].sort((a, b) => a - b)[1];
  assert.ok(median < 3000, `median ${median} ms`);
  // 13–16 ms here since the page stopped re-rendering every component on every action
  // and stopped reading the layout in renders and animation frames (18–40 ms before).
  assert.ok(longest <= 40, `longest task (median of 3 runs) ${longest} ms`);
  assert.ok(Math.max(...worst) < 150, `longest task ${Math.max(...worst)} ms`);
  assert.ok(await page.locator('g.node.health-throttling').count() >= 1, 'the throttling shows');
  // The minimap's frame and the moving marks use the canvas' size as the canvas measured
  // it (a resize observer), not a measurement in every render.
  const frame = await page.locator('svg.minimap rect.mini-view').boundingBox();
  assert.ok(frame && frame.width > 10 && frame.height > 10, `the minimap frames the view: ${JSON.stringify(frame)}`);
  const layer = await page.locator('canvas.particle-layer').evaluate((c) => {
    const r = c.getBoundingClientRect();
    return { w: c.width, h: c.height, cw: Math.round(r.width * devicePixelRatio), ch: Math.round(r.height * devicePixelRatio) };
  });
  assert.ok(Math.abs(layer.w - layer.cw) <= 1 && Math.abs(layer.h - layer.ch) <= 1, `the marks' canvas covers the diagram: ${JSON.stringify(layer)}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a run that would take minutes stops within 100 ms of Stop, and the next run works', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  // 500,000 requests a second for an hour: minutes of computing.
  await openScenario(page, {
    format: 'surge-scenario',
    version: 3,
    duration_s: 3600,
    nodes: [
      { id: 'clients', kind: 'client', params: { rate_per_s: 500000 } },
      { id: 'fn', kind: 'lambda', params: {} },
    ],
    edges: [{ from: 'clients', to: 'fn' }],
  });
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => /computing/.test(document.querySelector('#player-status').textContent));
  await page.waitForFunction(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) >= 1);
  const ms = await clickUntilStatus(page, '#stop', /^stopped by you/);
  console.log(`# Stop during a 500,000 req/s run: status in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 100, `stopped in ${ms} ms`);
  // The page is free: a trivial evaluation answers at once.
  const t0 = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t0 < 100, 'the page answers');
  // A new worker takes the next run.
  await page.click('#restart');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) >= 1);
  await page.click('#stop');
  assert.deepEqual(errors, []);
  await context.close();
});

test('copy and paste a state machine with its function and a queue with its DLQ: the copies reference the copies and run', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await openScenario(page, {
    format: 'surge-scenario',
    version: 6,
    duration_s: 30,
    nodes: [
      { id: 'shop', kind: 'client', params: { rate_per_s: 5 }, position: { x: 40, y: 40 } },
      {
        id: 'orders',
        kind: 'step_functions',
        position: { x: 280, y: 40 },
        params: {
          flavour: 'express',
          definition: { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge' }, End: true } } },
          simulation: { tasks: { Charge: 'charge' } },
        },
      },
      { id: 'charge', kind: 'lambda', params: {}, position: { x: 520, y: 40 } },
      { id: 'jobs-in', kind: 'lambda', params: { handler: [{ call: { node: 'jobs' } }] }, position: { x: 40, y: 260 } },
      { id: 'users', kind: 'client', params: { rate_per_s: 5 }, position: { x: 40, y: 440 } },
      {
        id: 'jobs',
        kind: 'sqs',
        position: { x: 280, y: 260 },
        params: { max_receive_count: 2, dead_letter_queue: 'jobs-dlq' },
      },
      { id: 'worker', kind: 'lambda', params: {}, position: { x: 520, y: 260 } },
      { id: 'jobs-dlq', kind: 'sqs', params: {}, position: { x: 280, y: 440 } },
    ],
    edges: [
      { from: 'shop', to: 'orders' },
      { from: 'orders', to: 'charge' },
      { from: 'users', to: 'jobs-in' },
      { from: 'jobs-in', to: 'jobs' },
      { from: 'jobs', to: 'worker' },
    ],
  });
  // Select the machine, its function, the queue, its consumer and its DLQ; copy; paste.
  await page.click('g.node[data-node="orders"] .node-box');
  for (const id of ['charge', 'jobs', 'worker', 'jobs-dlq']) {
    await page.click(`g.node[data-node="${id}"] .node-box`, { modifiers: ['Shift'] });
  }
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await page.waitForSelector('g.node[data-node="orders-2"]');
  await saveScreenshot(page, 'paste-references.png');
  assert.equal(await page.locator('.problem-count').count(), 0, 'the pasted diagram has no problems');

  await afterAutosave(page);
  const scenario = await page.evaluate(() => JSON.parse(localStorage.getItem('surge.editor.v1')).scenario);
  const json = JSON.stringify(scenario);
  const node = (id) => scenario.nodes.find((n) => n.id === id);
  assert.equal(scenario.nodes.length, 13);
  assert.equal(node('orders-2').params.simulation.tasks.Charge, 'charge-2');
  assert.equal(node('orders-2').params.definition.States.Charge.Parameters.FunctionName, 'charge-2', 'the ASL names the copy');
  assert.equal(node('jobs-2').params.dead_letter_queue, 'jobs-dlq-2');
  assert.equal(node('orders').params.simulation.tasks.Charge, 'charge', 'the original is untouched');
  const edge = (from, to) => scenario.edges.some((e) => e.from === from && e.to === to);
  assert.ok(edge('orders-2', 'charge-2'), 'the copy calls the copied function');
  assert.ok(edge('jobs-2', 'worker-2'), 'the copied queue feeds the copied consumer');

  // The pasted scenario is valid and runs, in the page and in the CLI.
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  const report = cli(json);
  assert.ok(report.nodes.some((n) => n.id === 'charge-2'));
  assert.ok(report.ledger.succeeded > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a cold load paints the editor within 1 s', async () => {
  // A fresh context: nothing cached, the page and its wasm fetched from the local server.
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const paint = await page.evaluate(() => new Promise((resolve) => {
    const find = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
    const now = find();
    if (now !== undefined) resolve(now);
    // `first-paint` may come first: wait for the contentful one.
    else new PerformanceObserver(() => { const t = find(); if (t !== undefined) resolve(t); }).observe({ type: 'paint', buffered: true });
  }));
  console.log(`# first contentful paint (cold, local): ${paint.toFixed(0)} ms`);
  assert.ok(paint < 1000, `first contentful paint at ${paint} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});
