// The editor, as a user works it: build API Gateway → Lambda → RDS Proxy → RDS by dragging
// services from the palette and wiring their ports, set a parameter in the inspector, get
// an invalid connection refused with the core's reason, undo and redo, box-select and
// delete, reload and find the work restored, save to a file and open it again unchanged;
// the same without a mouse; and a stream with two consumers, one on enhanced fan-out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveApp, saveScreenshot, dismissGallery, afterAutosave, rowsScenario } from './harness.mjs';

const app = serveApp();

/** The autosaved document, as the page last wrote it. */
async function autosaved(page) {
  await afterAutosave(page);
  return page.evaluate(() => JSON.parse(localStorage.getItem('surge.editor.v1')));
}

async function center(page, selector) {
  const b = await page.locator(selector).boundingBox();
  assert.ok(b, `${selector} is on screen`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

async function dragFromPalette(page, key, x, y) {
  const from = await center(page, `.palette-item[data-kind="${key}"]`);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(x, y, { steps: 8 });
  await page.mouse.up();
}

async function connect(page, from, to) {
  const a = await center(page, `g.node[data-node="${from}"] .port-out`);
  const b = await center(page, `g.node[data-node="${to}"] .node-box`);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 10 });
  await page.mouse.up();
}

async function startEmpty(page) {
  await page.waitForSelector('g.node');
  await page.click('#new');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 0);
}

