// Offline and installable (issue 16, docs/offline.md, ADR 0005): the service worker keeps the
// build's files, a reload without network shows the open article, its highlights and the
// library, and everything done offline is kept; a new build is offered with "Reload" and never
// mixed into an open page; the manifest makes the app installable; the build's hook
// (tools/precache.mjs) lists exactly the build's files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import {
  startServer, launch, launchProfile, newPage, dragSelect, settled, appReady, screenshot, paintedText, waitPainted, clickPainted,
  storedDoc, DIST, DIST_SUBPATH, SUBPATH, ROOT, SEED_TITLE,
} from '../lib.mjs';

const run = promisify(execFile);
const HOOK = join(ROOT, 'tools', 'precache.mjs');

let browser;
let tmp;

before(async () => {
  browser = await launch();
  tmp = await mkdtemp(join(tmpdir(), 'lectern-offline-'));
});

after(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Resolves once `done()` is true (checked every 50 ms, for at most 10 s). */
async function until(done, what) {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done(), what);
}

/** Resolves once a service worker controls `page` (it registers after the app is up). */
const controlled = (page) => page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
const buildOf = (page) => page.locator('#lectern-loader').getAttribute('data-build');
const cacheNames = (page) => page.evaluate(() => caches.keys());

/** Every entry of cache `name` as [path, digest of its body], sorted. */
const cachedDigests = (page, name) => page.evaluate(async (name) => {
  const cache = await caches.open(name);
  const entries = await Promise.all((await cache.keys()).map(async (r) => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', await (await cache.match(r)).arrayBuffer()));
    return [new URL(r.url).pathname, `sha384-${btoa(String.fromCharCode(...digest))}`];
  }));
  return entries.sort((x, y) => (x[0] < y[0] ? -1 : 1));
}, name);

/** A copy of `dist` whose fixed-name files (the first paint, the import worker) differ: a new
 * build as the hook sees it, made without a second release build. */
async function variant(dist, name, publicUrl = '/') {
  const dir = join(tmp, name);
  await cp(dist, dir, { recursive: true });
  for (const f of ['lectern-boot.js', 'lectern-import.js']) await appendFile(join(dir, f), `\n// build ${name}\n`);
  await run('node', [HOOK, '--dist', dir, '--public-url', publicUrl]);
  return dir;
}

const sha384 = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** Page loads (main-frame navigations) of `page`, each with the responses it received: path,
 * the deployment that first served it (`x-deploy`), whether the worker answered, and a promise
 * of the body's digest. */
function recordLoads(page) {
  const loads = [];
  // A load starts with the page's request (its response comes before the frame commits).
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) loads.push([]);
  });
  page.on('response', (r) => {
    const url = new URL(r.url());
    loads.at(-1)?.push({
      path: url.pathname,
      query: url.search,
      deploy: r.headers()['x-deploy'],
      sw: r.fromServiceWorker(),
      digest: r.body().then(sha384, () => null),
    });
  });
  return loads;
}

/** The files of build `dir` served at `prefix`: URL path → digest (the page at the prefix). */
async function buildFiles(dir, prefix = '/') {
  const out = new Map();
  for (const n of await filesOf(dir)) {
    out.set(prefix + (n === 'index.html' ? '' : n), sha384(await readFile(join(dir, n))));
  }
  return out;
}

/** The responses of `load` that are not byte for byte the files of `build`. */
async function notOf(load, build) {
  const bad = [];
  for (const r of load) {
    if (build.get(r.path) !== (await r.digest)) bad.push(`${r.path}${r.query} (${r.sw ? 'worker' : 'network'}, first served by ${r.deploy})`);
  }
  return bad;
}

async function highlight(page, block, text, colour) {
  await dragSelect(page, { block, text }, { block, text });
  await page.getByRole('toolbar').getByRole('button', { name: `Highlight in ${colour}` }).click();
  await waitPainted(page, colour);
}

// The seed's stored annotations, decoded (they are stored compactly).
const stored = (page, key) => storedDoc(page, key, 'seed');

