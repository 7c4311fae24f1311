// Talk mode as a speaker uses it: a lesson opened by link straight into talk mode at
// 1920×1080, three beats stepped with the keyboard (the captions and the run change), a
// clicker's PageDown and PageUp, B to pause, Escape back to the editor; the lesson panel's
// Present button; and inside an embed in a reveal.js deck, keys past the script's ends go
// to the deck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveApp, serveTree, launchBrowser, saveScreenshot, DIST } from './harness.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const SCENARIOS = path.resolve(HERE, '../scenarios');
const app = serveApp();

const script = (id) => JSON.parse(fs.readFileSync(path.join(SCENARIOS, `${id}.json`), 'utf8')).talk;
const caption = (page) => page.textContent('#talk-caption');
const progress = (page) => page.textContent('#talk-progress');
const clock = async (page) => Number((await page.textContent('#talk-clock')).match(/t = (\d+)/)[1]);
const kpi = (page, id) => page.textContent(`#talk-kpi-${id}`);

test('a lesson by link in talk mode: keys step the beats, captions and the run change', async () => {
  const beats = script('lesson2-burst-limit1000-current').beats;
  const { page, context, errors } = await app.open('?lesson=2&talk', { width: 1920, height: 1080 }, { gallery: true });
  await page.waitForSelector('#talk g.node[data-node="fn"]');
  assert.equal(await progress(page), `0 / ${beats.length}`);
  assert.match(await caption(page), /Press → or PageDown to begin/);

  // Beat 1 (→): its caption, and the run plays.
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#talk-progress').textContent.startsWith('1 /'));
  assert.equal(await caption(page), beats[0].caption);
  await page.waitForFunction(() => /t = [1-9]/.test(document.querySelector('#talk-clock').textContent));

  // Beat 2 (N): a timed beat pressed early happens at its own second, paused there.
  await page.keyboard.press('n');
  await page.waitForFunction((t) => document.querySelector('#talk-clock').textContent.startsWith(`t = ${t} s · paused`), beats[1].at_s);
  assert.equal(await caption(page), beats[1].caption);
  const throttledBefore = await kpi(page, 'throttled');
  assert.notEqual(throttledBefore, '0');
  await saveScreenshot(page, 'talk-lesson2-beat2.png');

  // Beat 3 (Space): the 2019-scaling variant at the same second: other figures.
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('#talk-progress').textContent.startsWith('3 /'));
  assert.equal(await caption(page), beats[2].caption);
  // (The variant is computed up to that second first: the view counts up to it.)
  await page.waitForFunction((t) => document.querySelector('#talk-clock').textContent.startsWith(`t = ${t} s · paused`), beats[1].at_s);
  await page.waitForFunction((before) => document.querySelector('#talk-kpi-throttled').textContent !== before, throttledBefore);
  assert.equal(await clock(page), beats[1].at_s);

  // A clicker's PageDown is next (beat 4 plays on); PageUp goes back to beat 3, paused.
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.querySelector('#talk-progress').textContent.startsWith('4 /'));
  assert.equal(await caption(page), beats[3].caption);
  await page.waitForFunction((t) => Number(document.querySelector('#talk-clock').textContent.match(/t = (\d+)/)[1]) > t, beats[1].at_s);
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => document.querySelector('#talk-progress').textContent.startsWith('3 /'));
  assert.equal(await caption(page), beats[2].caption);
  await page.waitForFunction(() => document.querySelector('#talk-clock').dataset.playing === 'false');

  // B plays and pauses the clock.
  await page.keyboard.press('b');
  await page.waitForFunction(() => document.querySelector('#talk-clock').dataset.playing === 'true');
  await page.keyboard.press('.');
  await page.waitForFunction(() => document.querySelector('#talk-clock').dataset.playing === 'false');

  // Escape: back to the editor, with the lesson's document.
  await page.keyboard.press('Escape');
  await page.waitForSelector('#talk', { state: 'detached' });
  await page.waitForSelector('.app g.node[data-node="fn"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the lesson panel presents its lesson; Escape returns to the editor', async () => {
  const { page, context, errors } = await app.open('?lesson=7', undefined, { gallery: true });
  await page.waitForSelector('#lesson-panel');
  await page.click('#lesson-talk');
  await page.waitForSelector('#talk g.node[data-node="db"]');
  assert.match(await page.textContent('.talk-title'), /Lesson 7/);
  await page.click('#talk-next');
  assert.equal(await caption(page), script('lesson7-storm-direct').beats[0].caption);
  await page.click('#talk-exit');
  await page.waitForSelector('#lesson-panel');
  assert.deepEqual(errors, []);
  await context.close();
});

test('in an embed inside a deck, keys past the script hand over to reveal.js', async () => {
  const SUB = '/deck/surge/';
  const server = await serveTree({ [SUB]: DIST, '/': path.join(HERE, 'host') });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 1100 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.evaluate((src) => { document.getElementById('first').src = src; },
      `${server.url}${SUB.slice(1)}index.html?embed&load=eager&lesson=11&talk`);
    const frame = await (await page.$('#first')).contentFrame();
    await frame.waitForSelector('#talk g.node');
    await frame.click('.talk-top');
    // Before the first beat, "previous" is the deck's previous slide.
    await page.keyboard.press('PageUp');
    await page.waitForFunction(() => window.deck.includes('prev'));
    await page.keyboard.press('PageDown');
    await frame.waitForFunction(() => document.querySelector('#talk-progress').textContent.startsWith('1 /'));
    assert.deepEqual(await page.evaluate(() => window.deck), ['prev']);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