async function saveToFile(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const file = await download.path();
  return { file, json: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

test('build, configure, refuse, undo/redo, box-select, reload, save and open', async () => {
  const { page, context, errors } = await app.open();
  await startEmpty(page);
  const canvas = await page.locator('#canvas-svg').boundingBox();
  const row = canvas.y + canvas.height / 3;
  await dragFromPalette(page, 'api_gateway', canvas.x + 120, row);
  await dragFromPalette(page, 'lambda', canvas.x + 330, row);
  await dragFromPalette(page, 'rds_proxy', canvas.x + 540, row + 120);
  await dragFromPalette(page, 'rds', canvas.x + 540, row - 60);
  assert.deepEqual(await page.$$eval('g.node', (els) => els.map((e) => e.dataset.node)), ['api', 'fn', 'proxy', 'db']);
  // Dropped where the pointer let go: the API's box is under the drop point.
  const api = await page.locator('g.node[data-node="api"] .node-box').boundingBox();
  assert.ok(Math.abs(api.x + api.width / 2 - (canvas.x + 120)) < 25, 'dropped at the pointer');

  await connect(page, 'api', 'fn');
  await connect(page, 'fn', 'proxy');
  await connect(page, 'proxy', 'db');
  await page.waitForFunction(() => document.querySelectorAll('g.edge').length === 3);
  assert.deepEqual(
    await page.$$eval('g.edge', (els) => els.map((e) => [e.dataset.edge, e.querySelector('.edge-label').textContent.trim()])),
    [['api→fn', 'sync'], ['fn→proxy', 'sync'], ['proxy→db', 'sync']],
  );

  // Reserved concurrency in the inspector; a bad value is refused in place.
  await page.click('g.node[data-node="fn"] .node-box');
  const reserved = '#param-params-reserved_concurrency';
  await page.fill(reserved, '-5');
  assert.match(await page.textContent('.param.invalid .param-error'), /Refused: .*whole number/);
  await page.fill(reserved, '50');
  assert.equal(await page.locator('.param.invalid').count(), 0);
  await page.fill('#param-params-timeout_s', '2000');
  assert.match(await page.textContent('.param.invalid .param-error'), /900/);
  await page.fill('#param-params-timeout_s', '10');
  let doc = (await autosaved(page)).scenario;
  const fn = doc.nodes.find((n) => n.id === 'fn');
  assert.equal(fn.params.reserved_concurrency, 50);
  assert.equal(fn.params.timeout_s, 10);
  assert.ok(fn.params.handler.some((s) => s.call?.node === 'proxy'), 'wiring added the call step');
  await saveScreenshot(page, 'editor-built.png');

  // An invalid connection is refused with the core's reason.
  await connect(page, 'proxy', 'api');
  await saveScreenshot(page, 'editor-refused.png');
  assert.match(await page.textContent('.notice.refused'), /rds_proxy cannot call a api_gateway \(it can call: rds\)/);
  assert.equal(await page.locator('g.edge').count(), 3);

  // Undo the last three edits (timeout, reserved, proxy → db), then redo them.
  await page.click('#canvas-svg', { position: { x: 20, y: canvas.height - 20 } });
  for (let i = 0; i < 3; i++) await page.keyboard.press('Control+z');
  doc = (await autosaved(page)).scenario;
  assert.equal(doc.edges.length, 2);
  assert.equal(doc.nodes.find((n) => n.id === 'fn').params.reserved_concurrency, undefined);
  assert.equal(doc.nodes.find((n) => n.id === 'fn').params.timeout_s, 3);
  for (let i = 0; i < 3; i++) await page.click('#redo');
  doc = (await autosaved(page)).scenario;
  assert.equal(doc.edges.length, 3);
  assert.equal(doc.nodes.find((n) => n.id === 'fn').params.reserved_concurrency, 50);
  assert.equal(doc.nodes.find((n) => n.id === 'fn').params.timeout_s, 10);

  // Box-select the database side and delete it (the refusal's notice dismissed first: the
  // box starts where it was).
  if (await page.isVisible('.canvas .notice button')) await page.click('.canvas .notice button');
  const proxy = await page.locator('g.node[data-node="proxy"] .node-box').boundingBox();
  const db = await page.locator('g.node[data-node="db"] .node-box').boundingBox();
  await page.keyboard.down('Shift');
  await page.mouse.move(Math.min(proxy.x, db.x) - 20, db.y - 20);
  await page.mouse.down();
  await page.mouse.move(Math.max(proxy.x + proxy.width, db.x + db.width) + 20, proxy.y + proxy.height + 20, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  assert.equal(await page.locator('g.node.selected').count(), 2);
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 2);
  doc = (await autosaved(page)).scenario;
  assert.deepEqual(doc.nodes.map((n) => n.id), ['api', 'fn']);
  assert.deepEqual(doc.edges.map((e) => `${e.from}→${e.to}`), ['api→fn']);
  assert.ok(!doc.nodes[1].params.handler.some((s) => s.call), 'the call to the deleted proxy went with it');

  // Reload: the work is still there.
  await page.reload();
  await page.waitForSelector('g.node[data-node="fn"]');
  assert.equal(await page.locator('g.node').count(), 2);
  assert.equal(await page.locator('g.edge').count(), 1);
  await page.click('g.node[data-node="fn"] .node-box');
  assert.equal(await page.inputValue('#param-params-reserved_concurrency'), '50');

  // Save to a file, start over, open the file: the same scenario.
  const saved = await saveToFile(page);
  await page.click('#new');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 0);
  await page.setInputFiles('#open-file', saved.file);
  await page.waitForSelector('g.node[data-node="fn"]');
  const reopened = await saveToFile(page);
  assert.deepEqual(reopened.json, saved.json);
  assert.deepEqual(errors, []);
  await context.close();
});

test('opening a file never silently discards unsaved work', async () => {
  const { page, context } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('.palette-item[data-kind="sqs"]');
  await page.waitForSelector('g.node[data-node="queue"]');
  // The toolbar marks unsaved work on Save.
  await page.waitForFunction(() => document.querySelector('#save').textContent.includes('•'));
  // Every dialog is recorded and dismissed. The event may reach the test after the click
  // resolves, and in 2 of ~10 full-suite runs the first click asked nothing (never seen
  // when this file runs alone, nor in 16 stress runs of the same steps): click again,
  // at most three times, and say so in the output.
  const asked = [];
  page.on('dialog', async (d) => {
    asked.push(d.message());
    await d.dismiss();
  });
  for (let attempt = 1; attempt <= 3 && asked.length === 0; attempt++) {
    if (attempt > 1) console.log(`# New asked nothing on click ${attempt - 1}; clicking again`);
    await page.click('#new');
    for (let waited = 0; waited < 3000 && asked.length === 0; waited += 100) await page.waitForTimeout(100);
  }
  assert.equal(asked.length, 1, `New asks once before discarding: ${JSON.stringify(asked)}`);
  assert.match(asked[0], /not saved/);
  assert.equal(await page.locator('g.node[data-node="queue"]').count(), 1, 'dismissing keeps the work');
  await context.close();
});

test('keyboard only: add two nodes, connect them and edit a parameter', async () => {
  const { page, context } = await app.open();
  await page.waitForSelector('g.node');
  // Start from an empty diagram (New), reached with the keyboard too.
  const tabTo = async (predicate, what, limit = 80, key = 'Tab') => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press(key);
      if (await page.evaluate(predicate)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabTo(() => document.activeElement?.id === 'new', 'New');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 0);
  await page.keyboard.press('Shift+Tab');
  await tabTo(() => document.activeElement?.dataset?.kind === 'api_gateway', 'API Gateway');
  await page.keyboard.press('Enter');
  await tabTo(() => document.activeElement?.dataset?.kind === 'lambda', 'Lambda');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 2);
  // Tab to the API's node on the canvas; Enter opens its inspector.
  await tabTo(() => document.activeElement?.dataset?.node === 'api', 'the API node');
  const before = (await autosaved(page)).scenario.nodes.find((n) => n.id === 'api').position;
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('#inspector'));
  await tabTo(() => document.activeElement?.id === 'connect-to', 'Connect to');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelectorAll('g.edge').length === 1);
  await tabTo(() => document.activeElement?.id === 'param-params-rate_per_s', 'the rate field', 40, 'Shift+Tab');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('250');
  const doc = (await autosaved(page)).scenario;
  assert.deepEqual(doc.edges.map((e) => `${e.from}→${e.to}`), ['api→fn']);
  const api = doc.nodes.find((n) => n.id === 'api');
  assert.equal(api.params.rate_per_s, 250);
  assert.deepEqual(api.position, { x: before.x, y: before.y + 20 }, 'moved one grid step with an arrow key');
  await page.keyboard.press('Escape'); // leaves the field
  await page.keyboard.press('?');
  assert.ok(await page.isVisible('.help[role="dialog"]'));
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.help').count(), 0);
  // A panel opened from the keyboard leaves the focus on its button.
  await page.focus('#embed');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#embed-panel');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed', 'Embed… keeps the focus');
  await context.close();
});