for (const [where, mount, dist] of [['at the site root', '/', DIST], ['under a sub-path', SUBPATH, DIST_SUBPATH]]) {
  test(`offline ${where}: the article, its highlights and the library reload; highlights, notes and an import made offline are kept, and online again`, async () => {
    const server = await startServer({ [mount]: dist });
    const base = `${server.origin}${mount}`;
    const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1200 } });
    await page.goto(base);
    await highlight(page, 1, 'Михаил Галузин', 'green');
    await settled(page);
    await controlled(page);
    const build = await buildOf(page);
    assert.match(build, /^[0-9a-f]{16}$/);
    // Its scope is the deployment's, and so is its cache.
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope), base);
    assert.ok((await cacheNames(page)).includes(`lectern ${mount} ${build}`), String(await cacheNames(page)));

    await context.setOffline(true);
    const loads = recordLoads(page);
    await page.reload();
    assert.equal(await page.locator('h1').innerText(), SEED_TITLE);
    assert.equal(await paintedText(page, 'green'), 'Михаил Галузин');
    // Everything came from the worker (the network is off).
    assert.ok(loads[0].length >= 8, JSON.stringify(loads[0]));
    assert.deepEqual(loads[0].filter((r) => !r.sw), []);

    // Highlighting and notes work offline.
    await dragSelect(page, { block: 2, text: 'В последние дни' }, { block: 2, text: 'внимание' });
    await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
    await waitPainted(page, 'pink');
    await clickPainted(page, 'pink');
    await page.getByRole('dialog').getByLabel('Note').fill('Записано без сети');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await settled(page);

    // The library, and an import (the import worker's files come from the cache too).
    await page.locator('a.brand').click();
    await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
    // (Counts are read after the list is drawn: wait for them, as a reader would see them.)
    await page.locator('.library__item').first().filter({ hasText: /2 highlights · 1 note/ }).waitFor();
    await page.getByRole('button', { name: 'New article' }).click();
    await page.getByLabel('Paste the text of an article').fill('On a train\nImported with no network at all, through the import worker.');
    await page.getByRole('button', { name: 'Add to library' }).click();
    await page.getByRole('heading', { level: 1, name: 'On a train' }).waitFor();
    const imported = page.url();
    await highlight(page, 0, 'no network', 'blue');
    await settled(page);

    // Another reload without network: all of it is there.
    await page.reload();
    assert.equal(page.url(), imported);
    assert.equal(await page.locator('h1').innerText(), 'On a train');
    assert.equal(await paintedText(page, 'blue'), 'no network');
    await page.locator('a.brand').click();
    await page.locator('.library__title', { hasText: SEED_TITLE }).click();
    await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
    assert.equal(await paintedText(page, 'green'), 'Михаил Галузин');
    assert.equal(await paintedText(page, 'pink'), 'В последние дни внимание');
    // (The article may still be scrolling to where the reader left it: click again if the
    // first click landed while it moved.)
    for (let i = 0; i < 3 && !(await page.getByRole('dialog').count()); i++) {
      await clickPainted(page, 'pink');
      await page.getByRole('dialog').waitFor({ timeout: 3000 }).catch(() => {});
    }
    assert.equal(await page.getByRole('dialog').getByLabel('Note').inputValue(), 'Записано без сети');
    await page.keyboard.press('Escape');
    const before = await stored(page, 'lectern.v1.annotations.seed');
    assert.equal(before.data.annotations.length, 2);

    // Online again: nothing is lost, nothing is replaced.
    await context.setOffline(false);
    await page.reload();
    assert.deepEqual(await stored(page, 'lectern.v1.annotations.seed'), before);
    assert.equal(await paintedText(page, 'green'), 'Михаил Галузин');
    await page.locator('a.brand').click();
    await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
    assert.equal(await page.locator('.library__item').count(), 2);
    await page.locator('.library__title', { hasText: 'On a train' }).waitFor();
    assert.deepEqual(page.errors, []);
    await context.close();
    await server.close();
  });
}

