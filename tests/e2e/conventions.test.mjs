// Editor conventions people bring from other tools: search the palette, skip to the
// diagram from the keyboard, F frames the selection, and a dark theme that follows the
// system's preference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveApp, saveScreenshot, loadPreset, afterAutosave } from './harness.mjs';

const app = serveApp();

test('palette search adds the first match on Enter; the skip link reaches the diagram', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const before = await page.locator('g.node').count();
  await page.fill('#palette-search', 'dynamo');
  assert.deepEqual(await page.$$eval('.palette-item', (els) => els.map((e) => e.dataset.kind)), ['dynamodb']);
  await page.press('#palette-search', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('g.node').length === n + 1, before);
  await page.fill('#palette-search', 'queue');
  assert.ok((await page.$$eval('.palette-item', (els) => els.map((e) => e.dataset.kind))).includes('sqs'));
  await page.fill('#palette-search', 'zzz');
  assert.match(await page.textContent('.palette-none'), /No service matches/);
  await page.press('#palette-search', 'Escape');
  assert.equal(await page.locator('.palette-item').count(), 16);

  // On a fresh load, the first Tab reaches the skip link; following it focuses the diagram.
  await page.reload();
  await page.waitForSelector('g.node');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'canvas-svg');
  assert.deepEqual(errors, []);
  await context.close();
});

test('F frames the selected nodes, or the whole diagram when none is selected', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson11-queue-buffer');
  await page.waitForSelector('g.node[data-node="db"]');
  const zoom = () => page.textContent('.toolbar .zoom-level');
  await page.click('#canvas-svg', { position: { x: 20, y: 20 } });
  await page.keyboard.press('f');
  const whole = await zoom();
  await page.click('g.node[data-node="db"] .node-box');
  await page.keyboard.press('f');
  await page.waitForFunction((w) => document.querySelector('.toolbar .zoom-level')?.textContent !== w, whole);
  const selected = await zoom();
  assert.ok(parseInt(selected, 10) > parseInt(whole, 10), `one node framed closer: ${whole} → ${selected}`);
  const box = await page.locator('g.node[data-node="db"] .node-box').boundingBox();
  const canvas = await page.locator('#canvas-svg').boundingBox();
  assert.ok(box.x > canvas.x && box.x + box.width < canvas.x + canvas.width, 'the node is in view');
  assert.deepEqual(errors, []);
  await context.close();
});

test('dark mode renders when the system prefers it', async () => {
  const { page, context, errors } = await app.open('', undefined, { colorScheme: 'dark' });
  await page.waitForSelector('g.node');
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const nodeFill = await page.$eval('g.node .node-box', (e) => getComputedStyle(e).fill);
  const label = await page.$eval('g.node .node-label', (e) => getComputedStyle(e).fill);
  assert.ok(luminance(body) < 60, `dark page: ${body}`);
  assert.ok(luminance(nodeFill) < 60, `dark nodes: ${nodeFill}`);
  assert.ok(luminance(label) > 180, `light labels: ${label}`);
  await saveScreenshot(page, 'dark-desktop.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone, tapping a node opens its inspector as a sheet in view', async () => {
  const { page, context, errors } = await app.open('', { width: 390, height: 844 }, { hasTouch: true, isMobile: true });
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.locator('g.node[data-node="fn"] .node-box').scrollIntoViewIfNeeded();
  await page.tap('g.node[data-node="fn"] .node-box');
  await page.waitForSelector('.app.has-selection');
  const panel = await page.locator('.side-panel').boundingBox();
  assert.ok(panel.y < 844 && panel.y + panel.height <= 844 + 1, `the sheet is on screen: ${JSON.stringify(panel)}`);
  assert.ok(await page.isVisible('#panel-inspector'), 'the inspector shows');
  await saveScreenshot(page, 'phone-sheet.png');
  // Done closes the sheet and gives the diagram back.
  await page.tap('.sheet-close');
  await page.waitForSelector('.app:not(.has-selection)');
  assert.ok(!(await page.isVisible('.sheet-close')));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the context menu deletes a node, deletes a connection and selects all', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.node[data-node="db"]');
  await page.click('g.node[data-node="db"] .node-box', { button: 'right' });
  await page.waitForSelector('.context-menu');
  await saveScreenshot(page, 'context-menu.png');
  await page.click('#menu-delete');
  await page.waitForFunction(() => !document.querySelector('g.node[data-node="db"]'));
  assert.equal(await page.locator('.context-menu').count(), 0, 'the menu closes');
  await page.click('g.edge[data-edge="api→fn"] .edge-hit', { button: 'right', force: true });
  await page.click('#menu-delete-edge');
  await page.waitForFunction(() => !document.querySelector('g.edge[data-edge="api→fn"]'));
  assert.ok(await page.isVisible('g.node[data-node="fn"]'), 'the nodes stay');
  await page.click('#canvas-svg', { button: 'right', position: { x: 30, y: 30 } });
  await page.click('#menu-select-all');
  await page.waitForFunction(() => document.querySelectorAll('g.node.selected').length === document.querySelectorAll('g.node').length);
  // One undo brings the connection back.
  await page.click('#undo');
  await page.waitForSelector('g.edge[data-edge="api→fn"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('double-click renames a node in place; F2 too, and Escape cancels', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.node[data-node="fn"]');
  await page.dblclick('g.node[data-node="fn"] .node-label');
  await page.waitForSelector('#rename-in-place');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'rename-in-place', 'the field has focus');
  await page.fill('#rename-in-place', 'checkout');
  await page.press('#rename-in-place', 'Enter');
  await page.waitForFunction(() => document.querySelector('g.node[data-node="fn"] .node-label')?.textContent === 'checkout');
  assert.equal(await page.locator('#rename-in-place').count(), 0, 'the field closes');
  await saveScreenshot(page, 'renamed-in-place.png');
  // F2 on the focused node opens the field; Escape leaves the name as it was.
  await page.focus('g.node[data-node="db"]');
  await page.keyboard.press('F2');
  await page.waitForSelector('#rename-in-place');
  await page.keyboard.type('zzz');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#rename-in-place'));
  assert.doesNotMatch(await page.textContent('g.node[data-node="db"] .node-label'), /zzz/);
  // One undo step takes the rename back.
  await page.click('#undo');
  await page.waitForFunction(() => document.querySelector('g.node[data-node="fn"] .node-label')?.textContent !== 'checkout');
  assert.deepEqual(errors, []);
  await context.close();
});

