// The lesson gallery as a newcomer meets it: a first visit lands on it, a card opens the
// lesson's "before" with its panel, the run names the problem, one click switches to the
// fix (the run just watched pinned as A), and the finding that named the problem is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, playToEnd } from './harness.mjs';

const app = serveApp();

const rules = (page) => page.$$eval('#findings li.finding', (els) => els.map((e) => e.dataset.rule));

test('a first visit lands on the gallery; a lesson opens, runs, and switches to its fix', async () => {
  const { page, context, errors } = await app.open('', undefined, { gallery: true });
  await page.waitForSelector('#gallery .lesson-card');
  const cards = await page.$$eval('#gallery .lesson-card', (els) => els.map((e) => e.dataset.lesson));
  assert.ok(cards.length >= 16, cards.join(','));
  // Every card has its diagram, drawn from the preset.
  const drawn = await page.$$eval('#gallery .lesson-card', (els) => els.every((e) => e.querySelectorAll('svg rect').length >= 2));
  assert.ok(drawn);
  await saveScreenshot(page, 'gallery-1280x800.png');

  await page.click('#gallery .lesson-card[data-lesson="7"]');
  await page.waitForSelector('#gallery', { state: 'detached' });
  await page.waitForSelector('#lesson-panel');
  assert.match(await page.textContent('#lesson-panel h3'), /Lesson 7 · Database connection storm/);
  await page.waitForSelector('g.node[data-node="db"]');
  await playToEnd(page);
  await page.waitForSelector('#findings li.finding');
  assert.ok((await rules(page)).includes('connections_refused'));

  await page.click('#lesson-panel button[data-variant="lesson7-storm-proxy"]');
  await page.waitForSelector('g.node[data-node="proxy"]');
  assert.equal(await page.getAttribute('#lesson-panel button[data-variant="lesson7-storm-proxy"]', 'aria-pressed'), 'true');
  await playToEnd(page);
  // The "before" run was pinned as A: the after run is compared with it.
  await page.waitForSelector('#unpin');
  await page.waitForSelector('#findings');
  assert.ok(!(await rules(page)).includes('connections_refused'), (await rules(page)).join(', '));
  await saveScreenshot(page, 'lesson7-after.png');

  // The header brings the gallery back.
  await page.click('#open-gallery');
  await page.waitForSelector('#gallery');
  await page.click('#gallery-close');
  await page.waitForSelector('#gallery', { state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});