test('a new build: the open page keeps its build; "A new version of Lectern is ready — Reload" brings the whole new build; old caches go', async () => {
  const a = await variant(DIST, 'A');
  const b = await variant(DIST, 'B');
  const [filesA, filesB] = [await buildFiles(a), await buildFiles(b)];
  const changed = [...filesB].filter(([p, d]) => filesA.get(p) !== d).map(([p]) => p).sort();
  assert.deepEqual(changed, ['/', '/lectern-boot.js', '/lectern-import.js', '/sw.js']);
  const server = await startServer({ '/': { dir: a, headers: { 'x-deploy': 'A' } } });
  const url = `${server.origin}/`;
  const { context, page } = await newPage(browser);
  const loads = recordLoads(page);
  await page.goto(url);
  await controlled(page);
  const buildA = await buildOf(page);

  // Build B is deployed over A; the reader reloads.
  server.mount('/', { dir: b, headers: { 'x-deploy': 'B' } });
  await page.reload();
  const prompt = page.getByRole('status').filter({ hasText: 'A new version of Lectern is ready.' });
  await prompt.waitFor();
  // Still build A, all of it, from the worker.
  assert.equal(await buildOf(page), buildA);
  assert.deepEqual(await notOf(loads.at(-1), filesA), []);
  assert.ok(loads.at(-1).every((r) => r.sw), JSON.stringify(loads.at(-1)));
  const reload = prompt.getByRole('button', { name: 'Reload' });
  assert.equal(await reload.evaluate((e) => e.tagName), 'BUTTON');
  await screenshot(page, 'update-prompt');
  const axe = await new AxeBuilder({ page }).include('#lectern-update').analyze();
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.help}`), []);
  // From the keyboard too: it can be reached with Tab.
  await page.keyboard.press('Tab');
  for (let i = 0; i < 40 && !(await reload.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.ok(await reload.evaluate((e) => e === document.activeElement), 'Reload is reachable with Tab');

  const navigated = page.waitForEvent('framenavigated');
  await page.keyboard.press('Enter');
  await navigated;
  await appReady(page);
  const buildB = await buildOf(page);
  assert.notEqual(buildB, buildA);
  assert.equal(await page.locator('#lectern-update').count(), 0);
  // Every file of the new load is B's, byte for byte, from B's cache; the changed ones too.
  const load = loads.at(-1);
  for (const p of ['/', '/lectern-boot.js', '/lectern-boot_bg.wasm', '/loader-']) assert.ok(load.some((r) => r.path.startsWith(p)), p);
  assert.deepEqual(await notOf(load, filesB), []);
  assert.ok(load.every((r) => r.sw), JSON.stringify(load));
  assert.ok(load.filter((r) => changed.includes(r.path)).every((r) => r.deploy === 'B'));
  // No page load ever mixed two builds.
  for (const l of loads) {
    assert.ok((await notOf(l, filesA)).length === 0 || (await notOf(l, filesB)).length === 0, JSON.stringify(l));
  }

  // A's cache is gone once no page runs build A; B's holds exactly B's files.
  await page.waitForFunction((a) => caches.keys().then((ks) => !ks.some((k) => k.endsWith(a))), buildA);
  assert.deepEqual((await cacheNames(page)).filter((n) => n.startsWith('lectern ')), [`lectern / ${buildB}`]);
  const entries = await cachedDigests(page, `lectern / ${buildB}`);
  assert.deepEqual(entries, [...filesB].filter(([p]) => p !== '/sw.js').sort((x, y) => (x[0] < y[0] ? -1 : 1)));
  assert.deepEqual(page.errors, []);
  await context.close();
  await server.close();
});

/** Asks the browser to look for a new worker now; resolves with how that worker's install
 * ended ('installed' or 'redundant'). */
const update = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  navigator.serviceWorker.getRegistration().then((reg) => {
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      w.addEventListener('statechange', () => ['installed', 'redundant'].includes(w.state) && resolve(w.state));
    });
    reg.update().catch(reject);
  });
}));

test('a half-finished deployment (new sw.js and page, an old file) is never installed; the finished one is', async () => {
  const a = await variant(DIST, 'A3');
  const b = await variant(DIST, 'B3');
  // B's worker and page, and A's first paint: an upload caught half-way.
  const half = join(tmp, 'half');
  await cp(b, half, { recursive: true });
  await cp(join(a, 'lectern-boot.js'), join(half, 'lectern-boot.js'));
  const server = await startServer({ '/': a });
  const { context, page } = await newPage(browser);
  await page.goto(`${server.origin}/`);
  await controlled(page);
  const buildA = await buildOf(page);

  server.mount('/', half);
  assert.equal(await update(page), 'redundant');
  await page.reload();
  assert.equal(await buildOf(page), buildA);
  assert.equal(await page.locator('#lectern-update').count(), 0);
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting), null);

  server.mount('/', b);
  assert.equal(await update(page), 'installed');
  await page.getByRole('status').filter({ hasText: 'A new version of Lectern is ready.' }).waitFor();
  const navigated = page.waitForEvent('framenavigated');
  await page.getByRole('button', { name: 'Reload' }).click();
  await navigated;
  await appReady(page);
  assert.notEqual(await buildOf(page), buildA);
  const boot = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=preload][as=script]').href)).text());
  assert.match(boot, /\/\/ build B3\n$/);
  assert.deepEqual(page.errors, []);
  await context.close();
  await server.close();
});

test('two tabs, Russian interface: one takes the new build, the other keeps running (and importing with) its own until it reloads', async () => {
  const a = await variant(DIST, 'A2');
  const b = await variant(DIST, 'B2');
  const server = await startServer({ '/': { dir: a, headers: { 'x-deploy': 'A' } } });
  const url = `${server.origin}/`;
  const { context, page: one } = await newPage(browser, { locale: 'ru-RU' });
  const seen = [];
  context.on('response', (r) => seen.push({ path: new URL(r.url()).pathname + new URL(r.url()).search, deploy: r.headers()['x-deploy'] }));
  await one.goto(url);
  await controlled(one);
  const buildA = await buildOf(one);
  const two = await context.newPage();
  two.errors = [];
  two.on('console', (m) => m.type() === 'error' && two.errors.push(m.text()));
  await two.goto(`${url}#/`);
  await controlled(two);

  server.mount('/', { dir: b, headers: { 'x-deploy': 'B' } });
  await one.reload();
  // Both tabs are told, in the interface's language.
  for (const p of [one, two]) {
    const prompt = p.getByRole('status').filter({ hasText: 'Готова новая версия Lectern.' });
    await prompt.getByRole('button', { name: 'Обновить' }).waitFor();
  }
  await screenshot(one, 'update-prompt-ru');
  const navigated = one.waitForEvent('framenavigated');
  await one.getByRole('button', { name: 'Обновить' }).click();
  await navigated;
  await appReady(one);
  const buildB = await buildOf(one);
  assert.notEqual(buildB, buildA);

  // The other tab still runs A; its first import starts the import worker now, from A's files.
  assert.equal(await buildOf(two), buildA);
  await two.waitForFunction(() => !!navigator.serviceWorker.controller);
  const from = seen.length;
  await two.getByRole('button', { name: 'Новая статья' }).click();
  await two.getByLabel('Вставьте текст статьи').fill('Вторая вкладка\nИмпорт в старой версии, пока другая вкладка уже обновилась.');
  await two.getByRole('button', { name: 'Добавить в библиотеку' }).click();
  await two.getByRole('heading', { level: 1, name: 'Вторая вкладка' }).waitFor();
  const worker = seen.slice(from).filter((r) => r.path.startsWith('/lectern-import'));
  assert.deepEqual(worker.map((r) => r.path).sort(), [`/lectern-import.js?build=${buildA}`, `/lectern-import_bg.wasm?build=${buildA}`]);
  assert.deepEqual(worker.filter((r) => r.deploy !== 'A'), [], JSON.stringify(worker));
  assert.ok((await cacheNames(two)).includes(`lectern / ${buildA}`), 'A is kept while a tab runs it');

  // The other tab reloads too: only B is left.
  const again = two.waitForEvent('framenavigated');
  await two.getByRole('button', { name: 'Обновить' }).click();
  await again;
  await appReady(two);
  assert.equal(await buildOf(two), buildB);
  await two.waitForFunction((a) => caches.keys().then((ks) => !ks.some((k) => k.endsWith(a))), buildA);
  assert.deepEqual(one.errors, []);
  assert.deepEqual(two.errors, []);
  await context.close();
  await server.close();
});

