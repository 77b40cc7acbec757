// The Content-Security-Policy (issue 13; index.html): no inline or remote script, only what the
// app needs, and not one violation in a whole session. (Every test of the suite fails on a
// violation too: see e2e/lib.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startServer, launch, newPage, dragSelect, settled, takeViolations, waitPainted, DIST, ROOT, SEED_TITLE,
} from '../lib.mjs';

let server;
let browser;
let url;

before(async () => {
  server = await startServer({ '/': DIST });
  url = `${server.origin}/`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The page's policy as {directive: [sources]}. */
const policyOf = async (page) => {
  const metas = await page.locator('meta[http-equiv="Content-Security-Policy"]').evaluateAll((ms) => ms.map((m) => m.content));
  assert.equal(metas.length, 1);
  return Object.fromEntries(metas[0].split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
};

test('the policy: scripts only from the app\'s origin, no inline or eval, wasm allowed; workers, styles and images only as needed', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(url);
  const csp = await policyOf(page);
  assert.deepEqual(csp['default-src'], ["'none'"]);
  assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp['worker-src'], ["'self'", 'blob:']);
  // The wasm files, and the sync server the reader chooses (issue 17, ADR 0010): https
  // anywhere, plain http only to this computer.
  assert.deepEqual(csp['connect-src'], ["'self'", 'https:', 'http://localhost:*', 'http://127.0.0.1:*']);
  assert.deepEqual(csp['style-src'], ["'self'"]);
  assert.deepEqual(csp['style-src-attr'], ["'unsafe-inline'"]);
  // Articles' images (issue 16): https: addresses, loaded only when the reader asks.
  assert.deepEqual(csp['img-src'], ["'self'", 'data:', 'https:']);
  assert.deepEqual(csp['base-uri'], ["'none'"]);
  assert.deepEqual(csp['form-action'], ["'none'"]);
  for (const d of ['script-src-elem', 'script-src-attr', 'style-src-elem', 'object-src', 'frame-src', 'child-src']) {
    assert.equal(csp[d], undefined, `${d} falls back to a directive checked above`);
  }
  // The policy is the first thing in <head>, and the page has no inline script.
  assert.equal(await page.evaluate(() => document.head.firstElementChild.nextElementSibling.httpEquiv), 'Content-Security-Policy');
  const scripts = await page.locator('script').evaluateAll((ss) => ss.map((s) => ({ src: s.src, type: s.type, text: s.textContent })));
  for (const s of scripts) assert.ok(s.src || (s.type === 'application/json' && s.text === ''), JSON.stringify(s));
  await context.close();
});

test('the policy is enforced: an injected inline script, eval and a script from another origin are refused and reported', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(url);
  const other = 'http://127.0.0.1:9/x.js'; // another origin (port); refused before any request
  const ran = await page.evaluate((other) => new Promise((resolve) => {
    window.__ran = [];
    const inline = document.createElement('script');
    inline.textContent = 'window.__ran.push("inline")';
    document.body.append(inline);
    const remote = document.createElement('script');
    remote.src = other;
    document.body.append(remote);
    setTimeout(() => {
      try {
        eval('window.__ran.push("eval")');
      } catch (e) {
        window.__ran.push(e.name);
      }
      setTimeout(() => resolve(window.__ran), 100);
    }, 0);
  }), other);
  assert.deepEqual(ran, ['EvalError']);
  const seen = takeViolations();
  for (const what of ['script-src-elem blocked inline', `script-src-elem blocked ${other}`, 'script-src blocked eval']) {
    assert.ok(seen.some((v) => v.startsWith(what)), `${what} in ${JSON.stringify(seen)}`);
  }
  page.errors.length = 0;
  await context.close();
});

test('a whole session without one violation: load, highlight with a note, the library, import an HTML page, export, a backup, reload', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1300 } });
  const seen = [];
  await context.exposeBinding('__sessionViolation', (_s, v) => seen.push(v));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__sessionViolation(`${e.effectiveDirective} ${e.blockedURI}`)));
  await page.goto(url);
  assert.equal(await page.locator('h1').innerText(), SEED_TITLE);

  await dragSelect(page, { block: 1, text: 'Михаил Галузин' }, { block: 1, text: 'Михаил Галузин' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('dialog').getByLabel('Note').fill('Кто **провёл** встречу');
  await page.keyboard.press('Escape');
  await waitPainted(page);
  await settled(page);
  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByLabel('Sans').check();
  await page.keyboard.press('Escape');

  // The library, and an HTML page through the import worker (Readability).
  await page.locator('a.brand').click();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([join(ROOT, 'e2e', 'fixtures', 'page.html')]);
  // One file: it opens.
  await page.getByRole('heading', { level: 1, name: 'An HTML page about rivers' }).waitFor();

  // Export Markdown, and a backup of everything.
  const panel = page.locator('#notes-panel');
  await panel.getByText('Export', { exact: true }).click();
  const [md] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download Markdown' }).click()]);
  assert.match(md.suggestedFilename(), /\.md$/);
  await page.locator('a.brand').click();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await page.getByText('Export the library').click();
  const [backup] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Full backup (JSON)' }).click()]);
  assert.match(backup.suggestedFilename(), /^lectern-backup-.*\.json$/);
  assert.match(await readFile(await backup.path(), 'utf8'), /Кто \*\*провёл\*\* встречу/);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();

  assert.deepEqual(seen, []);
  assert.deepEqual(page.errors, []);
  await context.close();
});
