// Editor benchmark (not a test): frame times while panning, zooming and dragging a
// 200-node diagram in headless Chromium, on the release build in dist/.
// Run: `cargo xtask bench` (after the engine benchmarks) or `node bench-editor.mjs` here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, rowsScenario, stats } from './harness.mjs';

async function measure(page, gesture) {
  await page.evaluate(() => {
    // Time inside the page's handlers: from a capturing window listener (first) to a
    // bubbling one (last); Yew's delegated handler and its re-render run in between.
    window.__handler = [];
    if (!window.__hooked) {
      window.__hooked = true;
      for (const type of ['pointermove', 'wheel']) {
        window.addEventListener(type, () => { window.__t0 = performance.now(); }, { capture: true });
        window.addEventListener(type, () => { window.__handler.push(performance.now() - window.__t0); });
      }
    }
    window.__frames = [];
    let last = performance.now();
    const loop = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__measuring) requestAnimationFrame(loop);
    };
    window.__measuring = true;
    requestAnimationFrame(loop);
  });
  const started = Date.now();
  const moves = await gesture();
  const wall = Date.now() - started;
  const [frames, handler] = await page.evaluate(() => {
    window.__measuring = false;
    return [window.__frames.slice(2), window.__handler];
  });
  const h = stats(handler);
  const f = stats(frames);
  return { frames: f.count, median: f.median, p95: f.p95, max: f.max, moves, msPerMove: wall / moves, handlerMedian: h.median, handlerP95: h.p95 };
}

const server = await serveDist();
const browser = await launchBrowser();
try {
  const { page, context } = await openPage(browser, server.url);
  await page.waitForSelector('g.node');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-bench-')), 'big.json');
  fs.writeFileSync(file, JSON.stringify(rowsScenario(40)));
  await page.setInputFiles('#open-file', file);
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 200);
  const box = await page.locator('#canvas-svg').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const results = {};

  results.pan = await measure(page, async () => {
    await page.keyboard.down(' ');
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    let n = 0;
    for (let i = 0; i < 120; i++, n++) await page.mouse.move(cx - i * 3, cy - i * 2);
    await page.mouse.up();
    await page.keyboard.up(' ');
    return n;
  });

  results.zoom = await measure(page, async () => {
    await page.mouse.move(cx, cy);
    let n = 0;
    for (let i = 0; i < 60; i++, n++) await page.mouse.wheel(0, i < 30 ? 40 : -40);
    return n;
  });

  await page.keyboard.press('Control+a');
  const first = await page.locator('g.node[data-node="lambda-3"] .node-box').boundingBox();
  results.dragAll = await measure(page, async () => {
    await page.mouse.move(first.x + 20, first.y + 20);
    await page.mouse.down();
    let n = 0;
    for (let i = 0; i < 60; i++, n++) await page.mouse.move(first.x + 20 + i * 4, first.y + 20 + i * 2);
    await page.mouse.up();
    return n;
  });
  // Watching the diagram run at 1×: gauges, health and moving marks on every busy edge.
  await page.keyboard.press('Escape');
  await page.selectOption('#speed', '1×');
  let marks = 0;
  results.play = await measure(page, async () => {
    await page.click('#play');
    let n = 0;
    for (let i = 0; i < 30; i++, n++) {
      await page.waitForTimeout(100);
      marks = Math.max(marks, Number(await page.getAttribute('.particle-layer', 'data-marks')));
    }
    await page.click('#play');
    return n;
  });
  await context.close();

  // 30 nodes (10 chains of clients → API → function) with ~300 calls in flight per edge:
  // the marks layer draws about 5,000 marks a frame.
  const chains = [];
  const edges = [];
  for (let r = 0; r < 10; r++) {
    chains.push(
      { id: `c${r}`, kind: 'client', params: { rate_per_s: 3000 }, position: { x: 40, y: 40 + r * 80 } },
      { id: `a${r}`, kind: 'api_gateway', params: {}, position: { x: 280, y: 40 + r * 80 } },
      { id: `f${r}`, kind: 'lambda', params: { timeout_s: 30 }, position: { x: 520, y: 40 + r * 80 } },
    );
    edges.push({ from: `c${r}`, to: `a${r}` }, { from: `a${r}`, to: `f${r}` });
  }
  const busy = {
    format: 'surge-scenario', version: 2, seed: 1, duration_s: 60,
    account: { lambda_concurrency: 20000, api_gateway_rate_per_s: 100000, api_gateway_burst: 50000 },
    nodes: chains, edges,
  };
  const busyFile = path.join(path.dirname(file), 'busy.json');
  fs.writeFileSync(busyFile, JSON.stringify(busy));
  const second = await openPage(browser, server.url);
  await second.page.waitForSelector('g.node');
  await second.page.setInputFiles('#open-file', busyFile);
  await second.page.waitForFunction(() => document.querySelectorAll('g.node').length === 30);
  await second.page.selectOption('#speed', '1×');
  await second.page.click('#play');
  await second.page.waitForFunction(() => Number(document.querySelector('.particle-layer')?.dataset.marks) > 1000);
  let busyMarks = 0;
  results.particles = await measure(second.page, async () => {
    let n = 0;
    for (let i = 0; i < 20; i++, n++) {
      await second.page.waitForTimeout(100);
      busyMarks = Math.max(busyMarks, Number(await second.page.getAttribute('.particle-layer', 'data-marks')));
    }
    return n;
  });
  await second.context.close();
  console.log(`(30-node diagram: up to ${busyMarks} marks a frame)`);
  console.log(`(while playing: up to ${marks} moving marks on the canvas)`);
  console.log('200 nodes, 160 edges; rAF frame intervals in ms during each gesture:');
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(8)} frames ${String(r.frames).padStart(4)}  median ${r.median.toFixed(1)}  p95 ${r.p95.toFixed(1)}  max ${r.max.toFixed(1)}  | handler+render median ${(r.handlerMedian ?? 0).toFixed(2)} p95 ${(r.handlerP95 ?? 0).toFixed(2)}  (${r.moves} events, ${r.msPerMove.toFixed(1)} ms apart)`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