test('a development build\'s worker removes the release worker, its caches and itself', async () => {
  const dev = join(tmp, 'dev');
  await cp(DIST, dev, { recursive: true });
  await run('node', [HOOK, '--dist', dev, '--public-url', '/', '--profile', 'debug']);
  const server = await startServer({ '/': DIST });
  const url = `${server.origin}/`;
  const { context, page } = await newPage(browser);
  await page.goto(url);
  await controlled(page);
  assert.ok((await cacheNames(page)).length > 0);

  // `cargo xtask serve` on the same origin: the old worker answers one more load, the browser
  // finds the new sw.js, which clears everything and loads the page from the server again.
  server.mount('/', dev);
  await page.reloadOnly();
  await page.waitForFunction(() => document.querySelector('#lectern-loader')?.dataset.sw === 'off', null, { timeout: 30_000 });
  await appReady(page);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null);
  await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0);
  assert.deepEqual(await cacheNames(page), []);
  // And the development page registers none.
  await page.reload();
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
  await context.close();
  await server.close();
});

test('persistent storage is asked for once the reader has saved something, not before', async () => {
  const server = await startServer({ '/': DIST });
  const { context, page } = await newPage(browser);
  const asked = [];
  await context.exposeBinding('__persistAsked', (_s, granted) => asked.push(granted));
  await context.addInitScript(() => {
    const persist = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => persist().then((granted) => {
      window.__persistAsked(granted);
      return granted;
    });
  });
  const hide = () => page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.goto(`${server.origin}/`);
  await hide();
  await page.reload();
  await page.waitForTimeout(300);
  assert.equal(asked.length, 0, 'the sample alone is not the reader\'s');

  await highlight(page, 1, 'Михаил Галузин', 'green');
  await settled(page);
  await hide();
  await until(() => asked.length === 1, 'asked when the tab is hidden after a save');
  await page.reload();
  if (!asked[0]) await until(() => asked.length === 2, 'asked again on the next load');
  // On the next load: asked again, unless the browser said yes (then it is persisted already).
  assert.equal(asked.length, asked[0] ? 1 : 2);
  assert.equal(await page.evaluate(() => navigator.storage.persisted()), asked[0]);
  await context.close();
  await server.close();
});

