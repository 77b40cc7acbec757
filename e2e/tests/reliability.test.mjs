// Never lose a note (issue 13): the data-loss paths tried as a reader meets them — two tabs
// importing at once, a full quota and navigation, a page hidden right after typing, a newer
// Lectern in another tab, hostile values in a backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite, newPage, dragSelect, settled, waitPainted, paintedCount, storedDoc, decodeAnnotations, DIST, ROOT } from '../lib.mjs';

let server;
let browser;
let url;
suite({ '/': DIST }, (s) => ({ server, browser, url } = s));

const KEY = 'lectern.v1.annotations.seed';
const LIBRARY = 'lectern.v1.library';
const SEED = () => readFile(join(ROOT, 'assets', 'seed-article-ru.txt'), 'utf8');

async function open(context, hash = '') {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}${hash}`);
  return page;
}

const listed = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || '{"data":{"articles":[]}}').data.articles.map((a) => a.title).sort(), LIBRARY);

/** Fill localStorage (other keys) until nothing more fits. */
const fill = (page) => page.evaluate(() => {
  let chunk = 'x'.repeat(512 * 1024);
  for (let i = 0; i < 400 && chunk.length >= 8; i++) {
    try {
      localStorage.setItem(`filler.${i}`, chunk);
    } catch {
      chunk = chunk.slice(0, chunk.length / 2);
    }
  }
});

test('two tabs importing files at the same moment: every one is listed, in both tabs and after a reload', async () => {
  const { context, page: first } = await newPage(browser);
  await first.goto(`${url}#/`);
  const a = first;
  const b = await open(context, '#/');
  const seed = await SEED();
  const file = (name, i) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`${name} — статья ${i}\n\n${seed.slice(i * 400, i * 400 + 1500)}`) });
  const choose = async (page) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Open file…' }).click();
    return chooser;
  };
  const [ca, cb] = await Promise.all([choose(a), choose(b)]);
  const n = 6;
  const names = (tab) => [...Array(n).keys()].map((i) => `${tab}${i}.txt`);
  await Promise.all([
    ca.setFiles(names('a').map((name, i) => file(name, i))),
    cb.setFiles(names('b').map((name, i) => file(name, n + i))),
  ]);
  const titles = [...names('a').map((x, i) => `${x} — статья ${i}`), ...names('b').map((x, i) => `${x} — статья ${n + i}`)];
  for (const page of [a, b]) {
    for (const t of titles) await page.locator('.library__title', { hasText: t }).waitFor();
  }
  await settled(a);
  await settled(b);
  const stored = await listed(a);
  for (const t of titles) assert.ok(stored.includes(t), `${t} is in the stored list: ${stored}`);
  await a.reload();
  for (const t of titles) await a.locator('.library__title', { hasText: t }).waitFor();
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
});

test('a full quota: the highlight and the message survive going to the library and back', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  await fill(page);
  await dragSelect(page, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await page.keyboard.press('h');
  const alert = page.locator('.notice[data-subject="annotations"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /storage is full/i);
  assert.equal(await paintedCount(page), 1);
  // The library, then the article again (links, as a reader clicks them).
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await page.locator('.library__title').first().click();
  await page.locator('article h1').waitFor();
  await waitPainted(page);
  assert.equal(await paintedCount(page), 1, 'the highlight is still shown');
  await alert.waitFor();
  assert.match(await alert.innerText(), /storage is full|not saved/i);
  assert.equal(await page.locator('.note-card').count(), 1);
  // Room again: the next change writes everything.
  await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler.')).forEach((k) => localStorage.removeItem(k)));
  await dragSelect(page, { block: 2, text: 'выразила' }, { block: 2, text: 'выразила' });
  await page.keyboard.press('h');
  await page.waitForFunction((k) => {
    const d = JSON.parse(localStorage.getItem(k) || 'null')?.data;
    return (d?.a ?? d?.annotations ?? []).length === 2;
  }, KEY);
  await alert.waitFor({ state: 'detached' });
  await context.close();
});

test('a note typed just before the page is hidden is stored at once (a phone may freeze a hidden page)', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  await dragSelect(page, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  const note = page.getByRole('dialog').getByLabel('Note');
  await note.pressSequentially('срочно');
  // Hidden: and in the same task, before any timer could run, it must be in storage.
  const raw = await page.evaluate((k) => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    return localStorage.getItem(k);
  }, KEY);
  const stored = decodeAnnotations(raw, 'seed', null)?.data.annotations.map((a) => a.note);
  assert.deepEqual(stored, ['срочно']);
  await context.close();
});

