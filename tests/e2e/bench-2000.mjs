// Large-diagram benchmark (not a test): a 2,000-node diagram in headless Chromium, on the
// release build in dist/. Says whether Fit shows every node, and how much main-thread work
// one step of dragging a node costs: each step is a pointer move, timed from its first
// listener to the page's next task (Yew's handler and re-render run in between).
// Run: `node bench-2000.mjs` here (after `cargo xtask dist`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, rowsScenario, stats } from './harness.mjs';

const server = await serveDist();
const browser = await launchBrowser();
try {
  const { page, context } = await openPage(browser, server.url);
  await page.waitForSelector('g.node');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-bench-')), 'big2000.json');
  fs.writeFileSync(file, JSON.stringify(rowsScenario(400)));
  const t0 = Date.now();
  await page.setInputFiles('#open-file', file);
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 2000, null, { timeout: 120000 });
  console.log(`opened in ${Date.now() - t0} ms`);

  // Fit: every node's box inside the canvas.
  await page.click('#canvas-svg', { position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.keyboard.press('f');
  await page.waitForTimeout(500);
  const shown = await page.evaluate(() => {
    const c = document.querySelector('#canvas-svg').getBoundingClientRect();
    let inside = 0;
    for (const n of document.querySelectorAll('g.node .node-box')) {
      const r = n.getBoundingClientRect();
      if (r.left >= c.left - 0.5 && r.right <= c.right + 0.5 && r.top >= c.top - 0.5 && r.bottom <= c.bottom + 0.5) inside++;
    }
    return inside;
  });
  console.log(`Fit shows ${shown} of 2000 nodes`);

  // Frame one node (focus selects it, F frames the selection) and drag it.
  await page.focus('g.node[data-node="lambda-1"]');
  await page.keyboard.press('f');
  await page.waitForTimeout(300);
  const box = await page.locator('g.node[data-node="lambda-1"] .node-box').boundingBox();
  const x0 = box.x + 30;
  const y0 = box.y + 20;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  // Each real pointer move is timed from a capturing window listener (first to run) to a
  // task queued there (it runs after the handlers and the re-render they cause).
  await page.evaluate(() => {
    window.__steps = [];
    window.addEventListener('pointermove', () => {
      const t = performance.now();
      setTimeout(() => window.__steps.push(performance.now() - t), 0);
    }, { capture: true });
  });
  const cdp = process.env.PROFILE ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  for (let i = 1; i <= 60; i++) await page.mouse.move(x0 + i * 4, y0 + i * 2);
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map();
    const dt = profile.timeDeltas;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const f = byId.get(id).callFrame;
      const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}`;
      self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
    for (const [name, ms] of top) console.log(`${ms.toFixed(1).padStart(8)} ms  ${name}`);
  }
  await page.waitForTimeout(200);
  const steps = await page.evaluate(() => window.__steps);
  const during = await page.getAttribute('g.node[data-node="lambda-1"]', 'transform');
  await page.mouse.up();
  console.log(`lambda-1 at ${during} after the drag (was translate(520 120))`);
  if (process.env.STEPS) console.log(steps.map((x) => x.toFixed(1)).join(" "));
  const s = stats(steps);
  console.log(`drag one node of 2,000: ${s.count} steps, main-thread work per step median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
