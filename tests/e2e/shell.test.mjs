// The app shell, as a user meets it: the page loads, Run computes numbers in the wasm core,
// those numbers are exactly what the `surge` CLI prints for the same scenario and seed,
// a new seed changes them, bad input is refused with reasons, inputs survive a reload, and
// a wasm panic shows an error panel instead of a blank page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, saveScreenshot, SURGE_BIN } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs the CLI on the scenario JSON the page says it ran; returns the headline numbers. */
function cliReport(scenarioJson) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-e2e-')), 'scenario.json');
  fs.writeFileSync(file, scenarioJson);
  const report = JSON.parse(execFileSync(SURGE_BIN, ['run', file, '--json'], { encoding: 'utf8' }));
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
  await page.fill('#seed', String(seed));
  await page.click('#run');
  await page.waitForFunction(
    (s) => document.querySelector('#scenario-json')?.textContent.includes(`"seed": ${s},`),
    seed,
  );
  return shownNumbers(page);
}

test('shell shows the name, the palette and an empty canvas', async () => {
  const { page, context, errors } = await openPage(browser, server.url);
  await page.waitForSelector('.palette-item');
  assert.equal(await page.textContent('header h1'), 'Surge');
  const services = await page.$$eval('.palette-item .label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(services, ['API Gateway', 'Lambda', 'SQS', 'Step Functions', 'RDS Proxy', 'Kinesis']);
  assert.ok(await page.isVisible('section.canvas'));
  assert.equal(await page.textContent('.results-idle'), 'Press Run to simulate.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Run computes in the wasm core: numbers match the CLI and change with the seed', async () => {
  const { page, context, errors } = await openPage(browser, server.url);
  await page.waitForSelector('#run');
  await page.fill('#rate', '100');
  await page.fill('#limit', '10');
  await page.fill('#duration', '100');
  await page.fill('#length', '60');

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
  const { page, context, errors } = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await page.selectOption('#preset', 'lesson7-storm-direct');
  assert.match(await page.textContent('.narrative'), /max_connections/);
  assert.equal(await page.$('#rate'), null, 'a preset hides the custom inputs');
  const shown = await runWithSeed(page, 7);
  const cli = cliReport(shown.scenario);
  assert.equal(shown.requests, cli.requests);
  assert.equal(shown.rejected, cli.rejected);
  assert.ok(shown.rejected > 1000, 'the storm refuses connections');
  const dbFailed = Number(await page.textContent('tr[data-node="db"] td:nth-of-type(2)'));
  assert.ok(dbFailed > 1000, `database refusals shown per node: ${dbFailed}`);
  await saveScreenshot(page, 'shell-preset-storm.png');
  await page.selectOption('#preset', '');
  await page.waitForSelector('#rate');
  assert.deepEqual(errors, []);
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test('invalid input is refused with the reason, and inputs survive a reload', async () => {
  const { page, context } = await openPage(browser, server.url);
  await page.waitForSelector('#run');
  await page.fill('#duration', '0');
  await page.fill('#rate', 'lots');
  await page.click('#run');
  const text = await page.textContent('.results-errors');
  assert.match(text, /Requests per second: "lots" is not a number/);
  await page.fill('#rate', '250');
  await page.click('#run');
  assert.match(await page.textContent('.results-errors'), /handler\[0\]\.compute\.ms: 0 must be above 0/);

  await page.reload();
  await page.waitForSelector('#run');
  assert.equal(await page.inputValue('#rate'), '250');
  assert.equal(await page.inputValue('#duration'), '0');
  await page.evaluate(() => localStorage.clear());
  await context.close();
});

test('a wasm panic shows an error panel, not a blank page', async () => {
  const { page, context } = await openPage(browser, `${server.url}?simulate-panic`);
  await page.waitForSelector('#panic-panel');
  assert.match(await page.textContent('#panic-panel'), /internal error/);
  assert.match(await page.textContent('#panic-panel pre'), /simulated panic requested/);
  await saveScreenshot(page, 'shell-panic.png');
  await context.close();
});

test('the layout holds at phone size', async () => {
  const { page, context } = await openPage(browser, server.url, { width: 390, height: 844 });
  await page.waitForSelector('#run');
  await page.click('#run');
  await page.waitForSelector('#kpi-requests');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await saveScreenshot(page, 'shell-phone.png');
  await context.close();
});
