// AWS templates in the page: a SAM template pasted on the page becomes the diagram (and
// runs, and says what it did not simulate); a template opens from a file; console ASL
// pasted into a state machine's definition becomes its states, calling the function named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveApp, saveScreenshot, untilFinished } from './harness.mjs';

const app = serveApp();
const TEMPLATES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../templates');

async function paste(page, text) {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
}

const ids = (page) => page.$$eval('g.node', (els) => els.map((e) => e.dataset.node).sort());

test('a pasted SAM template becomes the diagram, runs, and lists what it left out', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  const t0 = Date.now();
  await paste(page, fs.readFileSync(path.join(TEMPLATES, '19-rds-proxy.yaml'), 'utf8'));
  await page.waitForSelector('g.node[data-node="Proxy"]');
  console.log(`# pasted template on the canvas in ${Date.now() - t0} ms`);
  assert.deepEqual(await ids(page), ['Api', 'Database', 'Proxy', 'ServerlessHttpApi', 'ServerlessHttpApiClients']);
  assert.match(await page.textContent('.canvas .notice'), /Imported the pasted template: 5 nodes; not simulated: ProxyTargets \(AWS::RDS::DBProxyTargetGroup\)/);
  assert.deepEqual(
    await page.$$eval('g.edge', (els) => els.map((e) => e.dataset.edge).sort()),
    ['Api→Proxy', 'Proxy→Database', 'ServerlessHttpApiClients→ServerlessHttpApi', 'ServerlessHttpApi→Api'],
  );
  await page.click('#fit');
  await saveScreenshot(page, 'import-pasted.png');
  await page.selectOption('#speed', 'max');
  const t1 = Date.now();
  await page.click('#play');
  await untilFinished(page);
  console.log(`# ran in ${Date.now() - t1} ms`);
  assert.ok(Number(await page.textContent('#live-requests')) > 0);
  // One undo step brings the previous diagram back.
  await page.click('#undo');
  await page.waitForFunction(() => !document.querySelector('g.node[data-node="Proxy"]'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a template opens from a file; console ASL pasted into a state machine shows its graph, calls its function and is edited in forms', async () => {
  const { page, context, errors } = await app.open();
  await page.waitForSelector('g.node');
  await page.setInputFiles('#open-file', path.join(TEMPLATES, '15-stepfunctions-inline.yaml'));
  await page.waitForSelector('g.node[data-node="OrderFlow"]');
  assert.match(await page.textContent('.canvas .notice'), /Imported 15-stepfunctions-inline\.yaml/);
  await page.click('g.node[data-node="OrderFlow"] .node-box');
  const asl = {
    Comment: 'pasted from the console',
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:Charge:$LATEST', 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' }],
        Next: 'Shipped?',
      },
      'Shipped?': { Type: 'Choice', Choices: [{ Variable: '$.shipped', BooleanEquals: true, Next: 'Done' }], Default: 'Later' },
      Later: { Type: 'Wait', Seconds: 5, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
  await page.fill('#param-params-definition-States', JSON.stringify(asl, null, 2));
  await page.locator('#param-params-definition-States').blur();
  // The graph shows the pasted states, the Task calling the function it names.
  await page.waitForSelector('.sg-state[data-state="Check"]');
  for (const name of ['Check', 'Shipped?', 'Later', 'Done']) {
    assert.equal(await page.locator(`.sg-state[data-state="${name}"]`).count(), 1, `${name} drawn`);
  }
  assert.match(await page.textContent('.sg-state[data-state="Check"] title'), /calls Charge/);
  assert.equal(await page.locator('.sg-arrow.rule').count(), 2, 'a rule and the default');
  // The ASL is kept as pasted: standard field names, its comment and its condition.
  const stored = JSON.parse(await page.inputValue('#param-params-definition-States'));
  assert.equal(stored.Check.Type, 'Task');
  assert.equal(stored.Check.Retry[0].MaxAttempts, 5);
  assert.equal(stored['Shipped?'].Choices[0].Variable, '$.shipped');
  assert.equal(await page.inputValue('#param-params-definition-StartAt'), 'Check');
  // Pick the Task: its form shows what it calls and its retrier; a catcher is added.
  await page.click('.sg-state[data-state="Check"]');
  await page.waitForSelector('.state-form[data-state="Check"]');
  assert.equal(await page.inputValue('.state-form select[id$="-calls"]'), 'Charge');
  assert.equal(await page.inputValue('.state-form [data-retry="0"] input[id$="-MaxAttempts"]'), '5');
  await page.click('.state-form .add-catch');
  await page.waitForSelector('.sg-arrow.catch');
  assert.match(await page.textContent('.sg-state[data-state="Check"] title'), /1 retriers, 1 catchers/);
  // A Choice's probability is a simulation setting; the default takes the rest.
  await page.click('.sg-state[data-state="Shipped?"]');
  await page.fill('.state-form input[id$="-rule0"]', '30');
  await page.locator('.state-form input[id$="-rule0"]').blur();
  await page.waitForFunction(() => /the rest, 70\.0 %/.test(document.querySelector('.state-form')?.textContent ?? ''));
  await saveScreenshot(page, 'import-asl.png');
  assert.deepEqual(errors, []);
  await context.close();
});
