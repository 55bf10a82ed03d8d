// The console as a support lead uses it every morning: by keyboard, on a phone, with the alerts
// bell, with titles that say which page a browser tab holds, and without layout jumps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';
import { sidewaysOverflow } from '../lib/a11y.mjs';

let gl;
before(async () => {
  gl = await startGreenlight([], { GREENLIGHT_HEALTH_CACHE_TTL: '1s' });
  // Meta approves the display name in review: Greenlight registers the number and raises an
  // alert about that inbox, so the bell has something to show.
  const sim = /Simulated Meta Graph API: (http:\/\/\S+)/.exec(gl.output())[1];
  const pending = (await (await fetch(`${sim}/__sim/numbers`)).json()).find((n) => n.scenario === 'pending_review');
  const r = await fetch(`${sim}/__sim/numbers/${pending.id}/approve_name`, { method: 'POST' });
  assert.ok(r.ok, `approve_name: ${r.status}`);
});
after(async () => { await gl?.stop(); });

/** The path of the demo inbox called `name`, without its tab. */
async function inboxPath(page, name) {
  await page.goto(`${gl.base}/accounts/1/inboxes`);
  const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
  return href.replace(/\/health$/, '');
}

test('"Skip to content" is the first thing Tab reaches and moves the focus into the page', async () => {
  const { context, page, problems } = await launch();
  try {
    await page.goto(`${gl.base}/login`);
    await hydrated(page);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    // A page opened afresh (a bookmark, first thing in the morning).
    await page.goto(`${gl.base}/accounts/1/inboxes`);
    await hydrated(page);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return { text: a.textContent, href: a.getAttribute('href'), visible: r.top >= 0 && r.height > 0 };
    });
    assert.deepEqual(skip, { text: 'Skip to content', href: '#main', visible: true });
    await page.screenshot({ path: join(ARTIFACTS, 'skip-link.png') });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    // The next Tab lands inside the page, past the header and the navigation.
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('every page is titled "<page> — Greenlight", inbox pages by inbox and tab', async () => {
  const { context, page, problems } = await launch();
  try {
    await page.goto(`${gl.base}/login`);
    assert.equal(await page.title(), 'Sign in — Greenlight');
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    assert.equal(await page.title(), 'WhatsApp numbers — Greenlight');
    await page.getByRole('link', { name: 'Healthy and registered', exact: true }).click();
    await page.waitForSelector('#metrics');
    assert.equal(await page.title(), 'Healthy and registered — Account Health — Greenlight');
    // Client-side navigation between tabs renames the browser tab too.
    await page.click('nav.tabs >> text=Settings');
    await page.waitForSelector('#inbox-details');
    await page.waitForFunction(() => document.title === 'Healthy and registered — Settings — Greenlight');
    await page.click('nav.tabs >> text=Activity');
    await page.waitForFunction(() => document.title === 'Healthy and registered — Activity — Greenlight');
    await page.click('nav[aria-label=Main] >> text=Alerts');
    await page.waitForFunction(() => document.title === 'Alerts — Greenlight');
    await page.click('nav[aria-label=Main] >> text=Settings');
    await page.waitForFunction(() => document.title === 'Settings — Greenlight');
    await page.goto(`${gl.base}/no/such/page`);
    assert.equal(await page.title(), 'Page not found — Greenlight');
    assert.deepEqual(problems.filter((p) => !p.includes('status of 404')), []);
  } finally {
    await context.close();
  }
  // Without JavaScript the server sends the same titles.
  const nojs = await launch({ javaScriptEnabled: false });
  try {
    await signIn(nojs.page, gl.base, ADMIN);
    await nojs.page.waitForURL(/inboxes$/);
    await nojs.page.goto(`${gl.base}${await inboxPath(nojs.page, 'Healthy and registered')}/collaborators`);
    assert.equal(await nojs.page.title(), 'Healthy and registered — Collaborators — Greenlight');
  } finally {
    await nojs.context.close();
  }
});

test('on a 360 px phone: the alerts bell fits, closes on Esc and outside clicks, and each alert leads to its inbox', async () => {
  const { context, page, problems } = await launch({ viewport: { width: 360, height: 740 } });
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    // The alert is raised a moment after Meta provisions the number.
    for (let i = 0; i < 40 && !(await page.locator('#bell-count').count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await hydrated(page);
    }
    const panel = page.locator('#notifications');
    await page.click('#bell-button');
    assert.ok(await panel.isVisible());
    const box = await panel.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `the panel fits the screen: ${JSON.stringify(box)}`);
    assert.ok(await sidewaysOverflow(page) <= 0, 'the open panel makes the page scroll sideways');
    await page.screenshot({ path: join(ARTIFACTS, 'bell-360px.png') });
    // Every alert about an inbox links to it.
    const items = page.locator('#notifications li.notification');
    assert.ok(await items.count() >= 1);
    for (const href of await page.locator('#notifications li.notification a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      assert.match(href, /^\/accounts\/1\/inboxes\/\d+\/activity$/);
    }
    assert.equal(await page.locator('#notifications li.notification a').count(), await items.count());

    await page.keyboard.press('Escape');
    assert.equal(await panel.isVisible(), false, 'Esc closes the bell');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'bell-button', 'the focus returns to the bell');
    await page.click('#bell-button');
    assert.ok(await panel.isVisible());
    // The open panel covers the top of the page: tap near the bottom of the screen.
    await page.mouse.click(20, 730);
    assert.equal(await panel.isVisible(), false, 'a click outside closes the bell');
    // The user menu closes on Esc the same way.
    await page.click('#user-menu');
    assert.ok(await page.isVisible('#sign-out'));
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#sign-out'), false, 'Esc closes the user menu');

    // An alert leads to its inbox, and the bell does not stay open over it.
    await page.click('#bell-button');
    await page.locator('#notifications li.notification a').first().click();
    await page.waitForURL(/\/inboxes\/\d+\/activity$/);
    await page.waitForSelector('#activity-list');
    assert.equal(await panel.isVisible(), false);

    // "Alerts" is in the navigation; its list links each alert to its inbox too.
    await page.click('nav[aria-label=Main] >> text=Alerts');
    await page.waitForSelector('#alert-notifications li.alert-item');
    const links = await page.locator('#alert-notifications li.alert-item a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, await page.locator('#alert-notifications li.alert-item').count());
    for (const href of links) assert.match(href, /^\/accounts\/1\/inboxes\/\d+\/activity$/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('on a 360 px phone: the DEMO badge is short, the tabs scroll inside themselves, nothing scrolls sideways', async () => {
  const { context, page, problems } = await launch({ viewport: { width: 360, height: 740 } });
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await hydrated(page);
    const badge = page.locator('#demo-badge');
    assert.ok((await badge.boundingBox()).width < 90, 'the badge is one short word');
    assert.ok((await badge.locator('.demo-more').boundingBox()).width <= 1, 'the explanation is not shown');
    // …but it is still there for screen readers.
    assert.match(await badge.textContent(), /^DEMO — simulated Meta, not real numbers$/);
    assert.ok(await sidewaysOverflow(page) <= 0);
    await page.goto(`${gl.base}${await inboxPath(page, 'Display name in review')}/health`);
    await page.waitForSelector('#metrics');
    await hydrated(page);
    const tabs = await page.evaluate(() => {
      const nav = document.querySelector('nav.tabs');
      const r = nav.getBoundingClientRect();
      return { overflowX: getComputedStyle(nav).overflowX, right: r.right, scrolls: nav.scrollWidth > nav.clientWidth };
    });
    assert.ok(tabs.right <= 360, 'the tab bar ends inside the screen');
    if (tabs.scrolls) assert.equal(tabs.overflowX, 'auto', 'the tabs that do not fit scroll');
    assert.ok(await sidewaysOverflow(page) <= 0);
    // The last tab is reachable: scrolled into view inside the tab bar, not the page.
    await page.click('nav.tabs >> text=Activity');
    await page.waitForSelector('#activity');
    assert.ok(await sidewaysOverflow(page) <= 0);
    await page.screenshot({ path: join(ARTIFACTS, 'tabs-360px.png') });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('hydration does not move anything on the page', async () => {
  const { context, page, problems } = await launch();
  try {
    // Chromium's layout-instability API counts every shift from the first paint on.
    await context.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    const inbox = await inboxPath(page, 'Display name in review');
    for (const path of ['/accounts/1/inboxes', `${inbox}/health`, `${inbox}/settings`, `${inbox}/activity`, '/accounts/1/alerts', '/accounts/1/settings']) {
      await page.goto(`${gl.base}${path}`);
      await hydrated(page);
      await page.waitForTimeout(500);
      const shift = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
      assert.ok(shift < 0.001, `${path}: layout shift ${shift}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
