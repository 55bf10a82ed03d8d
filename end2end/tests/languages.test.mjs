// Languages (issue 13 §5): the same page in English, Brazilian Portuguese and Spanish, chosen by
// the browser's language, still in that language after hydration; and a language chosen in
// Account Settings beats the browser's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ARTIFACTS, hydrated, launch, signIn, startGreenlight } from '../lib/harness.mjs';

let gl;
before(async () => { gl = await startGreenlight(); });
after(async () => { await gl?.stop(); });

// What a person reads on the Account Health tab of "Healthy and registered", per language.
const PAGES = {
  'en-US': { lang: 'en', skip: 'Skip to content', verdict: 'Healthy', quality: 'High' },
  'pt-BR': { lang: 'pt-BR', skip: 'Pular para o conteúdo', verdict: 'Saudável', quality: 'Alta' },
  'es-MX': { lang: 'es', skip: 'Saltar al contenido', verdict: 'En buen estado', quality: 'Alta' },
};

for (const [browser, want] of Object.entries(PAGES)) {
  test(`a browser in ${browser} gets the Account Health tab in its language, before and after hydration`, async () => {
    const { context, page, problems } = await launch({ locale: browser });
    try {
      await signIn(page, gl.base, ADMIN);
      await page.waitForURL(/inboxes$/);
      await page.getByRole('link', { name: 'Healthy and registered', exact: true }).click();
      await page.waitForSelector('#metrics', { timeout: 30000 });
      const read = async () => ({
        lang: await page.getAttribute('html', 'lang'),
        skip: (await page.textContent('.skip-link')).trim(),
        // Badges' text after their (visually hidden) level prefix.
        verdict: (await page.textContent('#verdict .badge')).split(':').pop().trim(),
        quality: (await page.textContent('[data-metric=quality_rating] .badge')).split(':').pop().trim(),
      });
      await hydrated(page);
      assert.deepEqual(await read(), want);
      await page.screenshot({ path: join(ARTIFACTS, `language-${want.lang}.png`), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('a language chosen in Account Settings redraws the page in it and beats the browser, until Automatic', async () => {
  const { context, page, problems } = await launch({ locale: 'en-US' });
  try {
    await signIn(page, gl.base, ADMIN);
    await page.waitForURL(/inboxes$/);
    await page.goto(`${gl.base}/accounts/1/settings`);
    await hydrated(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.selectOption('#field-locale', 'es');
    await Promise.all([
      page.waitForEvent('load'),
      page.click('#profile-form button[type=submit]'),
    ]);
    await page.waitForFunction(() => document.documentElement.lang === 'es');
    await hydrated(page);
    assert.equal((await page.textContent('#profile h2')).trim(), 'Tu perfil');
    assert.equal(await page.inputValue('#field-locale'), 'es');
    // Another page, an English browser: still Spanish.
    await page.goto(`${gl.base}/accounts/1/inboxes`);
    assert.equal(await page.getAttribute('html', 'lang'), 'es');

    await page.goto(`${gl.base}/accounts/1/settings`);
    await hydrated(page);
    await page.selectOption('#field-locale', 'auto');
    await Promise.all([
      page.waitForEvent('load'),
      page.click('#profile-form button[type=submit]'),
    ]);
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal((await page.textContent('#profile h2')).trim(), 'Your profile');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