test('a newer Lectern writing this article in another tab: this tab becomes read-only, says so, and never overwrites it', async () => {
  const { context, page: a } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await a.goto(url);
  await a.locator('article h1').waitFor();
  await dragSelect(a, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await a.keyboard.press('h');
  await settled(a);
  // Another tab, running a newer Lectern, writes schema version 2.
  const b = await open(context);
  const newer = JSON.stringify({ version: 3, data: { annotations: [], tombstones: [], future: "yes" } });
  await b.evaluate(({ k, v }) => localStorage.setItem(k, v), { k: KEY, v: newer });
  await a.locator('.notice[data-notice="newer"][data-subject="annotations"]').waitFor();
  // An edit here must not write the key.
  await dragSelect(a, { block: 2, text: 'выразила' }, { block: 2, text: 'выразила' });
  await a.keyboard.press('h');
  await settled(a);
  assert.equal(await a.evaluate((k) => localStorage.getItem(k), KEY), newer);
  await context.close();
});

test('a backup whose article has a javascript: source restores without a script link', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const article = {
    id: 'evil-1', title: 'Evil', source: { label: 'Source', name: 'click me', url: 'javascript:alert(1)' },
    lang: 'en', dir: 'ltr', blocks: [{ kind: 'paragraph', text: 'Harmless text that is long enough to be an article of its own.' }],
  };
  const backup = {
    format: 'lectern-backup', version: 1, exported: '2026-01-01T00:00:00.000Z',
    library: { articles: [{ id: 'evil-1', title: 'Evil', source: 'click me', lang: 'en', added: '2026-01-01T00:00:00.000Z', words: 12, hash: 'x' }] },
    articles: [article], annotations: {}, settings: {},
  };
  await page.locator('.library__import .export > summary').click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await chooser).setFiles([{ name: 'b.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(backup)) }]);
  await page.locator('.library__title', { hasText: 'Evil' }).click();
  await page.locator('article h1', { hasText: 'Evil' }).waitFor();
  const hrefs = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
  assert.ok(!hrefs.some((h) => /^\s*javascript:/i.test(h)), JSON.stringify(hrefs));
  await context.close();
});

test('an import worker that fails says so, and the next import starts a fresh one', async () => {
  // No service worker: it would serve the importers from its cache, which is the point of
  // offline use but not of this test (the network failing).
  const { context, page } = await newPage(browser, { serviceWorkers: 'block' });
  // The importers' wasm does not arrive (a flaky network, a broken deploy).
  await context.route(/lectern-import_bg\.wasm(\?.*)?$/, (route) => route.fulfill({ status: 500, body: 'no' }));
  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const open = async (name, text) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Open file…' }).click();
    await (await chooser).setFiles([{ name, mimeType: 'text/plain', buffer: Buffer.from(text) }]);
  };
  await open('first.txt', 'Первая статья\n\nТекст первой статьи, достаточно длинный.');
  const report = page.locator('.import-report');
  await report.getByText('first.txt').waitFor();
  assert.match(await report.innerText(), /first\.txt could not be saved.*import worker/is);
  // The network is back: the next file gets a new worker and is imported.
  await context.unroute(/lectern-import_bg\.wasm(\?.*)?$/);
  await open('second.txt', 'Вторая статья\n\nТекст второй статьи, тоже достаточно длинный.');
  await page.locator('article h1', { hasText: 'Вторая статья' }).waitFor();
  await context.close();
});

test('the app bar is opaque: scrolled article text never shows behind its text', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(url);
  await page.locator('article h1').waitFor();
  await page.evaluate(() => window.scrollTo(0, 300));
  const bar = await page.evaluate(() => {
    const s = getComputedStyle(document.querySelector('.app-bar'));
    return { bg: s.backgroundColor, filter: s.backdropFilter };
  });
  // rgba(…, a) or color(… / a) with a < 1, or transparent, would let the heading through.
  const m = /rgba\([^)]*,\s*([\d.]+)\)|\/\s*([\d.]+)\s*\)/.exec(bar.bg);
  const alpha = m ? Number(m[1] ?? m[2]) : 1;
  assert.equal(alpha, 1, `bar background ${bar.bg}`);
  assert.notEqual(bar.bg, 'transparent');
  await context.close();
});

