// A workshop exercise as a student meets it: the instructor's link opens the broken design
// beside its story and goals; a locked parameter cannot be changed, an allowed one can;
// Check fails, the fix passes and gives a result code; the CLI accepts that code for that
// solution and refuses the code altered by one character and the solution with one
// parameter changed. A reload keeps the exercise and the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { serveApp, saveScreenshot, SURGE_BIN, untilFinished } from './harness.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const EXERCISE = path.resolve(HERE, '../exercises/isolate-the-noisy-neighbour/exercise.json');
const app = serveApp();

const check = (...args) => spawnSync(SURGE_BIN, ['check', EXERCISE, ...args], { encoding: 'utf8' });
const autosaved = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('surge.editor.v1')));

test('a student solves an exercise from its link and the CLI accepts the code', async () => {
  const link = execFileSync(SURGE_BIN, ['link', 'exercise', EXERCISE, '--base', app.url], { encoding: 'utf8' }).trim();
  const { page, context, errors } = await app.open(link.slice(app.url.length), undefined, { gallery: true });
  await page.waitForSelector('#exercise-panel');
  assert.match(await page.textContent('#exercise-panel h3'), /noisy neighbour/i);
  await page.waitForSelector('g.node[data-node="checkout"]');

  // A locked parameter cannot be changed: its field is disabled and says so; removing a
  // node is refused with the part named.
  await page.click('g.node[data-node="checkout"] .node-box');
  assert.ok(await page.isDisabled('#param-params-memory_mb'));
  assert.match(await page.textContent('.param.locked'), /locked/);
  assert.ok(!(await page.isDisabled('#param-params-reserved_concurrency')));
  await page.click('g.node[data-node="shoppers"] .node-box');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => /Locked by the exercise: shoppers was removed/.test(document.body.textContent));
  assert.equal(await page.locator('g.node[data-node="shoppers"]').count(), 1);

  // Check the design as it is: the goals fail.
  await page.click('#exercise-check');
  await page.waitForSelector('#exercise-verdict[data-status="fail"]', { timeout: 120000 });
  assert.ok(await page.locator('#exercise-verdict li.missed').count() >= 1);
  assert.equal(await page.locator('#exercise-code').count(), 0);
  await saveScreenshot(page, 'exercise-fail.png');
  // A missed goal links to its moment: the run of the seed it was graded on, paused there.
  const goTo = page.locator('#exercise-verdict button.go-to').first();
  const at = Number(await goTo.getAttribute('data-at'));
  assert.ok(at > 0, `${at}`);
  await goTo.click();
  await page.waitForFunction((t) => document.querySelector('#player-status')?.textContent === 'paused'
    && (document.querySelector('.player .clock')?.textContent ?? '').startsWith(`t = ${t} s`), at, { timeout: 60000 });
  assert.equal(await page.locator('#exercise-verdict[data-status="fail"]').count(), 1, 'the verdict stays');

  // An allowed parameter: the fix, then Check passes with a code.
  await page.click('g.node[data-node="checkout"] .node-box');
  await page.fill('#param-params-reserved_concurrency', '200');
  await page.waitForFunction(() => !document.querySelector('#exercise-verdict'));
  await page.click('#exercise-check');
  await page.waitForSelector('#exercise-verdict[data-status="pass"]', { timeout: 120000 });
  const code = (await page.textContent('#exercise-code')).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await saveScreenshot(page, 'exercise-pass.png');

  // The CLI re-runs the solution and accepts the code; refuses an altered code and an
  // edited solution.
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('surge.editor.v1'))?.scenario.nodes.find((n) => n.id === 'checkout').params.reserved_concurrency === 200);
  const solution = (await autosaved(page)).scenario;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surge-exercise-'));
  const file = path.join(dir, 'solution.json');
  fs.writeFileSync(file, JSON.stringify(solution));
  const ok = check(file, '--code', code);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const altered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
  assert.equal(check(file, '--code', altered).status, 1);
  const edited = structuredClone(solution);
  edited.nodes.find((n) => n.id === 'checkout').params.reserved_concurrency = 210;
  const editedFile = path.join(dir, 'edited.json');
  fs.writeFileSync(editedFile, JSON.stringify(edited));
  const refused = check(editedFile, '--code', code);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stdout, /does not match/);

  // The link carrying the solution opens it; a reload keeps the exercise and the work.
  const solutionLink = await page.inputValue('#exercise-solution-link');
  assert.ok(solutionLink.includes('#x1.') && solutionLink.includes('&s='), solutionLink);
  await page.reload();
  await page.waitForSelector('#exercise-panel');
  await page.click('g.node[data-node="checkout"] .node-box');
  assert.equal(await page.inputValue('#param-params-reserved_concurrency'), '200');
  assert.deepEqual(errors, []);
  await context.close();

  const fresh = await app.open(solutionLink.slice(app.url.length), undefined, { gallery: true });
  await fresh.page.waitForSelector('#exercise-panel');
  await fresh.page.click('g.node[data-node="checkout"] .node-box');
  assert.equal(await fresh.page.inputValue('#param-params-reserved_concurrency'), '200');
  await fresh.context.close();
});

test('an instructor turns a lesson into an exercise, shares it, and a student solves it', async () => {
  const { page, context, errors } = await app.open('?lesson=2', undefined, { gallery: true });
  await page.waitForSelector('#lesson-panel');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await untilFinished(page);
  await page.click('#make-exercise');
  await page.waitForSelector('#author-dialog');
  await page.fill('#author-title', 'Absorb the launch');
  await page.fill('#author-story', 'Orders jump from 1,000 to 4,000 a second at 60 s. Keep throttles under 5 %.');
  await page.fill('#author-hints', 'Look at the account.\nRaise the concurrency limit.');
  await page.press('#author-hints', 'Tab');
  await page.check('#author-goal-throttled_pct');
  await page.fill('#author-bound-throttled_pct', '5');
  await page.press('#author-bound-throttled_pct', 'Tab');
  await page.check('#author-account');
  await saveScreenshot(page, 'exercise-authoring.png');
  await page.click('#author-link');
  await page.waitForSelector('#author-link-text');
  const link = await page.inputValue('#author-link-text');
  assert.ok(link.includes('#x1.'), link);
  assert.deepEqual(errors, []);
  await context.close();

  // A fresh context: a student with nothing saved.
  const student = await app.open(link.slice(app.url.length), undefined, { gallery: true });
  const s = student.page;
  await s.waitForSelector('#exercise-panel');
  assert.match(await s.textContent('#exercise-panel h3'), /Absorb the launch/);
  await s.click('#exercise-check');
  await s.waitForSelector('#exercise-verdict[data-status="fail"]', { timeout: 120000 });
  // The account is open to change; a function's memory is not.
  await s.click('g.node[data-node="fn"] .node-box');
  assert.ok(await s.isDisabled('#param-params-memory_mb'));
  await s.keyboard.press('Escape');
  await s.click('#tab-inspector');
  await s.waitForSelector('#account-lambda_concurrency');
  await s.fill('#account-lambda_concurrency', '5000');
  await s.waitForFunction(() => !document.querySelector('#exercise-verdict'));
  await s.click('#exercise-check');
  await s.waitForSelector('#exercise-verdict[data-status="pass"]', { timeout: 120000 });
  assert.match((await s.textContent('#exercise-code')).trim(), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.deepEqual(student.errors, []);
  await student.context.close();
});