test('on a large diagram drawn only in view, Tab walks every node and the view follows', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'surge-e2e-')), 'rows80.json');
  fs.writeFileSync(file, JSON.stringify(rowsScenario(80))); // 400 nodes, drawn in view only
  await page.evaluate(() => { document.querySelector('#canvas-svg').kept = true; });
  await page.setInputFiles('#open-file', file);
  await page.waitForSelector('g.node[data-node="rds-79"]');
  await page.waitForSelector('.notice');
  assert.ok(await page.evaluate(() => document.querySelector('#canvas-svg').kept), 'the notice left the canvas element in place');
  // Frame the first node: the rest of the diagram is no longer drawn.
  await page.focus('g.node[data-node="client-0"]');
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.querySelectorAll('g.node').length < 100);
  const kinds = ['client', 'api_gateway', 'lambda', 'rds_proxy', 'rds'];
  const inView = () => page.evaluate(() => {
    const c = document.querySelector('#canvas-svg').getBoundingClientRect();
    const r = document.activeElement.querySelector('.node-box').getBoundingClientRect();
    return [document.activeElement.dataset.node, r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom];
  });
  for (let i = 1; i <= 30; i++) {
    await page.keyboard.press('Tab');
    const want = `${kinds[i % 5]}-${Math.floor(i / 5)}`;
    assert.deepEqual(await inView(), [want, true], `Tab ${i} reaches ${want}, in view`);
  }
  for (let i = 29; i >= 25; i--) {
    await page.keyboard.press('Shift+Tab');
    assert.deepEqual(await inView(), [`${kinds[i % 5]}-${Math.floor(i / 5)}`, true], `Shift+Tab back to node ${i}`);
  }
  assert.ok(await page.locator('g.node').count() < 100, 'still drawn in view only');
  await saveScreenshot(page, 'editor-tab-large.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Export PNG downloads an image of the whole diagram', async () => {
  const { page, context } = await app.open();
  await page.waitForSelector('g.node');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const bytes = fs.readFileSync(await download.path());
  assert.equal(download.suggestedFilename(), 'surge-diagram.png');
  assert.deepEqual([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
  assert.ok(bytes.length > 2000, `a real image (${bytes.length} bytes)`);
  await context.close();
});

test('editor screenshots at desktop and phone size', async () => {
  for (const [name, viewport] of [['editor-desktop.png', { width: 1280, height: 800 }], ['editor-phone.png', { width: 390, height: 844 }]]) {
    const { page, context } = await app.open('', viewport);
    await page.waitForSelector('g.node');
    await page.click('#tab-run');
    await page.selectOption('#preset', 'lesson7-storm-proxy');
    await page.click('#load-preset');
    await page.waitForSelector('g.node[data-node="db"]');
    await page.click('#fit');
    await page.click('g.node[data-node="fn"] .node-box');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await saveScreenshot(page, name);
    await context.close();
  }
});

test('the load & faults panel schedules a fault and refuses a bad one', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.click('#tab-timeline');
  await page.click('#add-fault');
  await page.waitForSelector('.fault-row');
  await page.selectOption('[aria-label="Fault 1 kind"]', 'added_latency');
  await page.fill('[aria-label="Fault 1 extra ms"]', '250');
  await page.press('[aria-label="Fault 1 extra ms"]', 'Enter');
  await page.fill('[aria-label="Fault 1 start (s)"]', '-3');
  await page.press('[aria-label="Fault 1 start (s)"]', 'Enter');
  assert.match(await page.textContent('.timeline .param-error'), /Refused: .*-3/);
  const doc = (await autosaved(page)).scenario;
  assert.deepEqual(doc.faults, [{ node: 'fn', at_s: 20, duration_s: 10, kind: 'added_latency', ms: 250 }]);
  assert.equal(await page.locator('.timeline-chart .fault-added_latency').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('touch: a two-finger pinch zooms the canvas', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(app.url);
  await dismissGallery(page);
  await page.waitForSelector('g.node');
  const zoom = async () => Number((await page.textContent('.zoom-level')).replace('%', ''));
  const before = await zoom();
  const box = await page.locator('#canvas-svg').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height - 120;
  const cdp = await context.newCDPSession(page);
  const touch = (type, d) => cdp.send('Input.dispatchTouchEvent', {
    type,
    touchPoints: type === 'touchEnd' ? [] : [{ x: cx - d, y: cy, id: 1 }, { x: cx + d, y: cy, id: 2 }],
  });
  await touch('touchStart', 40);
  for (let d = 50; d <= 120; d += 10) await touch('touchMove', d);
  await touch('touchEnd', 0);
  const after = await zoom();
  assert.ok(after > before * 1.5, `pinch zoomed from ${before}% to ${after}%`);
  await context.close();
});

test('a stream takes a second consumer, switched to enhanced fan-out in the edge inspector', async () => {
  const { page, context, errors } = await app.open();
  await startEmpty(page);
  const canvas = await page.locator('#canvas-svg').boundingBox();
  const row = canvas.y + canvas.height / 3;
  await dragFromPalette(page, 'kinesis', canvas.x + 140, row);
  await dragFromPalette(page, 'lambda', canvas.x + 400, row - 70);
  await dragFromPalette(page, 'lambda', canvas.x + 400, row + 110);
  const ids = await page.$$eval('g.node', (els) => els.map((e) => e.dataset.node));
  assert.equal(ids.length, 3);
  const [stream, first, second] = ids;
  await connect(page, stream, first);
  await connect(page, stream, second);
  await page.waitForFunction(() => document.querySelectorAll('g.edge').length === 2);
  assert.equal(await page.locator('.notice.refused').count(), 0, 'two consumers are allowed');
  assert.deepEqual(
    await page.$$eval('g.edge .edge-label', (els) => els.map((e) => e.textContent.trim())),
    ['stream', 'stream'],
  );
  // The second connection's inspector: its stream mapping, with enhanced fan-out.
  await page.click('#canvas-svg', { position: { x: 20, y: canvas.height - 20 } });
  await page.locator(`g.edge[data-edge="${stream}→${second}"] .edge-hit`).click({ force: true });
  await page.waitForSelector('input[id$="enhanced_fan_out"]');
  await page.check('input[id$="enhanced_fan_out"]');
  const doc = (await autosaved(page)).scenario;
  const edge = doc.edges.find((e) => e.to === second);
  assert.equal(edge.stream?.enhanced_fan_out, true, JSON.stringify(edge));
  assert.notEqual(doc.edges.find((e) => e.to === first).stream?.enhanced_fan_out, true);
  await saveScreenshot(page, 'editor-fan-out.png');
  assert.deepEqual(errors, []);
  await context.close();
});
