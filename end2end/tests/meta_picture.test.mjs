// Everything Meta tells about a number, as a person sees it on the Account Health tab: "Can this
// number send?" with the entity Meta blocks and what to do, and a restriction's countdown after
// Meta's account_update webhook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
let sim;
before(async () => {
  gl = await startGreenlight([], { GREENLIGHT_HEALTH_CACHE_TTL: '1s' });
  const m = /Simulated Meta Graph API: (http:\/\/\S+)/.exec(gl.output());
  assert.ok(m, `no simulator URL in the output:\n${gl.output()}`);
  sim = m[1];
});
after(async () => { await gl?.stop(); });

async function openInbox(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForSelector('#can-send', { timeout: 30000 });
}

test('a number whose business account Meta blocks says so first, with the error and what to do', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Business account blocked by Meta (payment)');
    await hydrated(page);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'blocked');
    assert.equal(await page.textContent('#verdict-reason'), 'WhatsApp Business account blocked by Meta');
    assert.equal(await page.getAttribute('#can-send', 'data-can-send'), 'BLOCKED');
    assert.match(await page.textContent('#can-send > p'), /Blocked.*Meta blocks this number from sending/);
    const waba = page.locator('#can-send [data-entity=WABA]');
    assert.equal(await waba.getAttribute('data-can-send'), 'BLOCKED');
    const error = await waba.locator('[data-error-code="141006"]').textContent();
    assert.match(error, /^Error 141006: There is an error with the payment method/);
    assert.match(error, /What to do: There was an error with your payment method\. Please add a new payment method/);
    // The entity Meta blocks comes before the ones it lets send.
    const order = await page.locator('#can-send [data-entity]').evaluateAll((els) => els.map((e) => e.dataset.entity));
    assert.equal(order[0], 'WABA');
    assert.equal(order.length, 4);
    await page.screenshot({ path: join(ARTIFACTS, 'meta-can-send-blocked.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a restriction from Meta shows in words with its countdown and the numbers it affects', async () => {
  const numbers = await (await fetch(`${sim}/__sim/numbers`)).json();
  const healthy = numbers.find((n) => n.scenario === 'healthy');
  const { unix: nowSecs } = await (await fetch(`${sim}/__sim/clock`)).json();
  const expiration = nowSecs + 3 * 86400 + 5 * 3600 + 1800;
  const r = await fetch(`${sim}/__sim/webhooks/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      waba_id: healthy.waba_id,
      field: 'account_update',
      value: { event: 'ACCOUNT_RESTRICTION', restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration }] },
    }),
  });
  assert.ok(r.ok, `emit: ${r.status}`);
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Healthy and registered');
    // The webhook lands within seconds; a reload shows it (nothing waits on Meta).
    for (let i = 0; i < 40 && (await page.locator('#enforcement').count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForSelector('#can-send');
    }
    await hydrated(page);
    const item = page.locator('#enforcement [data-kind=restriction]');
    assert.equal(await item.getAttribute('data-code'), 'RESTRICTED_BIZ_INITIATED_MESSAGING');
    assert.match(await item.textContent(), /Restricted: The business cannot start conversations/);
    assert.match(await item.locator('.countdown').textContent(), /^Ends in 3 d 5 h \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    assert.equal(await item.locator('a').getAttribute('href'), 'https://business.facebook.com/accountquality');
    assert.match(await page.textContent('#affected-numbers'), /Healthy and registered.*Quality red, flagged|Quality red, flagged.*Healthy and registered/);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'blocked');
    await page.screenshot({ path: join(ARTIFACTS, 'meta-restriction-countdown.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the Portfolios page groups numbers by portfolio, shows Meta\'s alerts and follows the shared limit', async () => {
  const numbers = await (await fetch(`${sim}/__sim/numbers`)).json();
  const shared = numbers.find((n) => n.scenario === 'healthy').business_id;
  const limited = numbers.find((n) => n.scenario === 'business_limited').business_id;
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.getByRole('link', { name: 'Portfolios', exact: true }).click();
    const section = page.locator(`#portfolio-${shared}`);
    await section.waitFor({ timeout: 30000 });
    await hydrated(page);
    assert.equal(await section.locator('h2').textContent(), 'Lucky Shrub Holdings');
    // The badge starts with its level in hidden words ("Good: ").
    assert.match(await section.locator('.limit .badge').first().textContent(), /: 2K customers per 24h$/);
    const names = await section.locator('tbody tr strong').allTextContents();
    assert.deepEqual([...names].sort(), ['Connected, verification expired', 'Healthy and registered', 'Quality red, flagged']);
    // Meta's account alert on the limited portfolio, in words, with what to do.
    const alert = page.locator(`#portfolio-${limited} [data-alert-type=INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED]`);
    assert.match(await alert.textContent(), /A higher messaging limit is deferred\. Keep sending good-quality messages/);

    // Meta raises the portfolio's limit: its webhook arrives, the numbers are read again, and a
    // reload shows the new shared limit (the page never waits on Meta).
    const r = await fetch(`${sim}/__sim/businesses/${shared}/messaging_limit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tier: 'TIER_10K' }),
    });
    assert.ok(r.ok, `set the limit: ${r.status}`);
    const limitText = () => section.locator('.limit .badge').first().textContent();
    for (let i = 0; i < 40 && !(await limitText()).endsWith(': 10K customers per 24h'); i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await section.waitFor();
    }
    assert.match(await limitText(), /: 10K customers per 24h$/);
    await page.screenshot({ path: join(ARTIFACTS, 'portfolios.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
