// Every page passes axe-core (no serious or critical violation) in the light and dark colour
// schemes and on a 360 px wide phone, and on the phone no page scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startFirstRun, startGreenlight } from '../lib/harness.mjs';
import { axeViolations, sidewaysOverflow } from '../lib/a11y.mjs';

let gl;
let fresh;
before(async () => { [gl, fresh] = await Promise.all([startGreenlight(), startFirstRun()]); });
after(async () => { await Promise.all([gl?.stop(), fresh?.stop()]); });

const MODES = [
  { mode: 'light', colorScheme: 'light', viewport: { width: 1200, height: 900 } },
  { mode: 'dark', colorScheme: 'dark', viewport: { width: 1200, height: 900 } },
  { mode: '360px', colorScheme: 'light', viewport: { width: 360, height: 740 } },
];

/** The path of the demo inbox called `name` (its Account Health tab), read from the overview. */
async function inboxPath(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
  return href.replace(/\/health$/, '');
}

for (const { mode, colorScheme, viewport } of MODES) {
  test(`${mode}: every page has no serious or critical axe violation and no sideways scroll`, async (t) => {
    const { context, page, problems } = await launch({ colorScheme, viewport, bypassCSP: true });
    const found = [];
    const check = async (name, url, ready) => {
      const resp = await page.goto(url);
      assert.ok(resp, `${name}: no response`);
      if (ready) await page.waitForSelector(ready, { timeout: 30000 });
      await hydrated(page);
      for (const v of await axeViolations(page)) found.push({ page: name, ...v });
      if (mode === '360px') {
        const over = await sidewaysOverflow(page);
        if (over > 0) found.push({ page: name, rule: 'sideways-scroll', overflow: over });
      }
      await page.screenshot({ path: join(ARTIFACTS, `a11y-${mode}-${name}.png`), fullPage: true });
    };
    try {
      await check('setup', `${fresh.base}/setup`, '#setup-form');
      await check('login', `${gl.base}/login`, '#login-form');
      await signIn(page, gl.base, ADMIN);
      await page.waitForURL(/inboxes$/);
      const inbox = await inboxPath(page, 'Display name in review');
      await check('overview', `${gl.base}/accounts/1/inboxes`, '#inbox-overview');
      await check('account-health', `${gl.base}${inbox}/health`, '#metrics');
      await check('inbox-settings', `${gl.base}${inbox}/settings`, '#inbox-details');
      await check('collaborators', `${gl.base}${inbox}/collaborators`, '#collaborators');
      await check('activity', `${gl.base}${inbox}/activity`, '#activity');
      await check('portfolios', `${gl.base}/accounts/1/portfolios`, '.portfolio');
      await check('settings', `${gl.base}/accounts/1/settings`, '#members');
      // The invitation page, opened from a fresh invitation link (public; the admin's session
      // does not matter to it).
      await page.locator('#field-email').fill(`a11y-${mode.replace(/\W/g, '')}@example.com`);
      await page.getByRole('button', { name: 'Create invitation link' }).click();
      const link = new URL(await page.locator('#invitation-url').inputValue());
      await check('join', `${gl.base}${link.pathname}${link.search}`, '#join-form');
      await check('alerts', `${gl.base}/accounts/1/alerts`, '#alert-notifications');
      await check('not-found', `${gl.base}/no/such/page`, 'h1');
      await check('inbox-not-found', `${gl.base}/accounts/1/inboxes/999999/health`, '#error-page');
      const summary = found.map((f) => `${f.page}: ${f.rule}${f.impact ? ` (${f.impact}, ${f.nodes})` : ` (+${f.overflow}px)`}`);
      t.diagnostic(`${mode}: ${found.length} finding(s)${summary.length ? `\n${summary.join('\n')}` : ''}`);
      assert.deepEqual(found, [], JSON.stringify(found, null, 2));
      assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
    } finally {
      await context.close();
    }
  });
}
