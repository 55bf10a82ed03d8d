// Adding, checking and deleting a WhatsApp inbox through the UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, AGENT, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
before(async () => { gl = await startGreenlight(); });
after(async () => { await gl?.stop(); });

/** The simulator's numbers, read from its control API (its URL is printed in the demo banner). */
async function simNumbers() {
  const url = /Simulated Meta Graph API: (\S+)/.exec(gl.output())?.[1];
  assert.ok(url, 'the demo banner names the simulator');
  return (await fetch(`${url}/__sim/numbers`)).json();
}

test('bad input in the add form shows messages next to the fields', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    await page.click('#add-inbox summary');
    await page.fill('#field-name', 'Sales');
    await page.fill('#field-phone_number', '12');
    await page.fill('#field-phone_number_id', 'abc12');
    await page.fill('#field-business_account_id', '102290129340398');
    await page.fill('#field-api_key', 'token with spaces');
    await page.click('#add-inbox-form button[type=submit]');
    await page.getByText('Enter the phone number in international format').waitFor({ timeout: 15000 });
    assert.equal(await page.getAttribute('#field-phone_number', 'aria-invalid'), 'true');
    await page.screenshot({ path: join(ARTIFACTS, 'inbox-form-error.png'), fullPage: true });
    // The refused form answers 422, which Chromium logs; anything else is a fault.
    assert.deepEqual(problems.filter((p) => !p.includes('status of 422 (Unprocessable Entity)')), []);
  } finally {
    await context.close();
  }
});

