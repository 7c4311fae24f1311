// Regenerates docs/lessons.md's screenshots (not a test): the gallery, each lesson's
// "before" played to its end with its panel and findings, at 1280×800, and each lesson in
// talk mode at 1920×1080, stepped to the first beat that pauses on its point.
// Run from tests/e2e after `cargo xtask dist`: node lessons-screenshots.mjs
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, playToEnd } from './harness.mjs';

const OUT = path.resolve('../../docs/screenshots/lessons');
const server = await serveDist();
const browser = await launchBrowser();
try {
  fs.mkdirSync(OUT, { recursive: true });
  const { page, context } = await openPage(browser, server.url, { width: 1280, height: 800 }, { gallery: true });
  await page.waitForSelector('#gallery .lesson-card');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(OUT, 'gallery.png') });
  console.log('docs/screenshots/lessons/gallery.png');
  const lessons = await page.$$eval('#gallery .lesson-card', (els) => els.map((e) => e.dataset.lesson));
  for (const n of lessons) {
    if (!(await page.locator('#gallery').count())) await page.click('#open-gallery');
    await page.click(`#gallery .lesson-card[data-lesson="${n}"]`);
    await page.waitForSelector('#lesson-panel');
    await playToEnd(page);
    await page.waitForSelector('#findings');
    await page.mouse.move(0, 0);
    const name = `lesson-${n}.png`;
    await page.screenshot({ path: path.join(OUT, name) });
    console.log(`docs/screenshots/lessons/${name}`);
  }
  await context.close();
  for (const n of lessons) {
    const talk = await openPage(browser, `${server.url}?lesson=${n}&talk`, { width: 1920, height: 1080 }, { gallery: true });
    await talk.page.waitForSelector('#talk g.node');
    // Beats until one leaves the run paused on its point (a timed beat comes at its second).
    // (Timed beats also come by themselves while the run plays.)
    const done = async () => (await talk.page.textContent('#talk-progress')).split(' / ').map(Number);
    for (let presses = 0; presses < 10; presses += 1) {
      const [before, total] = await done();
      if (before >= total) break;
      await talk.page.keyboard.press('ArrowRight');
      await talk.page.waitForTimeout(1500);
      const paused = await talk.page.$eval('#talk-clock', (e) => e.dataset.playing === 'false');
      if ((await done())[0] >= 2 && paused) break;
    }
    // Wait until a reloaded variant has computed up to its second.
    await talk.page.waitForTimeout(1000);
    const name = `talk-${n}.png`;
    await talk.page.mouse.move(0, 0);
    await talk.page.screenshot({ path: path.join(OUT, name) });
    console.log(`docs/screenshots/lessons/${name}`);
    await talk.context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
