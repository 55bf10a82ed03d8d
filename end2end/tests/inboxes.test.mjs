// Adding, checking and deleting a WhatsApp inbox through the UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

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
    await page.click('nav.tabs >> text=Settings');
    await page.click('#delete-inbox');
    await page.waitForURL(/\/inboxes$/, { timeout: 15000 });
    await page.waitForSelector('#inbox-overview');
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
