// Accessibility: axe-core (WCAG 2 A and AA, and best practices) finds no serious or
// critical violation on a first visit, while a run plays, with the inspector open, and in
// a state machine's graph. Lesser findings are printed, not failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { serveApp, loadPreset, saveScreenshot } from './harness.mjs';

const app = serveApp();
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

/**
 * Runs axe on the page as it is; returns the serious and critical violations (with
 * `moderate`, the moderate ones too: where the page is clean of them, they stay out).
 */
async function audit(page, moment, { moderate = false } = {}) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  for (const v of result) {
    console.log(`# ${moment}: ${v.impact} ${v.id} (${v.nodes}): ${v.help} — ${v.targets.join(' | ')}`);
  }
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical' || (moderate && v.impact === 'moderate'));
}

test('no serious or critical accessibility violation on first visit, while playing, in the inspector and in the state graph', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  assert.deepEqual(await audit(page, 'first visit'), []);

  // While a run plays: the KPI strip, the event log, gauges and particles.
  await loadPreset(page, 'lesson7-storm-direct');
  await page.selectOption('#speed', '10×');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#live-requests')?.textContent?.replace(/\D/g, '') || 0) > 50);
  assert.deepEqual(await audit(page, 'while playing'), []);
  await page.click('#play'); // pause

  // The inspector open on a function.
  const first = page.locator('g.node').first();
  await first.click();
  await page.waitForSelector('#inspector .inspector-head');
  // With the run paused the fault section shows above the node's title: its heading is
  // the same level as the title's, so the heading order holds.
  assert.ok(await page.locator('.inject').count(), 'the fault section shows');
  assert.deepEqual(await audit(page, 'inspector', { moderate: true }), []);

  // A state machine's graph with a state picked.
  await loadPreset(page, 'lesson15-order-workflow');
  await page.click('g.node[data-node="orders"] .node-box');
  await page.waitForSelector('.sg-state[data-state="Charge"]');
  await page.click('.sg-state[data-state="Charge"]');
  await page.waitForSelector('.state-form[data-state="Charge"]');
  await saveScreenshot(page, 'state-graph.png');
  assert.deepEqual(await audit(page, 'state graph'), []);
  assert.deepEqual(errors, []);
  await context.close();
});