test('dragging a selected connection’s end onto another node re-attaches it, calls and all', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.edge[data-edge="fn→proxy"]');
  await page.click('g.edge[data-edge="fn→proxy"] .edge-hit', { force: true });
  const handle = page.locator('circle.edge-end[data-edge-end="fn→proxy"]');
  await handle.waitFor();
  const from = await handle.boundingBox();
  const db = await page.locator('g.node[data-node="db"] .node-box').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(
      from.x + ((db.x + db.width / 2 - from.x) * i) / 10,
      from.y + ((db.y + db.height / 2 - from.y) * i) / 10,
    );
  }
  await page.mouse.up();
  await page.waitForSelector('g.edge[data-edge="fn→db"]');
  assert.equal(await page.locator('g.edge[data-edge="fn→proxy"]').count(), 0, 'the old end is gone');
  await afterAutosave(page);
  const scenario = await page.evaluate(() => JSON.parse(localStorage.getItem('surge.editor.v1')).scenario);
  const handler = JSON.stringify(scenario.nodes.find((n) => n.id === 'fn').params.handler);
  assert.match(handler, /"node":"db"/, 'the function now calls the database');
  assert.doesNotMatch(handler, /"node":"proxy"/);
  await page.click('#undo');
  await page.waitForSelector('g.edge[data-edge="fn→proxy"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a group box and a note: added from the context menu, labelled in place, the box moves the nodes inside it', async () => {
  const { page, context, errors } = await app.open();
  await loadPreset(page, 'lesson7-storm-proxy');
  await page.waitForSelector('g.node[data-node="fn"]');
  const fn = await page.locator('g.node[data-node="fn"] .node-box').boundingBox();
  // A box just up-left of the function holds it.
  await page.mouse.click(fn.x - 30, fn.y - 30, { button: 'right' });
  await page.click('#menu-add-box');
  await page.waitForSelector('g.ann-box');
  await page.dblclick('g.ann-box .ann-strip', { position: { x: 60, y: 10 } });
  await page.waitForSelector('#rename-in-place');
  await page.fill('#rename-in-place', 'prod, eu-west-1');
  await page.press('#rename-in-place', 'Enter');
  await page.waitForFunction(() => /prod, eu-west-1/.test(document.querySelector('g.ann-box .ann-label')?.textContent ?? ''));
  await page.click('g.ann-box .ann-strip', { button: 'right', position: { x: 60, y: 10 } });
  await page.click('#menu-kind-vpc');
  await page.waitForSelector('g.ann-vpc');
  assert.match(await page.textContent('g.ann-vpc .ann-label'), /^VPC · prod, eu-west-1$/);
  // Dragging the box by its label strip moves the function inside it, as one undo step.
  const before = await page.getAttribute('g.node[data-node="fn"]', 'transform');
  const strip = await page.locator('g.ann-vpc .ann-strip').boundingBox();
  await page.mouse.move(strip.x + 40, strip.y + 10);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(strip.x + 40 + i * 15, strip.y + 10 + i * 5);
  await page.mouse.up();
  await page.waitForFunction((b) => document.querySelector('g.node[data-node="fn"]').getAttribute('transform') !== b, before);
  assert.notEqual(await page.getAttribute('g.node[data-node="db"]', 'transform'), null);
  await page.click('#undo');
  await page.waitForFunction((b) => document.querySelector('g.node[data-node="fn"]').getAttribute('transform') === b, before);
  // From the keyboard: arrows move the focused box with the function (Shift: five steps),
  // Alt+arrows resize it and move nothing.
  const frame = () => page.evaluate(() => ['x', 'y', 'width', 'height'].map((k) => Number(document.querySelector('g.ann-vpc .ann-frame').getAttribute(k))));
  const [x0, y0, w0, h0] = await frame();
  await page.focus('g.ann-vpc');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  assert.deepEqual(await frame(), [x0 + 20, y0 + 100, w0, h0], 'moved one step right, five down');
  assert.notEqual(await page.getAttribute('g.node[data-node="fn"]', 'transform'), before, 'the function moved with it');
  await page.keyboard.press('Alt+ArrowRight');
  await page.keyboard.press('Alt+ArrowUp');
  assert.deepEqual(await frame(), [x0 + 20, y0 + 100, w0 + 20, h0 - 20], 'resized');
  await page.click('#undo');
  await page.click('#undo');
  await page.waitForFunction((b) => document.querySelector('g.node[data-node="fn"]').getAttribute('transform') === b, before);
  assert.deepEqual(await frame(), [x0, y0, w0, h0], 'two undo steps: the resize, then the moves');
  // A note, written in place; it travels with the scenario.
  const canvas = await page.locator('#canvas-svg').boundingBox();
  await page.mouse.click(canvas.x + canvas.width - 260, canvas.y + 30, { button: 'right' });
  await page.click('#menu-add-note');
  await page.waitForSelector('g.ann-note');
  await page.dblclick('g.ann-note .ann-frame');
  await page.fill('#rename-in-place', 'Every request opens a connection: watch db');
  await page.press('#rename-in-place', 'Enter');
  await page.waitForFunction(() => /Every request opens/.test(document.querySelector('g.ann-note .ann-text')?.textContent ?? ''));
  await saveScreenshot(page, 'annotations.png');
  await afterAutosave(page);
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('surge.editor.v1')).scenario.annotations);
  assert.deepEqual(saved.map((a) => [a.kind, a.text]), [['vpc', 'prod, eu-west-1'], ['note', 'Every request opens a connection: watch db']]);
  // Delete from the context menu.
  await page.click('g.ann-note .ann-frame', { button: 'right' });
  await page.click('#menu-delete-annotation');
  await page.waitForFunction(() => !document.querySelector('g.ann-note'));
  // Pan the box off screen; reaching it from the keyboard brings it back into view.
  const onCanvas = () => page.evaluate(() => {
    const c = document.querySelector('#canvas-svg').getBoundingClientRect();
    const r = document.querySelector('g.ann-vpc .ann-frame').getBoundingClientRect();
    return r.left >= c.left && r.top >= c.top && r.left < c.right && r.top < c.bottom;
  });
  const free = await page.locator('#canvas-svg').boundingBox();
  await page.mouse.move(free.x + free.width - 40, free.y + 40);
  await page.mouse.down();
  await page.mouse.move(free.x + free.width + 900, free.y + 40, { steps: 10 });
  await page.mouse.up();
  assert.equal(await onCanvas(), false, 'panned away');
  await page.focus('g.ann-vpc');
  await page.waitForFunction(() => {
    const c = document.querySelector('#canvas-svg').getBoundingClientRect();
    const r = document.querySelector('g.ann-vpc .ann-frame').getBoundingClientRect();
    return r.left >= c.left && r.top >= c.top && r.left < c.right && r.top < c.bottom;
  }, null, { timeout: 2000 });
  assert.deepEqual(errors, []);
  await context.close();
});
