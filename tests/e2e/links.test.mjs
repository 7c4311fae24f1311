// Share links as people use them: copy a link of a diagram built in the editor and open it
// elsewhere (the same diagram, the same result, said so); a deep link lands at its moment;
// a damaged link says why and changes nothing; a link opened over unsaved work leaves
// that work in Recent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serveApp, saveScreenshot, cliLink, dismissGallery, playToEnd, afterAutosave } from './harness.mjs';

const app = serveApp();
const SCENARIOS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../scenarios');

async function kpis(page) {
  return {
    requests: await page.textContent('#live-requests').catch(() => null),
    text: await page.textContent('.kpi-strip'),
  };
}


test('a link copied from the editor opens the same diagram elsewhere, with the same result as the author', async () => {
  const author = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await author.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const page = await author.newPage();
  await page.goto(app.url);
  await dismissGallery(page);
  await page.waitForSelector('g.node[data-node="fn"]');
  // Build: add a queue, configure the function.
  await page.click('.palette-item[data-kind="sqs"]');
  await page.waitForSelector('g.node[data-node="queue"]');
  await page.click('g.node[data-node="fn"] .node-box');
  await page.fill('#param-params-reserved_concurrency', '12');
  await page.keyboard.press('Tab');
  await playToEnd(page);
  const authorKpis = await kpis(page);
  await page.click('#copy-link');
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /Link copied \(\d+ characters\)/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /#s1\.[A-Za-z0-9_-]+&m=\d+&r=[0-9a-f]{8}$/, link);
  // The button shows the link's length, measured once edits have rested (400 ms): a fast
  // run can finish first, with the starter diagram's length still on the button.
  const length = await page.waitForFunction((n) => {
    const shown = Number(document.querySelector('#copy-link').textContent.match(/\((\d+)\)/)?.[1]);
    return Math.abs(shown - n) < 30 && shown;
  }, link.length, { timeout: 5000 }).then((h) => h.jsonValue(), () => page.textContent('#copy-link'));
  assert.ok(Math.abs(length - link.length) < 30, `the button shows the length (${length} vs ${link.length})`);

  // Someone else opens it.
  const { page: other, context, errors } = await app.open(link.slice(app.url.length));
  await other.waitForSelector('g.node[data-node="queue"]');
  assert.equal(await other.locator('g.node').count(), 3);
  await other.click('g.node[data-node="fn"] .node-box');
  assert.equal(await other.inputValue('#param-params-reserved_concurrency'), '12');
  assert.equal(new URL(other.url()).hash, '', 'the fragment is cleared once opened');
  await other.evaluate(() => { document.querySelector('#copy-link').kept = true; });
  await playToEnd(other);
  assert.deepEqual(await kpis(other), authorKpis);
  await other.waitForSelector('#replay');
  assert.ok(await other.evaluate(() => document.querySelector('#copy-link').kept), 'the verdict left the toolbar in place');
  assert.match(await other.textContent('#replay'), /Same result as the author/);
  await saveScreenshot(other, 'link-same-result.png');
  assert.deepEqual(errors, []);
  await context.close();
  await author.close();
});

test('a deep link lands paused at its second with its node selected and its panel open', async () => {
  const link = cliLink(path.join(SCENARIOS, 'lesson7-storm-proxy.json'), '', '--t', '30', '--select', 'db', '--panel', 'faults');
  const { page, context, errors } = await app.open(link);
  await page.waitForSelector('g.node[data-node="db"]');
  await page.waitForFunction(() => document.querySelector('#player-status').textContent === 'paused'
    && /^t = 30 s/.test(document.querySelector('#clock').textContent));
  assert.equal(await page.locator('g.node.selected').count(), 1);
  assert.equal(await page.getAttribute('g.node.selected', 'data-node'), 'db');
  assert.equal(await page.getAttribute('#tab-timeline', 'aria-selected'), 'true');
  await saveScreenshot(page, 'link-deep.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a damaged link says why and changes nothing', async () => {
  const good = cliLink(path.join(SCENARIOS, 'lesson1-littles-law.json'), '');
  for (const [broken, reason] of [
    [good.slice(0, good.length / 2), /cannot be opened: the link is damaged/],
    ['#s9.AAAA', /not one this build reads/],
    ['#s1.!!!!', /not base64url/],
  ]) {
    const { page, context, errors } = await app.open(broken);
    await page.waitForSelector('.notice.refused');
    assert.match(await page.textContent('.notice.refused'), reason, broken);
    assert.ok(await page.isVisible('g.node[data-node="fn"]'), 'the starter diagram is still there');
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a link opened over unsaved work leaves that work in Recent, from where it reopens', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.click('.palette-item[data-kind="dynamodb"]');
  await page.waitForSelector('g.node[data-node="table"]');
  await afterAutosave(page);
  const link = cliLink(path.join(SCENARIOS, 'lesson1-littles-law.json'), '');
  await page.goto(`${app.url}${link}`);
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /your unsaved work is in Recent/);
  assert.equal(await page.locator('g.node[data-node="table"]').count(), 0);
  const option = await page.textContent('#recent option:nth-child(2)');
  assert.match(option, /3 nodes: Clients, .*table/);
  await page.selectOption('#recent', '0');
  await page.waitForSelector('g.node[data-node="table"]');
  assert.deepEqual(errors, []);
  await context.close();
});
