// The app shell, as a user meets it: the page loads with the palette and a starter diagram,
// Run computes numbers in the wasm core, those numbers are exactly what the `surge` CLI
// prints for the same scenario and seed, a new seed changes them, a lesson loads onto the
// canvas and runs, a stream lesson's ledgers match the CLI's, an invalid diagram is refused
// with reasons, and a wasm panic shows an error panel instead of a blank page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, cliReport as cliRun } from './harness.mjs';

const app = serveApp();

/** Runs the CLI on the scenario JSON the page says it ran; returns the headline numbers. */
function cliReport(scenarioJson) {
  const report = cliRun(scenarioJson);
  const failed = Object.values(report.ledger.failed).reduce((a, b) => a + b, 0);
  const fn = report.nodes.find((n) => n.kind === 'lambda');
  return { requests: report.ledger.arrived, rejected: failed, meanConcurrency: fn.mean_in_node.toFixed(2) };
}

async function shownNumbers(page) {
  return {
    requests: Number(await page.textContent('#kpi-requests')),
    rejected: Number(await page.textContent('#kpi-rejected')),
    meanConcurrency: await page.textContent('#kpi-mean-concurrency'),
    scenario: await page.textContent('#scenario-json'),
  };
}

async function runWithSeed(page, seed) {
  await page.click('#tab-run');
  await page.fill('#seed', String(seed));
  await page.click('#run');
  await page.waitForFunction(
    (s) => document.querySelector('#scenario-json')?.textContent.includes(`"seed": ${s},`),
    seed,
  );
  return shownNumbers(page);
}

test('shell shows the name, the grouped palette and the starter diagram', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('.palette-item');
  assert.equal(await page.textContent('header h1'), 'Surge');
  const groups = await page.$$eval('.palette-group h3', (els) => els.map((e) => e.textContent));
  assert.deepEqual(groups, ['Entry', 'Compute', 'Queues & streams', 'Data', 'Services']);
  const services = await page.$$eval('.palette-item .label', (els) => els.map((e) => e.textContent));
  for (const s of ['API Gateway', 'Lambda', 'SQS', 'Step Functions', 'RDS Proxy', 'Kinesis', 'DynamoDB', 'Secrets Manager']) {
    assert.ok(services.includes(s), `${s} in the palette`);
  }
  assert.equal(await page.locator('g.node').count(), 2);
  assert.equal(await page.locator('g.edge').count(), 1);
  await page.click('#tab-run');
  assert.equal(await page.textContent('.results-idle'), 'Press Run to simulate.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Run computes in the wasm core: numbers match the CLI and change with the seed', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const a = await runWithSeed(page, 42);
  await saveScreenshot(page, 'shell-after-run.png');
  const cliA = cliReport(a.scenario);
  assert.equal(a.requests, cliA.requests);
  assert.equal(a.rejected, cliA.rejected);
  assert.equal(a.meanConcurrency, cliA.meanConcurrency);
  // Erlang B for 10 servers at 10 Erlangs blocks 21.5 %: the page shows a real model.
  assert.ok(a.requests > 5500 && a.requests < 6500, `requests ${a.requests}`);
  const blocked = a.rejected / a.requests;
  assert.ok(blocked > 0.17 && blocked < 0.26, `blocked ${blocked}`);

  const b = await runWithSeed(page, 7);
  const cliB = cliReport(b.scenario);
  assert.notEqual(b.requests, a.requests, 'a different seed gives a different run');
  assert.equal(b.requests, cliB.requests);
  assert.equal(b.rejected, cliB.rejected);
  assert.equal(b.meanConcurrency, cliB.meanConcurrency);

  // Same seed again: the very same numbers (determinism in the browser).
  const a2 = await runWithSeed(page, 42);
  assert.deepEqual(a2, a);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lesson preset runs in the browser exactly as on the command line', async () => {
  const { page, context, errors } = await app.open();
  await page.click('#tab-run');
  await page.selectOption('#preset', 'lesson7-storm-direct');
  assert.match(await page.textContent('.narrative'), /max_connections/);
  await page.click('#load-preset');
  await page.waitForSelector('g.node[data-node="db"]');
  const shown = await runWithSeed(page, 7);
  const cli = cliReport(shown.scenario);
  assert.equal(shown.requests, cli.requests);
  assert.equal(shown.rejected, cli.rejected);
  assert.ok(shown.rejected > 1000, 'the storm refuses connections');
  const dbFailed = Number(await page.textContent('tr[data-node="db"] td:nth-of-type(2)'));
  assert.ok(dbFailed > 1000, `database refusals shown per node: ${dbFailed}`);
  await saveScreenshot(page, 'shell-preset-storm.png');
  assert.deepEqual(errors, []);
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test('a stream lesson shows its shards and ledgers, the same as the CLI', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('#tab-run');
  await page.selectOption('#preset', 'lesson18-kinesis-consumers');
  assert.match(await page.textContent('.narrative'), /5 reads\/s/);
  await page.click('#load-preset');
  await page.waitForSelector('g.node[data-node="recommendations"]');
  const shown = await runWithSeed(page, 19);
  const report = cliRun(shown.scenario);
  // The page's ledgers, as { title: { label: value } }.
  const groups = await page.$$eval('.ledger-group', (els) => Object.fromEntries(els.map((g) => [
    g.querySelector('h4').textContent,
    Object.fromEntries([...g.querySelectorAll('dl > div')].map((d) => [
      d.querySelector('dt').textContent, d.querySelector('dd').textContent,
    ])),
  ])));
  const shards = groups['events-stream shards (2)'];
  assert.ok(shards, `a shard ledger: ${Object.keys(groups)}`);
  const stream = report.nodes.find((n) => n.id === 'events');
  const sum = (k) => stream.shards.reduce((a, s) => a + s[k], 0);
  assert.equal(Number(shards['reads refused']), sum('read_throttled'));
  assert.equal(Number(shards['records written']), sum('written'));
  assert.ok(sum('read_throttled') > 0, 'seven polling consumers exceed 5 reads/s per shard');
  assert.equal(Number(groups['Messages and records'].sent), report.messages.sent);
  assert.ok(!('Async invokes' in groups), 'ledgers the scenario does not use stay hidden');
  await page.locator('.ledgers').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'shell-ledgers.png');
  assert.deepEqual(errors, []);
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test('an invalid diagram is refused with the reasons', async () => {
  const { page, context } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('g.node[data-node="fn"] .node-box');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 1);
  assert.match(await page.textContent('.problem-count'), /1 problem/);
  await page.click('#tab-run');
  await page.click('#run');
  assert.match(await page.textContent('.results-errors'), /nodes\[0\]: a client needs exactly one outgoing edge, found 0/);
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test('a wasm panic shows an error panel, not a blank page', async () => {
  const { page, context } = await app.open('?simulate-panic');
  await page.waitForSelector('#panic-panel');
  assert.match(await page.textContent('#panic-panel'), /internal error/);
  assert.match(await page.textContent('#panic-panel pre'), /simulated panic requested/);
  await saveScreenshot(page, 'shell-panic.png');
  await context.close();
});

test('the layout holds at phone size', async () => {
  const { page, context } = await app.open('', { width: 390, height: 844 });
  await page.waitForSelector('g.node');
  await page.click('#tab-run');
  await page.click('#run');
  await page.waitForSelector('#kpi-requests');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await saveScreenshot(page, 'shell-phone.png');
  await context.close();
});