test('a backup restored in one tab reaches another tab whole, and that tab writes nothing of its own meanwhile', async () => {
  const { context, page: a } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await a.goto(url);
  await a.locator('article h1').waitFor();
  await dragSelect(a, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await a.keyboard.press('h');
  await settled(a);
  const mine = (await storedDoc(a, KEY)).data.annotations[0];
  // A backup with another highlight on the sample.
  const theirs = { ...mine, id: '6c656374-6572-4e2d-a76f-6c64656e2d31', note: 'из копии', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z' };
  const backup = {
    format: 'lectern-backup', version: 1, exported: '2026-01-01T00:00:00.000Z',
    library: { articles: [] }, articles: [],
    annotations: {}, settings: {},
  };
  const lib = await a.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library') || 'null'));
  backup.library = lib ? lib.data : { articles: [{ id: 'seed', title: 'x', lang: 'ru', added: '2026-01-01T00:00:00.000Z', words: 1, hash: 'x' }] };
  backup.annotations = { seed: { annotations: [theirs], tombstones: [] } };
  // Tab B restores it from the library.
  const b = await open(context, '#/');
  await b.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const writesInA = await a.evaluateHandle(() => {
    const seen = [];
    const orig = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) { seen.push(k); return orig.call(this, k, v); };
    return seen;
  });
  await b.locator('.library__import .export > summary').click();
  const chooser = b.waitForEvent('filechooser');
  await b.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await chooser).setFiles([{ name: 'b.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(backup)) }]);
  await b.getByRole('status').filter({ hasText: 'Backup restored' }).waitFor();
  // Tab A shows both highlights, without reloading.
  await a.locator('.note-card').nth(1).waitFor();
  assert.equal(await a.locator('.note-card').count(), 2);
  await settled(a);
  assert.deepEqual(await writesInA.jsonValue(), [], 'tab A wrote nothing back: storage already holds both');
  const stored = (await storedDoc(a, KEY)).data.annotations.map((x) => x.note).sort();
  assert.deepEqual(stored, ['', 'из копии']);
  await context.close();
});

test('a pasted note over the 1 MiB limit is not saved: a message with the sizes, and the note saved before stays', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  await dragSelect(page, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  const note = page.getByRole('dialog').getByLabel('Note');
  await note.pressSequentially('короткая');
  const stored = async () => decodeAnnotations(await page.evaluate((k) => localStorage.getItem(k), KEY), 'seed', null)?.data.annotations.map((a) => a.note);
  await page.waitForFunction((k) => (localStorage.getItem(k) || '').includes('короткая'), KEY);
  // A paste of 1.2 MB (600,000 Cyrillic letters, two bytes each in UTF-8).
  await settled(page);
  await note.fill('я'.repeat(600_000));
  const notice = page.locator('.notice[data-notice="note-too-long"]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /This note was not saved: it is 1\.2 MB, and a note can be at most 1\.0 MB/);
  await settled(page);
  assert.deepEqual(await stored(), ['короткая']);
  // Shortened: it saves, and the message goes.
  await note.fill('короче');
  await notice.waitFor({ state: 'detached' });
  await page.waitForFunction((k) => (localStorage.getItem(k) || '').includes('короче'), KEY);
  assert.deepEqual(await stored(), ['короче']);
  assert.deepEqual(page.errors, []);
  await context.close();
});
