// Sign-in, the shell and sign-out, hydrated and with JavaScript disabled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
before(async () => { gl = await startGreenlight(); });
after(async () => { await gl?.stop(); });

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'hydrated' : 'no-js';

  test(`${mode}: a wrong password shows an error and starts no session`, async () => {
    const { context, page, problems } = await launch({ javaScriptEnabled });
    try {
      await page.goto(`${gl.base}/login`);
      if (javaScriptEnabled) await hydrated(page);
      await page.fill('#field-email', ADMIN.email);
      await page.fill('#field-password', 'not the password');
      await page.click('button[type=submit]');
      await page.getByText('E-mail or password is incorrect.').waitFor({ timeout: 15000 });
      const cookies = await context.cookies();
      assert.equal(cookies.filter((c) => c.name === 'greenlight_session').length, 0);
      assert.match(new URL(page.url()).pathname, /^\/login/);
      await page.screenshot({ path: join(ARTIFACTS, `login-error-${mode}.png`), fullPage: true });
      const profile = await page.request.get(`${gl.base}/api/v1/profile`);
      assert.equal(profile.status(), 401);
      // The refused sign-in answers 422 (a form error), which Chromium logs; any other error is a fault.
      assert.deepEqual(problems.filter((p) => !p.includes('status of 422 (Unprocessable Entity)')), []);
    } finally {
      await context.close();
    }
  });

  test(`${mode}: an administrator signs in, sees the shell, and signs out`, async () => {
    const { context, page, problems } = await launch({ javaScriptEnabled });
    try {
      await page.goto(`${gl.base}/login`);
      if (javaScriptEnabled) await hydrated(page);
      await signIn(page, gl.base, ADMIN);
      await page.waitForURL(/\/accounts\/\d+\/inboxes$/, { timeout: 15000 });
      assert.equal((await page.textContent('#account-name')).trim(), 'Demo Company');
      assert.ok(await page.isVisible('nav >> text=Inboxes'));
      assert.ok(await page.isVisible('nav >> text=Settings'));
      const session = (await context.cookies()).find((c) => c.name === 'greenlight_session');
      assert.ok(session, 'session cookie set');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      await page.screenshot({ path: join(ARTIFACTS, `shell-${mode}.png`), fullPage: true });

      if (javaScriptEnabled) {
        // Client-side navigation to Settings lists the account's members.
        await page.click('nav >> text=Settings');
        await page.waitForSelector('#members');
        assert.match(await page.textContent('#members'), /agent@greenlight\.demo/);
      }
      await page.click('#user-menu');
      await page.click('#sign-out');
      await page.waitForURL(/\/login/, { timeout: 15000 });
      const profile = await page.request.get(`${gl.base}/api/v1/profile`);
      assert.equal(profile.status(), 401);
      await page.goto(`${gl.base}/accounts/1/inboxes`);
      assert.match(new URL(page.url()).pathname, /^\/login/);
      // After sign-out a page still open may ask for data and be told 401: expected, not a fault.
      assert.deepEqual(problems.filter((p) => !p.includes('status of 401 (Unauthorized)')), []);
    } finally {
      await context.close();
    }
  });
}

test('the 404 page answers 404 and says so', async () => {
  const { context, page } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    const resp = await page.goto(`${gl.base}/definitely/not/here`);
    assert.equal(resp.status(), 404);
    assert.ok(await page.isVisible('text=Page not found'));
  } finally {
    await context.close();
  }
});
