// Meta approves a display name: the simulator's signed webhook reaches Greenlight, which registers
// the number at once; the administrator's bell shows the alert and the Activity tab lists the attempt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, AGENT, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
let sim;
before(async () => {
  gl = await startGreenlight([], { GREENLIGHT_HEALTH_CACHE_TTL: '1s' });
  const m = /Simulated Meta Graph API: (http:\/\/\S+)/.exec(gl.output());
  assert.ok(m, `no simulator URL in the output:\n${gl.output()}`);
  sim = m[1];
  const numbers = await (await fetch(`${sim}/__sim/numbers`)).json();
  const pending = numbers.find((n) => n.scenario === 'pending_review');
  assert.ok(pending, 'the demo has a number in review');
  const r = await fetch(`${sim}/__sim/numbers/${pending.id}/approve_name`, { method: 'POST' });
  assert.ok(r.ok, `approve_name: ${r.status}`);
  // Within seconds: the webhook, one /register, the alert.
  let registered = false;
  for (let i = 0; i < 100 && !registered; i++) {
    await new Promise((res) => setTimeout(res, 200));
    const calls = await (await fetch(`${sim}/__sim/calls`)).json();
    registered = calls.some((c) => c.method === 'POST' && c.path.endsWith(`${pending.id}/register`));
  }
  assert.ok(registered, 'Greenlight called /register after the approval webhook');
});
after(async () => { await gl?.stop(); });

async function openActivity(page) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  await page.getByRole('link', { name: 'Display name in review', exact: true }).click();
  await page.getByRole('link', { name: 'Activity', exact: true }).click();
  await page.waitForSelector('#activity-list', { timeout: 30000 });
}

test('the bell shows the alert and the Activity tab lists the registration attempt', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    // The alert is raised a moment after Meta provisions the number: reload until the bell has it.
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      if (i > 0) { await page.waitForTimeout(500); await page.reload(); await hydrated(page); }
      const badge = page.locator('#bell-count');
      if (!(await badge.count())) continue;
      assert.ok(Number.parseInt(await badge.textContent(), 10) >= 1, 'the bell shows an unread count');
      await page.click('#bell-button');
      found = /registered with the Cloud API/.test(await page.textContent('#notifications'));
    }
    assert.ok(found, 'the registration alert is in the bell');
    await page.screenshot({ path: join(ARTIFACTS, 'activity-bell.png'), fullPage: true });

    await openActivity(page);
    await hydrated(page);
    const list = await page.textContent('#activity-list');
    assert.match(list, /Registration succeeded/);
    assert.match(list, /Meta webhook \(display name approved\)/);
    assert.match(list, /Display name decision/);
    await page.screenshot({ path: join(ARTIFACTS, 'activity-tab.png'), fullPage: true });
    // The webhook self-check is on the Account Health tab.
    await page.click('nav.tabs >> text=Account Health');
    await page.waitForSelector('#webhook-check');
    assert.match(await page.textContent('#webhook-check'), /events to Greenlight/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an agent gets no notifications; the Activity tab works without JavaScript', async () => {
  const { context, page } = await launch({ javaScriptEnabled: false });
  try {
    await signIn(page, gl.base, AGENT);
    await page.waitForURL(/inboxes$/);
    assert.equal(await page.locator('#bell-count').count(), 0);
    await page.goto(`${gl.base}/accounts/1/inboxes`);
    const href = await page.getByRole('link', { name: 'Display name in review', exact: true }).getAttribute('href');
    await page.goto(`${gl.base}${href.replace(/\/(health)?$/, '')}/activity`);
    await page.waitForSelector('#activity-list');
    assert.match(await page.textContent('#activity-list'), /Registration succeeded/);
    await page.screenshot({ path: join(ARTIFACTS, 'activity-nojs.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