/** Width and height of a PNG (its IHDR chunk). */
const pngSize = (bytes) => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];

for (const [where, mount, dist] of [['at the site root', '/', DIST], ['under a sub-path', SUBPATH, DIST_SUBPATH]]) {
  test(`installable ${where}: Chromium finds no manifest or installability error; start URL, scope and icons follow the deployment`, async () => {
    const server = await startServer({ [mount]: dist });
    const base = `${server.origin}${mount}`;
    // (Chromium offers no install in an incognito context, which newPage's are.)
    const { context, page } = await launchProfile(await mkdtemp(join(tmp, 'profile-')));
    await page.goto(base);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, []);
    assert.equal(manifest.url, `${base}manifest.webmanifest`);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    const data = JSON.parse(manifest.data);
    const at = (u) => new URL(u, manifest.url).href;
    assert.equal(at(data.start_url), base);
    assert.equal(at(data.scope), base);
    assert.equal(data.display, 'standalone');
    assert.equal(data.name, 'Lectern');
    // The sizes browsers ask for, each the size it says it is; a maskable one too.
    const icons = await Promise.all(data.icons.filter((i) => i.type === 'image/png').map(async (i) => {
      const res = await fetch(at(i.src));
      assert.equal(res.status, 200, i.src);
      return { sizes: i.sizes, purpose: i.purpose, actual: pngSize(Buffer.from(await res.arrayBuffer())).join('x') };
    }));
    for (const i of icons) assert.equal(i.actual, i.sizes);
    for (const size of ['192x192', '512x512']) {
      assert.ok(icons.some((i) => i.sizes === size && i.purpose === 'any'), size);
      assert.ok(icons.some((i) => i.sizes === size && i.purpose === 'maskable'), `maskable ${size}`);
    }
    // Theme colours for light and dark.
    const themes = await page.locator('meta[name=theme-color]').evaluateAll((ms) => ms.map((m) => [m.media, m.content]));
    assert.deepEqual(themes.map(([m]) => m), ['(prefers-color-scheme: light)', '(prefers-color-scheme: dark)']);
    assert.deepEqual(page.errors, []);
    await context.close();
    await server.close();
  });
}

