// Shared harness for the end-to-end tests: starts the release `greenlight` binary in demo mode on a
// free loopback port with a fresh data directory, and launches Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(here, '..', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

// Demo passwords are random per run: startGreenlight() fills them in from the printed banner.
export const ADMIN = { email: 'admin@greenlight.demo', password: '' };
export const AGENT = { email: 'agent@greenlight.demo', password: '' };

/** The password the demo banner printed for `email` ("<role> <email> password: <password>"). */
function printedPassword(output, email) {
  const line = output.split('\n').find((l) => l.includes(email) && l.includes('password:'));
  if (!line) throw new Error(`no demo password for ${email} in: ${output}`);
  return line.slice(line.indexOf('password:') + 'password:'.length).trim().split(/\s+/)[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns `greenlight serve <args>` on a free port with a fresh data directory. */
async function spawnGreenlight(args, extraEnv) {
  const bin = process.env.GREENLIGHT_BIN;
  if (!bin) throw new Error('GREENLIGHT_BIN must point at the greenlight binary');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-'));
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
    cwd: dataDir, // the binary must not need any file beside it
    env: { ...process.env, RUST_LOG: 'warn,greenlight::demo=info', NO_COLOR: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    base: `http://127.0.0.1:${port}`,
    log: '',
    output: () => server.log,
    async ready() {
      if (child.exitCode !== null) throw new Error(`greenlight exited: ${server.log}`);
      try { return (await fetch(`${server.base}/readyz`)).ok; } catch { return false; /* not up yet */ }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
  child.stdout.on('data', (d) => { server.log += d; });
  child.stderr.on('data', (d) => { server.log += d; });
  return server;
}

/** Starts `greenlight serve --demo`; resolves when /readyz answers. */
export async function startGreenlight(extraArgs = [], extraEnv = {}) {
  const gl = await spawnGreenlight(['--demo', ...extraArgs], extraEnv);
  // Ready, and the demo inboxes seeded (the "Meta answers slowly" one is seeded last, in the
  // background; the tests need the others).
  for (let i = 0; i < 600; i++) {
    if ((await gl.ready()) && /inbox created[^\n]*scenario=business_limited|Demo inboxes ready/.test(gl.output())) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  ADMIN.password = printedPassword(gl.output(), ADMIN.email);
  AGENT.password = printedPassword(gl.output(), AGENT.email);
  return gl;
}

/** Starts a fresh `greenlight serve` without users (so `/setup` is open); resolves when ready. */
export async function startFirstRun() {
  const gl = await spawnGreenlight([], {});
  for (let i = 0; i < 600 && !(await gl.ready()); i++) await new Promise((r) => setTimeout(r, 100));
  return gl;
}

/**
 * A fresh Chromium context; `javaScriptEnabled: false` checks the server-rendered pages alone.
 * `colorScheme` and `viewport` emulate a person's settings and screen; `bypassCSP` lets a test
 * inject its own script (axe-core) past the page's Content-Security-Policy.
 */
export async function launch({
  javaScriptEnabled = true, colorScheme = 'light', viewport = { width: 1200, height: 900 }, bypassCSP = false,
  locale = 'en-US',
} = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    javaScriptEnabled,
    colorScheme,
    viewport,
    bypassCSP,
    // The browser's language: its Accept-Language header and navigator.language.
    locale,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // signIn waits out the sign-in limit; the browser still logs the refused request it waits on.
    if (m.text().includes('status of 429') && (m.location().url ?? '').endsWith('/sfn/login')) return;
    problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

/** Waits until the wasm app has hydrated (the hydrate() entry ran). */
export async function hydrated(page) {
  await page.waitForFunction(() => window.__greenlight_hydrated === true, null, { timeout: 20000 });
}

/** Signs in through the login form. */
export async function signIn(page, base, who) {
  // Sign-in is limited per e-mail (a burst of 5, then one per 12 s). A file that signs the same
  // demo user in more often waits the limit out as a person would, instead of failing on it.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.goto(`${base}/login`);
    await page.fill('#field-email', who.email);
    await page.fill('#field-password', who.password);
    await page.click('button[type=submit]');
    const deadline = Date.now() + 30000;
    let wait = 0;
    while (Date.now() < deadline) {
      if (!new URL(page.url()).pathname.endsWith('/login')) return;
      const said = await page.locator('#login-error').textContent({ timeout: 1000 }).catch(() => '');
      const limited = /Try again in (\d+) seconds/.exec(said ?? '');
      if (limited) { wait = Number(limited[1]) + 1; break; }
      // Any other refusal (a wrong password) is the caller's to check.
      if ((said ?? '').trim() !== '') return;
      await page.waitForTimeout(200);
    }
    if (wait === 0) return;
    await page.waitForTimeout(wait * 1000);
  }
}
