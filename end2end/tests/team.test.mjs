// The team in the browser: an administrator invites someone, who joins in a second browser and is
// signed in; the administrator removes them and their page stops working at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
before(async () => { gl = await startGreenlight(); });
after(async () => { await gl?.stop(); });

test('an administrator invites, the invitee joins elsewhere, removal ends their session', async () => {
  const admin = await launch();
  const guest = await launch();
  try {
    await signIn(admin.page, gl.base, ADMIN);
    await admin.page.waitForURL(/inboxes$/);
    await admin.page.goto(`${gl.base}/accounts/1/settings`);
    await hydrated(admin.page);
    await admin.page.locator('#field-email').fill('newcomer@example.com');
    await admin.page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = new URL(await admin.page.locator('#invitation-url').inputValue());
    assert.equal(link.pathname, '/join');
    assert.match(link.search, /^\?token=[0-9a-f]{64}$/);

    // The invitee, in another browser: the public page, a name and a password, and they are in.
    await guest.page.goto(`${gl.base}${link.pathname}${link.search}`);
    await hydrated(guest.page);
    assert.equal(await guest.page.locator('#join-email').textContent(), 'newcomer@example.com');
    await guest.page.getByLabel('Your name').fill('Newcomer');
    await guest.page.getByLabel(/^Password/).fill('a long enough password');
    await guest.page.getByRole('button', { name: 'Join' }).click();
    await guest.page.waitForURL(/\/accounts\/1\/inboxes$/);
    // An agent of no inbox yet: told so, and whom to ask.
    assert.match(await guest.page.locator('#no-inboxes').textContent(), /Ask an administrator/);

    // The link worked once: opening it again says so.
    const again = await guest.context.newPage();
    await again.goto(`${gl.base}${link.pathname}${link.search}`);
    await again.waitForSelector('#join-error');
    await again.close();

    // The administrator sees them as an active agent and removes them, after confirming.
    await admin.page.reload();
    await hydrated(admin.page);
    const row = admin.page.locator('tr[data-email="newcomer@example.com"]');
    assert.equal(await row.locator('.member-role').textContent(), 'Agent');
    await row.locator('summary').click();
    await row.getByRole('button', { name: /^Yes, remove/ }).click();
    await row.waitFor({ state: 'detached' });

    // Their page stops working at once: the next load sends them to sign in.
    await guest.page.reload();
    await guest.page.waitForURL(/\/login/);
  } finally {
    await admin.context.close();
    await guest.context.close();
  }
});
