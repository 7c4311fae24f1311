// The resilience toolbox as a user meets it: a run's alarm goes to ALARM and back to OK in
// the event log at the report's seconds; the slowest request of a run opens as a waterfall
// of its calls that goes to its moment; recommended alarms are one click (and one undo);
// a connection gets a circuit breaker from the inspector and the log says when it opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, cliReport, loadPreset, playToEnd } from './harness.mjs';
import fs from 'node:fs';

const app = serveApp();

const clock = (page) => page.evaluate(() => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]));

test('an alarm goes to ALARM and back in the log; the slowest request opens as a waterfall', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson20-alarms');
  await page.waitForSelector('g.node[data-node="orders"]');
  await playToEnd(page);
  const lines = await page.$$eval('#event-log li', (els) => els.map((e) => e.textContent));
  const alarm = lines.find((l) => /ALARM “orders throttles”/.test(l));
  const ok = lines.find((l) => /OK “orders throttles”/.test(l));
  assert.ok(alarm && ok, lines.join('\n'));
  // The same seconds as the engine's report (the CLI's run of the same scenario).
  const scenario = fs.readFileSync(new URL('../scenarios/lesson20-alarms.json', import.meta.url), 'utf8');
  const report = cliReport(scenario);
  const [on, off] = report.alarms[0].transitions.map((t) => t.at_s);
  assert.match(alarm, new RegExp(`t=${on} s Orders`));
  assert.match(ok, new RegExp(`t=${off} s Orders`));

  // The slowest request, hop by hop: API Gateway, then the function (which was throttled
  // or ran its second) under it.
  await page.click('#trace-slowest');
  await page.waitForSelector('#trace-waterfall .span-row');
  const title = await page.textContent('#trace-waterfall h4');
  assert.match(title, /^Request #\d+ from users: [\d.]+ ms, 1 attempt/);
  const rows = await page.$$eval('#trace-waterfall .span-row', (els) => els.map((e) => e.textContent));
  assert.ok(rows.length >= 2 && /api/.test(rows[0]) && /Orders/.test(rows[1]), rows.join('\n'));
  await page.locator('#trace-waterfall').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'resilience-trace-waterfall.png');
  const start = Number((await page.textContent('#trace-goto')).match(/t = (\d+)/)[1]);
  await page.click('#trace-goto');
  await page.waitForFunction((t) => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) === t, start);
  assert.equal(await clock(page), start);
  assert.deepEqual(errors, []);
  await context.close();
});

test('recommended alarms are one click and one undo; a connection gets a circuit breaker', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'circuit-breaker-outage');
  await page.waitForSelector('g.node[data-node="vendor"]');
  await page.click('#tab-inspector');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#add-recommended-alarms');
  assert.match(await page.textContent('#add-recommended-alarms'), /Add 1 recommended alarms/);
  await page.click('#add-recommended-alarms');
  await page.waitForFunction(() => /fn throttles/.test(document.querySelector('.alarm-list')?.textContent ?? ''));
  assert.equal(await page.locator('#add-recommended-alarms').count(), 0, 'nothing left to add');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => (document.querySelector('.alarm-list')?.textContent ?? '') === '');

  // The function → vendor connection already has a breaker: its settings show; the
  // switch takes it away and gives it back with the defaults.
  await page.click('g.edge[data-edge="fn→vendor"] .edge-hit', { force: true });
  await page.waitForSelector('#edge-breaker');
  assert.equal(await page.isChecked('#edge-breaker'), true);
  assert.equal(await page.$eval('[id$="breaker-open_s"]', (e) => e.value), '10');
  await page.click('#edge-breaker');
  await page.waitForFunction(() => !document.querySelector('#edge-breaker').checked);
  await page.click('#edge-breaker');
  await page.waitForFunction(() => document.querySelector('#edge-breaker').checked);
  assert.equal(await page.$eval('[id$="breaker-open_s"]', (e) => e.value || e.placeholder), '30');
  // Two undo steps: the breaker as it was (undo from the toolbar: the checkbox has focus).
  await page.click('#undo');
  await page.click('#undo');
  await page.waitForFunction(() => document.querySelector('[id$="breaker-open_s"]')?.value === '10');
  await playToEnd(page);
  const lines = await page.$$eval('#event-log li', (els) => els.map((e) => e.textContent));
  assert.ok(lines.some((l) => /fn opened its circuit breaker: calls fail fast/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /fn closed its circuit breaker/.test(l)), lines.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});
