// The Account Health tab and the registration banner, as agents and administrators use them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, AGENT, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
// A 1 s health cache lets the page show Meta's provisioning a moment after the click.
before(async () => { gl = await startGreenlight([], { GREENLIGHT_HEALTH_CACHE_TTL: '1s' }); });
after(async () => { await gl?.stop(); });

async function openInbox(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForSelector('#metrics', { timeout: 30000 });
}

test('an agent sees the tab and the banner but no Complete registration button', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, AGENT);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    const names = await page.locator('#inbox-overview tbody tr a').allTextContents();
    assert.deepEqual(names.sort(), ['Display name in review', 'Healthy and registered', 'Quality red, flagged'].sort());
    await openInbox(page, 'Display name in review');
    assert.ok(await page.isVisible('#registration-banner'));
    assert.equal(await page.locator('#complete-registration').count(), 0);
    assert.match(await page.textContent('#registration-banner'), /reviewing the display name/);
    await page.screenshot({ path: join(ARTIFACTS, 'health-agent.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the display name in review shows a disabled button with the reason', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Display name in review');
    await hydrated(page);
    assert.equal(await page.getAttribute('#registration-banner', 'data-state'), 'awaiting_display_name');
    assert.ok(await page.isDisabled('#complete-registration'));
    assert.match(await page.textContent('#register-disabled-reason'), /cannot succeed while Meta reviews/);
    assert.equal(await page.textContent('[data-metric=name_status] .badge'), 'Needs attention: In review');
    await page.screenshot({ path: join(ARTIFACTS, 'health-pending-review.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an administrator completes the registration: the banner says Registering at once, re-checks on its own and shows success; a double click spends one attempt', async () => {
  const { context, page, problems } = await launch();
  try {
    const m = /Simulated Meta Graph API: (http:\/\/\S+)/.exec(gl.output());
    assert.ok(m, 'the demo prints its simulator URL');
    const sim = m[1];
    // Meta provisions a few seconds after accepting, so the page has a moment to show it waits.
    const set = await fetch(`${sim}/__sim/settings`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provisioning_delay_ms: 6000 }) });
    assert.ok(set.ok);
    const number = (await (await fetch(`${sim}/__sim/numbers`)).json()).find((n) => n.scenario === 'approved_unregistered');
    const registerCalls = async () => (await (await fetch(`${sim}/__sim/calls`)).json())
      .filter((c) => c.method === 'POST' && c.path.endsWith(`${number.id}/register`)).length;
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Name approved, not registered');
    await hydrated(page);
    assert.equal(await page.getAttribute('#registration-banner', 'data-state'), 'ready');
    await page.screenshot({ path: join(ARTIFACTS, 'health-before-register.png'), fullPage: true });
    await page.dblclick('#complete-registration');
    // At once: the button is disabled and the banner says what happens.
    assert.ok(await page.isDisabled('#complete-registration'));
    assert.equal(await page.textContent('#registration-heading'), 'Registering… Waiting for Meta');
    // Meta's answer stays on the page through the reload it triggers.
    await page.waitForFunction(() => (document.querySelector('#register-result')?.textContent ?? '').length > 0,
      null, { timeout: 30000 });
    assert.match(await page.textContent('#register-result'),
      /^(Meta accepted the registration\.|Meta registered the number with the WhatsApp Cloud API\.)/);
    if ((await page.getAttribute('#registration-banner', 'data-state')) !== 'registered') {
      // Meta accepted and provisions: still "Registering…", the button still disabled.
      assert.equal(await page.getAttribute('#registration-banner', 'data-reason'), 'awaiting_confirmation');
      assert.equal(await page.textContent('#registration-heading'), 'Registering… Waiting for Meta');
      assert.ok(await page.isDisabled('#complete-registration'));
      await page.screenshot({ path: join(ARTIFACTS, 'health-registering.png'), fullPage: true });
    }
    // No reload: the page checks again on its own until Meta shows the number registered.
    await page.waitForSelector('#registration-banner[data-state=registered]', { timeout: 60000 });
    assert.equal(await page.textContent('#registration-banner h2'), 'Registered');
    assert.equal(await registerCalls(), 1, 'a double click makes one register call');
    await page.screenshot({ path: join(ARTIFACTS, 'health-registered-banner.png'), fullPage: true });
    await page.reload();
    await page.waitForSelector('#metrics');
    assert.equal(await page.locator('#registration-banner').count(), 0, 'no banner for a registered number');
    assert.equal(await page.textContent('[data-metric=platform_type] .value'), 'Cloud API');
    await page.screenshot({ path: join(ARTIFACTS, 'health-after-register.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the banner states facts: a used-up quota is 0 left until a time; a refused token has no button and keeps the number', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    // Greenlight cannot know Meta's budget is spent until Meta says so: the first press meets
    // Meta's lock-out (133016), and the banner turns into facts.
    await openInbox(page, 'Register quota exhausted');
    await hydrated(page);
    assert.equal(await page.getAttribute('#registration-banner', 'data-state'), 'ready');
    await page.click('#complete-registration');
    await page.waitForSelector('#registration-banner[data-state=rate_limited]', { timeout: 30000 });
    assert.match(await page.textContent('#register-result'), /\S/);
    const attempts = await page.textContent('#registration-banner .attempts');
    assert.match(attempts, /^Registration attempts: 0 left (until \d\d-\d\d \d\d:\d\d UTC|in Meta's 72-hour window)$/);
    // Never "9 of 10 left" once Meta said the budget is spent.
    assert.doesNotMatch(await page.textContent('#registration-banner'), /\d+ of 10/);
    await page.screenshot({ path: join(ARTIFACTS, 'health-quota-used.png'), fullPage: true });
    await openInbox(page, 'Access token expired');
    await hydrated(page);
    assert.equal(await page.getAttribute('#registration-banner', 'data-reason'), 'token_invalid');
    assert.equal(await page.locator('#complete-registration').count(), 0);
    assert.match(await page.textContent('[data-metric=display_phone_number] .value'), /^\+\d{8,15}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'health-token-refused.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('HTML in a verified name renders as text', async () => {
  const { context, page } = await launch();
  try {
    let alerted = false;
    page.on('dialog', async (d) => { alerted = true; await d.dismiss(); });
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Verified name with HTML');
    const text = await page.textContent('[data-metric=verified_name] .value');
    assert.match(text, /<script>alert\("x"\)<\/script> & Co <b>bold<\/b>/);
    assert.equal(await page.locator('[data-metric=verified_name] b').count(), 0);
    assert.equal(alerted, false);
    await page.screenshot({ path: join(ARTIFACTS, 'health-html-name.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('without JavaScript the server-rendered tab already carries the data', async () => {
  const { context, page } = await launch({ javaScriptEnabled: false });
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.getByRole('link', { name: 'Healthy and registered', exact: true }).click();
    await page.waitForSelector('#metrics');
    assert.equal(await page.textContent('[data-metric=quality_rating] .badge'), 'Good: High');
    assert.equal(await page.locator('#registration-banner').count(), 0);
    const href = await page.getAttribute('#whatsapp-manager', 'href');
    assert.match(href, /^https:\/\/business\.facebook\.com\/latest\/whatsapp_manager\/phone_numbers\/\?business_id=\d+&asset_id=\d+$/);
    assert.equal(await page.getAttribute('#whatsapp-manager', 'target'), '_blank');
    // The history chart and its table show the same points (identical checks merged), each point
    // with a tooltip, and the caption says what is shown.
    const points = await page.locator('#history-chart g.run').count();
    assert.ok(points > 0, 'the setup read is in the history');
    assert.equal(await page.locator('#history-table tbody tr').count(), points);
    assert.equal(await page.locator('#history-chart g.run > title').count(), points);
    assert.match(await page.textContent('#history-caption'), /^(The latest \d+ of \d+ points: )?\d+ checks? (on|from) [A-Z][a-z]{2} \d+/);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'health-360px-nojs.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('the verdict comes first: a flagged low-quality number is not green, and the overview counts and filters by verdict', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    // The summary counts every verdict; a chip shows only those numbers.
    const chips = await page.locator('#verdict-summary .chip').allTextContents();
    assert.ok(chips.some((c) => /^\d+ needs attention$/.test(c)), chips.join(' | '));
    assert.ok(chips.some((c) => /^\d+ healthy$/.test(c)), chips.join(' | '));
    await page.click('#verdict-summary .chip[data-verdict=healthy]');
    const shown = await page.locator('#inbox-overview tbody tr:visible').evaluateAll(
      (rows) => rows.map((r) => r.getAttribute('data-verdict')));
    assert.ok(shown.length > 0 && shown.every((v) => v === 'healthy'), shown.join(','));
    assert.equal(await page.getAttribute('#verdict-summary .chip[data-verdict=healthy]', 'aria-pressed'), 'true');
    await page.click('#verdict-summary .chip[data-verdict=healthy]');
    // The filter searches the reason too, and says when nothing matches.
    await page.fill('#inbox-filter', 'quality low');
    const names = await page.locator('#inbox-overview tbody tr:visible a').allTextContents();
    assert.deepEqual(names, ['Quality red, flagged']);
    await page.fill('#inbox-filter', 'no such number anywhere');
    assert.ok(await page.isVisible('#no-match'));
    await page.fill('#inbox-filter', '');
    assert.ok(!(await page.isVisible('#no-match')));
    // On the tab, the verdict and its reason come before every card.
    await openInbox(page, 'Quality red, flagged');
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'needs_attention');
    assert.equal(await page.textContent('#verdict-reason'), 'Flagged · Quality Low');
    const before = await page.evaluate(() => {
      const v = document.querySelector('#verdict');
      const m = document.querySelector('#metrics');
      return Boolean(v.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(before, 'the verdict is above the metric cards');
    await page.screenshot({ path: join(ARTIFACTS, 'health-verdict.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the tab answers first: the verdict and its fix, then Can it send?, Limits and Details; only signals are coloured', async () => {
  const { context, page, problems } = await launch();
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await openInbox(page, 'Quality red, flagged');
    await hydrated(page);
    assert.match(await page.textContent('#verdict-fix'), /^What to do: .*quality recovers/);
    const groups = await page.locator('#metrics > section.metric-group').evaluateAll((s) => s.map((e) => e.id));
    assert.deepEqual(groups, ['group-can_send', 'group-limits', 'group-details']);
    assert.deepEqual(await page.locator('#metrics h2').allTextContents(), ['Can it send?', 'Limits', 'Details']);
    // Health signals carry a badge; ids, the phone, names and times are plain text.
    const badged = await page.locator('#metrics [data-metric]:has(.badge)').evaluateAll(
      (els) => els.map((e) => e.getAttribute('data-metric')));
    assert.deepEqual(badged.sort(),
      ['code_verification_status', 'messaging_limit', 'name_status', 'quality_rating', 'status'].sort());
    assert.equal(await page.locator('#group-details .badge').count(), 0);
    assert.match(await page.textContent('[data-metric=display_phone_number] .value'), /^\+\d{8,15}$/);
    assert.equal(await page.textContent('[data-metric=quality_rating] .badge'), 'Blocked: Low');
    // The tiles keep their styling when the client redraws them after Refresh.
    const look = () => page.locator('#metrics .badge, #verdict .badge').evaluateAll((bs) => bs.map((b) => {
      const cs = getComputedStyle(b);
      return `${b.dataset.level} ${cs.backgroundColor} ${cs.borderRadius}`;
    }));
    const before = await look();
    assert.ok(before.every((l) => !l.includes('rgba(0, 0, 0, 0)') && l.endsWith('999px')), before.join(' | '));
    await page.click('#refresh');
    await page.waitForFunction(() => document.querySelector('#refresh')?.textContent === 'Refresh' &&
      !document.querySelector('#refresh')?.disabled, null, { timeout: 30000 });
    await page.waitForSelector('#metrics .badge');
    assert.deepEqual(await look(), before);
    await page.screenshot({ path: join(ARTIFACTS, 'health-groups.png'), fullPage: true });
    // A new number's 250 a day is where every number starts: not a warning.
    await openInbox(page, 'Name approved, not registered');
    assert.equal(await page.getAttribute('[data-metric=messaging_limit] .badge', 'data-level'), 'good');
    assert.equal(await page.textContent('[data-metric=messaging_limit] .badge'), 'Good: 250 customers per 24h');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
