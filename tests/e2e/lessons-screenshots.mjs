// Regenerates docs/lessons.md's screenshots (not a test): the gallery, and each lesson's
// "before" played to its end with its panel and findings, at 1280×800.
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
} finally {
  await browser.close();
  await server.close();
}