// The hook itself, on copies of the release build.

const workerList = async (dir) => {
  const sw = await readFile(join(dir, 'sw.js'), 'utf8');
  return JSON.parse(/self\.LECTERN = ([^;]*);/.exec(sw)[1]);
};
async function filesOf(dir, under = dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue; // Trunk's lock file
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesOf(path, under)));
    else out.push(path.slice(under.length + 1));
  }
  return out.sort();
}

test('the precache list is exactly the build: every file but sw.js, each with its digest, the page as "./"', async () => {
  for (const dist of [DIST, DIST_SUBPATH]) {
    const { build, dev, files } = await workerList(dist);
    assert.equal(dev, false);
    const names = (await filesOf(dist)).filter((n) => n !== 'sw.js');
    assert.deepEqual(files.map((f) => f.url).sort(), names.map((n) => (n === 'index.html' ? './' : `./${n}`)).sort());
    for (const f of files) {
      const name = f.url === './' ? 'index.html' : f.url.slice(2);
      assert.equal(f.integrity, sha384(await readFile(join(dist, name))), name);
    }
    // What the page loads is all there: the first paint, the app, the import worker, the
    // loader, the styles, the manifest and its icons.
    for (const re of [/^lectern-boot\.js$/, /^lectern-boot_bg\.wasm$/, /^lectern-[0-9a-f]+\.js$/, /^lectern-[0-9a-f]+_bg\.wasm$/, /^lectern-import\.js$/,
      /^lectern-import_bg\.wasm$/, /^loader-[0-9a-f]+\.js$/, /^main-[0-9a-f]+\.css$/, /^manifest\.webmanifest$/, /^icons\/icon-512\.png$/]) {
      assert.ok(names.some((n) => re.test(n)), String(re));
    }
    const page = await readFile(join(dist, 'index.html'), 'utf8');
    assert.ok(page.includes(build), 'the page carries the build id');
    assert.ok(!page.includes('__LECTERN_'), 'no placeholder is left');
  }
});

test('the hook: the same files give the same build; a changed file a new one; a page whose integrity disagrees, or with an inline script, fails', async () => {
  const one = join(tmp, 'hook-1');
  await cp(DIST, one, { recursive: true });
  const first = await workerList(DIST);
  await run('node', [HOOK, '--dist', one, '--public-url', '/']);
  assert.deepEqual(await workerList(one), first, 'running it again changes nothing');

  await appendFile(join(one, 'lectern-import.js'), '\n// changed\n');
  await run('node', [HOOK, '--dist', one, '--public-url', '/']);
  const changed = await workerList(one);
  assert.notEqual(changed.build, first.build);
  assert.equal(changed.files.find((f) => f.url === './lectern-import.js').integrity, sha384(await readFile(join(one, 'lectern-import.js'))));
  assert.ok((await readFile(join(one, 'index.html'), 'utf8')).includes(`?build=${changed.build}`));

  // A stylesheet that is not what the page's integrity attribute says.
  const css = (await readdir(one)).find((n) => /^main-[0-9a-f]+\.css$/.test(n));
  await appendFile(join(one, css), '\n/* changed */\n');
  await assert.rejects(run('node', [HOOK, '--dist', one, '--public-url', '/']), (e) => /does not match the file/.test(e.stderr));

  const two = join(tmp, 'hook-2');
  await cp(DIST, two, { recursive: true });
  const html = await readFile(join(two, 'index.html'), 'utf8');
  await writeFile(join(two, 'index.html'), html.replace('</body>', '<script>alert(1)</script></body>'));
  await assert.rejects(run('node', [HOOK, '--dist', two, '--public-url', '/']), (e) => /inline script/.test(e.stderr));
});