test('an administrator deletes an inbox, adds it again and sees its state', async () => {
  const healthy = (await simNumbers()).find((n) => n.scenario === 'healthy');
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.getByRole('link', { name: 'Healthy and registered', exact: true }).click();
    await page.waitForSelector('#metrics');
    await hydrated(page);
    // Each tab is a page of its own: wait for it to load and its islands to hydrate.
    await page.click('nav.tabs >> text=Settings');
    await page.waitForURL(/\/settings$/);
    await hydrated(page);
    // The button stays disabled until the inbox's name is typed exactly.
    assert.ok(await page.isDisabled('#delete-inbox'));
    await page.fill('#confirm-name', 'Healthy and registere');
    assert.ok(await page.isDisabled('#delete-inbox'));
    await page.fill('#confirm-name', 'Healthy and registered');
    assert.equal(await page.isDisabled('#delete-inbox'), false);
    await page.click('#delete-inbox');
    await page.waitForURL(/\/inboxes\?deleted=/, { timeout: 15000 });
    await page.waitForSelector('#inbox-overview');
    assert.equal((await page.textContent('#deleted-notice')).trim(),
      'Inbox “Healthy and registered” was deleted. Meta keeps the number.');
    assert.equal(await page.getByRole('link', { name: 'Healthy and registered', exact: true }).count(), 0);

    await page.click('#add-inbox summary');
    await page.fill('#field-name', 'Support line');
    await page.fill('#field-phone_number', healthy.display_phone_number);
    await page.fill('#field-phone_number_id', healthy.id);
    await page.fill('#field-business_account_id', healthy.waba_id);
    await page.fill('#field-api_key', healthy.token);
    await page.click('#add-inbox-form button[type=submit]');
    await page.waitForURL(/\/inboxes\/\d+\/health$/, { timeout: 30000 });
    await page.waitForSelector('#metrics');
    assert.equal((await page.textContent('#inbox-name')).trim(), 'Support line');
    assert.equal(await page.locator('#registration-banner').count(), 0, 'registered: no banner');
    assert.equal(await page.textContent('[data-metric=status] .badge'), 'Good: Connected');
    // The token is never shown back.
    assert.equal((await page.content()).includes(healthy.token), false);
    await page.screenshot({ path: join(ARTIFACTS, 'inbox-added.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

/** The path of the demo inbox called `name`, without its tab. */
async function inboxPath(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
  return href.replace(/\/health$/, '');
}

test('without JavaScript, deleting asks for the name too and says it was deleted', async () => {
  const { context, page } = await launch({ javaScriptEnabled: false });
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    const settings = `${gl.base}${await inboxPath(page, 'Cloud API without throughput')}/settings`;
    await page.goto(settings);
    // A wrong name: the browser keeps the form (the field's pattern), nothing is sent.
    await page.fill('#confirm-name', 'cloud api');
    await page.click('#delete-inbox');
    await page.waitForTimeout(500);
    assert.equal(page.url(), settings);
    assert.equal(await page.evaluate(() => document.querySelector('#confirm-name').validity.valid), false);
    await page.fill('#confirm-name', 'Cloud API without throughput');
    await page.click('#delete-inbox');
    await page.waitForURL(/\/inboxes\?deleted=/, { timeout: 15000 });
    assert.match(await page.textContent('#deleted-notice'), /Inbox “Cloud API without throughput” was deleted/);
    assert.equal(await page.getByRole('link', { name: 'Cloud API without throughput', exact: true }).count(), 0);
  } finally {
    await context.close();
  }
});

test('an emptied inbox name is refused next to the field, not "Saved."', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.goto(`${gl.base}${await inboxPath(page, 'Quality red, flagged')}/settings`);
    await hydrated(page);
    await page.fill('#field-name', '   ');
    await page.click('#edit-inbox-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#field-name-error')?.textContent.length > 0, null, { timeout: 15000 });
    assert.equal(await page.textContent('#field-name-error'), 'Inbox name is required (at most 100 characters).');
    assert.equal(await page.getAttribute('#field-name', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#field-name', 'aria-describedby'), 'field-name-error');
    assert.equal(await page.getByText('Saved.').count(), 0);
    await page.reload();
    assert.equal(await page.inputValue('#field-name'), 'Quality red, flagged');
    // The refusal answers 422, which Chromium logs; anything else is a fault.
    assert.deepEqual(problems.filter((p) => !p.includes('status of 422 (Unprocessable Entity)')), []);
  } finally {
    await context.close();
  }
});

test('Retry setup is offered where the setup error is shown', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.goto(`${gl.base}${await inboxPath(page, 'Access token expired')}/settings`);
    await hydrated(page);
    await page.waitForSelector('#setup-error');
    assert.ok(await page.locator('#setup-error #retry-setup').isVisible(), 'the button is inside the error');
    await page.click('#retry-setup');
    // Meta still refuses the token: the error comes back, with the button.
    await page.waitForSelector('#setup-error #retry-setup:not([disabled])', { timeout: 15000 });
    await page.screenshot({ path: join(ARTIFACTS, 'retry-setup.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'hydrated' : 'no-js';

  test(`${mode}: an agent sees no administrator's form, and an unknown inbox is one 404 page`, async () => {
    const { context, page, problems } = await launch({ javaScriptEnabled });
    try {
      await signIn(page, gl.base, AGENT);
      await page.waitForURL(/inboxes$/);
      await page.goto(`${gl.base}/accounts/1/alerts`);
      await page.waitForSelector('#alert-notifications');
      if (javaScriptEnabled) await hydrated(page);
      for (const adminOnly of ['#alert-webhooks', '#hook-url', '#add-alert-webhook']) {
        assert.equal(await page.locator(adminOnly).count(), 0, `${adminOnly} is for administrators`);
      }
      assert.equal(await page.getByText('You do not have permission').count(), 0);
      // An inbox the agent is a member of (the first test deletes "Healthy and registered").
      await page.goto(`${gl.base}${await inboxPath(page, 'Display name in review')}/settings`);
      await page.waitForSelector('#inbox-details');
      for (const adminOnly of ['#edit-inbox-form', '#delete-inbox', '#retry-setup']) {
        assert.equal(await page.locator(adminOnly).count(), 0, `${adminOnly} is for administrators`);
      }

      for (const path of ['/accounts/1/inboxes/999999/settings', '/accounts/1/inboxes/999999/health', '/accounts/7/inboxes']) {
        const resp = await page.goto(`${gl.base}${path}`);
        assert.equal(resp.status(), 404, path);
        if (javaScriptEnabled) await hydrated(page);
        const headings = await page.locator('h1:visible').allTextContents();
        assert.equal(headings.length, 1, `${path}: one heading, not ${headings}`);
        assert.match(headings[0], /^(Inbox|Account) not found$/);
        assert.equal(await page.title(), `${headings[0]} — Greenlight`);
        assert.equal(await page.locator('nav.tabs:visible').count(), 0, `${path}: no tabs under the error`);
        assert.equal(await page.getByText('Not found.').filter({ visible: true }).count(), 0);
      }
      await page.screenshot({ path: join(ARTIFACTS, `inbox-404-${mode}.png`), fullPage: true });
      assert.deepEqual(problems.filter((p) => !p.includes('status of 404') && !p.includes('status of 403')), []);
    } finally {
      await context.close();
    }
  });
}

test('a setup Meta answers slowly shows as running on the Settings tab, which checks again on its own until it finishes', async () => {
  const url = /Simulated Meta Graph API: (\S+)/.exec(gl.output())?.[1];
  const slowNumber = (await simNumbers()).find((n) => n.scenario === 'slow');
  assert.ok(slowNumber, 'the demo has a slow number');
  // Each of the slow number's reads takes 3 s: saving a token proves it with two reads (under
  // the 10 s the form waits), then setup answers after 1 s and goes on in the background.
  const setDelay = (ms) => fetch(`${url}/__sim/settings`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slow_delay_ms: ms }),
  });
  assert.ok((await setDelay(3000)).ok);
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    // The demo seeds the slow number last, in the background.
    const link = page.getByRole('link', { name: 'Meta answers slowly', exact: true });
    for (let i = 0; i < 30 && (await link.count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await page.reload();
    }
    await link.click();
    await page.waitForSelector('#inbox-name');
    await hydrated(page);
    await page.click('nav.tabs >> text=Settings');
    await page.waitForURL(/\/settings$/);
    await page.waitForSelector('#inbox-details');
    await hydrated(page);
    // The demo's own setup of this number may still run: it ends by itself, no reload.
    await page.waitForSelector('#setup-error[data-setup=running]', { state: 'detached', timeout: 90000 });
    await page.evaluate(() => { window.__same_page = true; });
    await page.fill('#field-api_key', slowNumber.token);
    await page.click('#edit-inbox-form button[type=submit]');
    const running = await page.waitForSelector('#setup-error[data-setup=running]', { timeout: 30000 });
    assert.match(await running.textContent(), /^Setup is still running: Meta is answering slowly\./);
    assert.equal(await running.getAttribute('role'), 'status', 'running is news, not an error');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-setup-running.png'), fullPage: true });
    // Nobody reloads: the tab checks again until the setup has finished, and it succeeded.
    await page.waitForSelector('#setup-error[data-setup=running]', { state: 'detached', timeout: 60000 });
    assert.equal(await page.locator('#setup-error').count(), 0, 'setup finished without a problem');
    assert.equal(await page.evaluate(() => window.__same_page), true, 'the page was not reloaded');
    assert.deepEqual(problems, []);
  } finally {
    await setDelay(20000);
    await context.close();
  }
});
