// Regenerates the documentation's screenshots (not a test): lesson 2 at 600 req/s, the
// surge to 4,000 req/s at 60 s ending at 150 s, shown healthy (30 s), throttling (90 s) and
// recovered (200 s); the editor at 1280×800 and at phone size (390×844), light and dark;
// a state machine's graph, light and dark; and the resilience views: an alarm in the
// event log and a request's waterfall.
// Run from tests/e2e after `cargo xtask dist`: node docs-screenshots.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, loadPreset, playToEnd } from './harness.mjs';

const OUT = path.resolve('../../docs/screenshots');
const lesson = JSON.parse(fs.readFileSync('../scenarios/lesson2-burst-limit1000-current.json', 'utf8'));
const users = lesson.nodes.find((n) => n.kind === 'client');
users.params.rate_per_s = 600;
users.params.schedule = [...(users.params.schedule ?? []), { at_s: 150, rate_per_s: 600 }];
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-docs-')), 'burst-and-back.json');
fs.writeFileSync(file, JSON.stringify(lesson));

const server = await serveDist();
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, server.url);
  await page.waitForSelector('g.node');
  await page.setInputFiles('#open-file', file);
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#player-status')?.textContent === 'finished');
  await page.click('.notice button'); // dismiss "Opened …"
  await page.click('g.node[data-node="fn"] .node-box');
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, t] of [['healthy', 30], ['throttling', 90], ['recovery', 200]]) {
    await page.fill('#scrubber', String(t));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png at t = ${t} s`);
  }
  await page.context().close();

  // The editor at desktop and phone sizes, light and dark: lesson 7 through the proxy,
  // paused in the middle of its run.
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    for (const scheme of ['light', 'dark']) {
      const phone = w < 600;
      const { page: p, context } = await openPage(browser, server.url, { width: w, height: h },
        { colorScheme: scheme, hasTouch: phone, isMobile: phone });
      if (phone) {
        await p.waitForSelector('g.node');
      } else {
        await loadPreset(p, 'lesson7-storm-proxy');
        await p.waitForSelector('g.node[data-node="db"]');
        await playToEnd(p);
        await p.fill('#scrubber', '20');
      }
      await p.mouse.move(0, 0);
      const name = `editor-${w}x${h}-${scheme}.png`;
      await p.screenshot({ path: path.join(OUT, name) });
      console.log(`docs/screenshots/${name}`);
      await context.close();
    }
  }

  // A state machine's graph in the inspector with a Task picked (lesson 15), light and dark.
  for (const scheme of ['light', 'dark']) {
    const { page: g, context } = await openPage(browser, server.url, { width: 1280, height: 800 }, { colorScheme: scheme });
    await loadPreset(g, 'lesson15-order-workflow');
    await g.click('g.node[data-node="orders"] .node-box');
    await g.click('.sg-state[data-state="Charge"]');
    await g.waitForSelector('.state-form[data-state="Charge"]');
    await g.locator('.state-graph').scrollIntoViewIfNeeded();
    await g.mouse.move(0, 0);
    const name = `state-graph-1280x800-${scheme}.png`;
    await g.screenshot({ path: path.join(OUT, name) });
    console.log(`docs/screenshots/${name}`);
    await context.close();
  }

  // Lesson 20: the alarm in the event log, and the slowest request's waterfall.
  const { page: r, context } = await openPage(browser, server.url, { width: 1280, height: 800 });
  await loadPreset(r, 'lesson20-alarms');
  await r.waitForSelector('g.node[data-node="orders"]');
  await playToEnd(r);
  await r.click('#trace-slowest');
  await r.waitForSelector('#trace-waterfall .span-row');
  await r.locator('#trace-waterfall').scrollIntoViewIfNeeded();
  await r.mouse.move(0, 0);
  await r.screenshot({ path: path.join(OUT, 'alarms-and-trace.png') });
  console.log('docs/screenshots/alarms-and-trace.png');
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
