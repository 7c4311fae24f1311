// Findings as a user meets them: a lesson's "before" names its problem in plain words with
// its moment and node, "Go to" seeks there and selects the node, and the "after" run no
// longer has that finding; the async patterns' lesson runs end to end in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, loadPreset, playToEnd } from './harness.mjs';

const app = serveApp();

const rules = (page) => page.$$eval('#findings li.finding', (els) => els.map((e) => e.dataset.rule));

test('lesson 7: the refused connections are a finding before RDS Proxy and gone after it', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-direct');
  await page.waitForSelector('g.node[data-node="db"]');
  await playToEnd(page);
  await page.waitForSelector('#findings li.finding');
  assert.ok((await rules(page)).includes('connections_refused'), (await rules(page)).join(', '));
  const finding = page.locator('#findings li[data-rule="connections_refused"]');
  assert.match(await finding.textContent(), /orders-db refused \d+ new connections.*Remedy: RDS Proxy/);
  await finding.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'findings-lesson7-direct.png');
  // Go to: the clock moves to the finding's second and the database is selected.
  const at = Number((await finding.locator('.finding-goto').textContent()).match(/t = (\d+)/)[1]);
  await finding.locator('.finding-goto').click();
  await page.waitForFunction((t) => Number(document.querySelector('#clock').textContent.match(/t = (\d+)/)[1]) === t, at);
  await page.waitForSelector('g.node.selected[data-node="db"]');

  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.node[data-node="proxy"]');
  await playToEnd(page);
  await page.waitForSelector('#findings');
  await page.waitForFunction(() => document.querySelector('#findings-none') !== null);
  assert.deepEqual(await rules(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('lesson 10: the 29-second wall is a finding; polling for the result is not', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson10-sync-29s');
  await page.waitForSelector('g.node[data-node="worker"]');
  await playToEnd(page);
  await page.waitForSelector('#findings li.finding');
  const before = await rules(page);
  assert.ok(before.includes('integration_timeout') && before.includes('wasted_work'), before.join(', '));
  await loadPreset(page, 'lesson10-async-poll');
  await page.waitForSelector('g.node[data-node="status-api"]');
  await playToEnd(page);
  await page.waitForSelector('#findings');
  const after = await rules(page);
  assert.ok(!after.includes('integration_timeout') && !after.includes('wasted_work'), after.join(', '));
  assert.deepEqual(errors, []);
  await context.close();
});
