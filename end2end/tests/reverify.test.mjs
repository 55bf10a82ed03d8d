// Re-verification beside the problem: the banner of a number Meta wants verified again offers
// "Request a code" and "Enter the code"; the code the simulated phone received verifies it, and
// Greenlight registers the number through the registration engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, AGENT, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
let sim;
let number;
before(async () => {
  gl = await startGreenlight([], { GREENLIGHT_HEALTH_CACHE_TTL: '1s' });
  const m = /Simulated Meta Graph API: (http:\/\/\S+)/.exec(gl.output());
  assert.ok(m, `no simulator URL in the output:\n${gl.output()}`);
  sim = m[1];
  const numbers = await (await fetch(`${sim}/__sim/numbers`)).json();
  number = numbers.find((n) => n.scenario === 'not_verified');
  assert.ok(number, 'the demo has a number that is not verified');
});
after(async () => { await gl?.stop(); });

async function openInbox(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForSelector('#metrics', { timeout: 30000 });
}

async function calls(suffix) {
  const all = await (await fetch(`${sim}/__sim/calls`)).json();
  return all.filter((c) => c.method === 'POST' && c.path.endsWith(`${number.id}/${suffix}`));
}

test('an administrator requests a code, enters it, and the number is registered', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Phone number not verified');
    await hydrated(page);
    assert.ok(await page.isVisible('#fix-verification'), 'the fix is in the banner');
    assert.match(await page.textContent('#fix-verification'), /verified again/);
    await page.screenshot({ path: join(ARTIFACTS, 'reverify-before.png'), fullPage: true });

    await page.check('input[name=code_method][value=SMS]');
    await page.click('#request-code');
    await page.waitForFunction(() => (document.querySelector('#request-code-result')?.textContent ?? '').length > 0,
      null, { timeout: 30000 });
    assert.match(await page.textContent('#request-code-result'), /sending a verification code by SMS/);
    const sent = await calls('request_code');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].body.code_method, 'SMS');

    // The code the phone received, typed as the SMS shows it.
    const state = await (await fetch(`${sim}/__sim/numbers/${number.id}`)).json();
    const code = state.state.pending_verification_code;
    assert.match(code, /^\d{6}$/);
    await page.fill('#verification-code', `${code.slice(0, 3)}-${code.slice(3)}`);
    await page.click('#verify-code');
    await page.waitForFunction(() => (document.querySelector('#verify-code-result')?.textContent ?? '').length > 0,
      null, { timeout: 30000 });
    assert.match(await page.textContent('#verify-code-result'), /^Meta verified the number/);
    assert.equal((await calls('verify_code')).length, 1);
    assert.equal((await calls('register')).length, 1, 'registered once, through the engine');
    // The banner no longer asks for verification.
    let gone = false;
    for (let i = 0; i < 20 && !gone; i++) {
      await page.waitForTimeout(500);
      gone = (await page.locator('#fix-verification').count()) === 0;
    }
    assert.ok(gone, 'the re-verification fix leaves the banner');
    await page.screenshot({ path: join(ARTIFACTS, 'reverify-after.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
