// A library of thousands, as a reader lives with it: texts in IndexedDB (moved there from a
// library the previous version kept in localStorage, also when the move is cut short), imports
// until the browser's quota, space freed by deleting, reading positions, read-later states,
// the word search, and a browser without IndexedDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import {
  suite, newPage, screenshot, dragSelect, waitPainted, paintedText, clickPainted, settled, decodeAnnotations,
  DIST, ROOT,
} from '../lib.mjs';

let browser;
let url;
suite({ '/': DIST }, (s) => ({ browser, url } = s));

const NO_SW = { serviceWorkers: 'block' };
const ARTICLE = 'lectern.v1.article.';

/** What the previous version (commit d95b22d) stored: see e2e/make-v1-fixture.mjs. */
const V1 = async () => JSON.parse(await readFile(join(ROOT, 'e2e', 'fixtures', 'v1-localstorage.json'), 'utf8'));

/** A page of the app's origin that is not the app (a 404): storage can be set up from it. */
async function blank(page) {
  await page.gotoOnly(`${url}__blank`);
  // The blank page is a 404 (and so is its icon): expected, not the app's errors.
  await page.waitForTimeout(100);
  page.errors.length = 0;
}

/** Once the app has decided where article texts live (`database` or `local-storage`). */
async function contentReady(page) {
  await page.waitForFunction(() => ['database', 'local-storage'].includes(document.documentElement.dataset.content));
  return page.evaluate(() => document.documentElement.dataset.content);
}

/** Every record in the app's IndexedDB (id → record), without ever creating the database. */
function idbRecords(page) {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'lectern')) return {};
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open('lectern');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    try {
      if (!db.objectStoreNames.contains('articles')) return {};
      const store = db.transaction('articles').objectStore('articles');
      const get = (q) => new Promise((ok, ko) => { q.onsuccess = () => ok(q.result); q.onerror = () => ko(q.error); });
      const [keys, values] = await Promise.all([get(store.getAllKeys()), get(store.getAll())]);
      return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    } finally {
      db.close();
    }
  });
}

const localArticles = (page) => page.evaluate((p) => Object.keys(localStorage).filter((k) => k.startsWith(p)).map((k) => k.slice(p.length)), ARTICLE);

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = 'город река мост дорога утро вечер письмо окно дом ветер снег поле лес книга слово время человек работа вода небо земля свет голос память'.split(' ');
/** A word of its own for article `i`, found in no other: "кварц" and letters for its number. */
const marker = (i) => `кварц${[...String(i)].map((d) => 'абвгдежзик'[d]).join('')}`;
/** A long-read: `chars` characters of paragraphs of ~1,000, the marker word in the first. */
function longText(i, chars = 30000) {
  const r = rng(i + 1);
  const paras = [];
  let n = 0;
  while (n < chars) {
    const words = [];
    let len = 0;
    while (len < 1000) {
      const w = WORDS[Math.floor(r() * WORDS.length)];
      words.push(w);
      len += w.length + 1;
    }
    if (paras.length === 0) words.splice(3, 0, marker(i));
    const p = `${words.join(' ')}.`;
    paras.push(p[0].toUpperCase() + p.slice(1));
    n += p.length;
  }
  return { title: `Статья номер ${i}`, paras };
}

/** Choose `files` ({name, text}) with the library's "Open file…" and wait for the report. */
async function importFiles(page, files) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles(files.map((f) => ({ name: f.name, mimeType: 'text/plain', buffer: Buffer.from(f.text) })));
  if (files.length > 1) await page.locator('.import-report').waitFor();
}

test('a library saved by the previous version: texts move to IndexedDB on first start, verified; every article opens with its highlights and notes, also after a reload', async () => {
  const v1 = await V1();
  const ids = Object.keys(v1).filter((k) => k.startsWith(ARTICLE)).map((k) => k.slice(ARTICLE.length));
  assert.equal(ids.length, 5);
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 }, ...NO_SW });
  await blank(page);
  await page.evaluate((data) => { for (const [k, v] of Object.entries(data)) localStorage.setItem(k, v); }, v1);
  await page.goto(`${url}#/`);
  assert.equal(await contentReady(page), 'database');

  // Every text is in IndexedDB, the same record; localStorage keeps the first paint's few.
  const idb = await idbRecords(page);
  for (const id of ids) assert.equal(idb[id], v1[ARTICLE + id], id);
  const local = await localArticles(page);
  assert.ok(local.length <= 3, String(local));
  assert.ok(local.every((id) => ids.includes(id)));
  // The list, written before excerpts, shows one for every entry.
  await page.locator('.library__item').nth(5).waitFor();
  assert.equal(await page.locator('.library__item .library__excerpt').count(), 6);
  assert.match(await page.locator('.library__item', { hasText: 'Ёжик в тумане' }).innerText(), /Ёжик шёл к медвежонку/);

  // Every article, the sample too, opens with its highlight and note.
  const check = async () => {
    for (const id of [...ids, 'seed']) {
      const doc = decodeAnnotations(v1[`lectern.v1.annotations.${id}`], id, null).data;
      const [a] = doc.annotations;
      await page.evaluate((h) => { location.hash = h; }, `#/a/${id}`);
      await page.locator('#article[aria-busy]').waitFor({ state: 'detached' });
      await page.locator('article .reader__body').waitFor();
      await waitPainted(page, a.color);
      assert.equal(await paintedText(page, a.color), a.target.quote.exact, id);
      if (a.note) {
        await clickPainted(page, a.color);
        assert.equal(await page.getByRole('dialog').getByLabel('Note').inputValue(), a.note);
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'detached' });
      }
    }
  };
  await check();
  await page.reload();
  await contentReady(page);
  await check();
  // Opening moved nothing back: the texts are still in IndexedDB, at most three copies.
  assert.deepEqual(Object.keys(await idbRecords(page)).sort(), [...ids].sort());
  assert.ok((await localArticles(page)).length <= 3);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a move cut short (the page closed again and again while it runs) resumes; no text is ever in neither store', async () => {
  const N = 120;
  const articles = Array.from({ length: N }, (_, i) => ({ id: `big-${i}`, ...longText(i) }));
  const entries = {};
  const list = [];
  for (const a of articles) {
    const blocks = a.paras.map((text) => ({ kind: 'paragraph', text }));
    entries[ARTICLE + a.id] = JSON.stringify({ version: 1, data: { id: a.id, title: a.title, source: null, lang: 'ru', dir: 'ltr', blocks } });
    list.push({ id: a.id, title: a.title, source: null, lang: 'ru', added: '2026-11-01T10:00:00.000Z', words: 4500, hash: `h-${a.id}`, fileName: null });
  }
  entries['lectern.v1.library'] = JSON.stringify({ version: 1, data: { articles: list } });
  const { context, page } = await newPage(browser, NO_SW);
  await blank(page);
  await page.evaluate((data) => { for (const [k, v] of Object.entries(data)) localStorage.setItem(k, v); }, entries);
  const all = articles.map((a) => a.id);
  const states = [];
  for (const ms of [30, 80, 160, 320, 640, 1280]) {
    const tab = await context.newPage();
    await tab.gotoOnly(url);
    await tab.waitForTimeout(ms);
    await tab.close();
    const idb = Object.keys(await idbRecords(page));
    const local = await localArticles(page);
    const missing = all.filter((id) => !idb.includes(id) && !local.includes(id));
    assert.deepEqual(missing, [], `after closing at ${ms} ms`);
    states.push(`${ms} ms: ${idb.length} in IndexedDB, ${local.length} in localStorage`);
  }
  // Then a start that is left to finish: everything moved, every article whole.
  await page.goto(url);
  await contentReady(page);
  const idb = await idbRecords(page);
  assert.deepEqual(Object.keys(idb).sort(), [...all].sort());
  for (const a of articles) assert.equal(idb[a.id], entries[ARTICLE + a.id], a.id);
  assert.ok((await localArticles(page)).length <= 3);
  for (const a of articles.filter((_, i) => i % 7 === 0)) {
    await page.evaluate((h) => { location.hash = h; }, `#/a/${a.id}`);
    await page.getByRole('heading', { level: 1, name: a.title }).waitFor();
    assert.ok((await page.locator('[data-block="0"]').innerText()).includes(marker(Number(a.id.slice(4)))));
  }
  console.log(`# interrupted moves: ${states.join('; ')}`);
  await context.close();
});

test('import until the quota: a clear message, every article opens with its highlights, the list pages, search finds words in texts, deleting frees the space the library reports', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 }, ...NO_SW });
  // A small disk: the site may keep 6 MB (imports then fill it in a few hundred articles).
  await blank(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: 6 * 1024 * 1024 });
  await page.clock.install();
  await page.goto(`${url}#/`);
  await contentReady(page);
  let n = 0;
  let full = null;
  while (!full && n < 1000) {
    const batch = Array.from({ length: 40 }, (_, k) => {
      const a = longText(n + k);
      return { name: `a${n + k}.txt`, text: `${a.title}\n\n${a.paras.join('\n\n')}` };
    });
    await importFiles(page, batch);
    const report = await page.locator('.import-report').innerText();
    const failed = report.split('\n').filter((l) => /could not be saved/.test(l));
    if (failed.length) full = failed[0];
    n += batch.length - failed.length;
    await page.reload();
  }
  assert.ok(full, 'the quota was reached');
  assert.match(full, /storage full/);
  console.log(`# ${n} articles of 30,000 characters fit in a 6 MB quota; then: ${full}`);
  assert.ok(n >= 60, `${n} articles`);

  // The library renders a page of entries, and more as the reader scrolls.
  const total = Number(await page.locator('.library__list').getAttribute('data-total'));
  assert.equal(total, n + 1);
  assert.equal(await page.locator('.library__item').count(), 50);
  await page.locator('.library__more').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('.library__item').length > 50);

  // The word search finds the one article with a word of its text (not its title).
  const k = Math.floor(n / 2);
  // (The first search waits for the word index, built in the background from every text:
  // tens of megabytes here, so the waits allow for a slow, busy machine.)
  const slow = { timeout: 120_000 };
  await page.getByRole('searchbox', { name: 'Search the library' }).fill(marker(k).slice(0, -1));
  await page.waitForFunction(() => document.querySelector('.library__list').dataset.total !== '0', null, slow);
  await page.getByRole('searchbox', { name: 'Search the library' }).fill(marker(k));
  await page.waitForFunction(() => document.querySelector('.library__list').dataset.total === '1', null, slow);
  assert.equal(await page.locator('.library__title').innerText(), `Статья номер ${k}`);
  await page.getByRole('searchbox', { name: 'Search the library' }).fill('');

  // Highlights in some (this works with the disk full: they live in localStorage).
  const ids = await page.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library')).data.articles.map((a) => [a.id, a.title]));
  const marked = ids.filter((_, i) => i % 20 === 3);
  for (const [id] of marked) {
    await page.evaluate((h) => { location.hash = h; }, `#/a/${id}`);
    await page.locator('article [data-block="1"]').waitFor({ timeout: 90_000 }).catch(async (e) => {
      // What the reader saw instead (for a failure's report).
      const seen = await page.evaluate(() => ({
        hash: location.hash,
        content: document.documentElement.dataset.content,
        busy: document.querySelector('#article')?.getAttribute('aria-busy'),
        notices: [...document.querySelectorAll('.notice')].map((n) => n.innerText),
        main: document.querySelector('main')?.innerText.slice(0, 300),
      }));
      throw new Error(`${e.message}\n${JSON.stringify(seen)}\n${page.errors.join('\n')}`);
    });
    const text = await page.locator('[data-block="1"]').innerText();
    const phrase = text.split(' ').slice(2, 5).join(' ');
    await dragSelect(page, { block: 1, text: phrase }, { block: 1, text: phrase });
    await page.keyboard.press('h');
    await waitPainted(page);
    await settled(page);
  }
  // Every article opens (its text whole); the marked ones with their highlight.
  for (const [id, title] of ids) {
    await page.evaluate((h) => { location.hash = h; }, `#/a/${id}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    if (marked.some(([m]) => m === id)) await waitPainted(page);
  }

  // Delete three: after the undo window their space is free, as the library says.
  await page.goto(`${url}#/`);
  const usage = async () => Number(await page.locator('[data-content-bytes]').getAttribute('data-content-bytes'));
  await page.locator('[data-content-bytes]').waitFor();
  const before = await usage();
  assert.ok(before > n * 50_000, `${before} bytes reported for ${n} articles`);
  for (let i = 0; i < 3; i++) {
    await page.locator('.library__item').nth(1).getByRole('button', { name: /^Delete/ }).click();
  }
  await page.clock.fastForward(31_000);
  await page.waitForFunction((b) => Number(document.querySelector('[data-content-bytes]').dataset.contentBytes) < b, before);
  const after = await usage();
  assert.ok(before - after > 3 * 50_000, `${before} → ${after}`);
  assert.equal(Object.keys(await idbRecords(page)).length, n - 3);
  // Space freed: another import fits now.
  const more = longText(5000);
  await importFiles(page, [{ name: 'one-more.txt', text: `${more.title}\n\n${more.paras.join('\n\n')}` }]);
  await page.getByRole('heading', { level: 1, name: more.title }).waitFor();
  await context.close();
});

test('reading position: an article opens where the reader left it (after a reload, at another width), "Back to the start"; progress, finished and archived in the library', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 900 }, ...NO_SW });
  await page.goto(`${url}#/`);
  const a = longText(7, 20000);
  await importFiles(page, [{ name: 'long.txt', text: `${a.title}\n\n${a.paras.join('\n\n')}` }]);
  await page.getByRole('heading', { level: 1, name: a.title }).waitFor();
  const topBlock = () => page.evaluate(() => {
    const bar = document.querySelector('.app-bar').getBoundingClientRect().bottom;
    return Number([...document.querySelectorAll('#article [data-block]')].find((b) => b.getBoundingClientRect().bottom > bar + 8).dataset.block);
  });
  // The reader scrolls with the wheel to the middle, and stops.
  while ((await topBlock()) < 9) await page.mouse.wheel(0, 400);
  // Where the page came to rest (a wheel's scroll may still be moving when the loop ends).
  await page.waitForTimeout(600);
  const at = await topBlock();
  await page.reload();
  await page.waitForFunction((b) => {
    const bar = document.querySelector('.app-bar').getBoundingClientRect().bottom;
    const top = [...document.querySelectorAll('#article [data-block]')].find((el) => el.getBoundingClientRect().bottom > bar + 8);
    return Number(top.dataset.block) === b;
  }, at);
  await page.getByRole('status').filter({ hasText: 'Continuing where you left off' }).waitFor();
  await screenshot(page, 'reading-resumed');
  // At phone width the same text is at the top (a position in the text, not in pixels).
  await page.setViewportSize({ width: 390, height: 800 });
  await page.reload();
  await page.waitForFunction((b) => {
    const bar = document.querySelector('.app-bar').getBoundingClientRect().bottom;
    const top = [...document.querySelectorAll('#article [data-block]')].find((el) => el.getBoundingClientRect().bottom > bar + 8);
    return Math.abs(Number(top.dataset.block) - b) <= 0 && window.scrollY > 0;
  }, at);
  await page.getByRole('button', { name: 'Back to the start' }).click();
  await page.waitForFunction(() => window.scrollY === 0);
  await page.setViewportSize({ width: 1280, height: 900 });

  // The library shows how far the reader got.
  await page.locator('a.brand').click();
  const row = page.locator('.library__item', { hasText: a.title });
  // (Rows are drawn when near the screen (content-visibility): wait for the row's text.)
  await row.filter({ hasText: /\d+% read/ }).waitFor();
  assert.equal(await row.getAttribute('data-status'), 'in-progress');
  // Finished, then archived: out of the main list, in the Archived filter, back again.
  await row.getByRole('button', { name: `Finished: ${a.title}` }).click();
  assert.equal(await row.getAttribute('data-status'), 'finished');
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Finished' }).click();
  assert.equal(await page.locator('.library__item').count(), 1);
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'All' }).click();
  await row.getByRole('button', { name: `Archive: ${a.title}` }).click();
  await page.locator('.library__item', { hasText: a.title }).waitFor({ state: 'detached' });
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Archived' }).click();
  await page.locator('.library__item', { hasText: a.title }).waitFor();
  await page.reload();
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Archived' }).click();
  await page.locator('.library__item', { hasText: a.title }).getByRole('button', { name: `Unarchive: ${a.title}` }).click();
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'All' }).click();
  await page.locator('.library__item', { hasText: a.title }).waitFor();
  // Sorted by title, the sample (М…) comes before "Статья…".
  await page.getByLabel('Sort by').selectOption({ label: 'Title' });
  // (textContent, and waited for: a row off the screen is not rendered (content-visibility),
  // and its innerText is empty — the final CI run read '' there once.)
  await page.waitForFunction(() => /^МИД/.test(document.querySelector('.library__title')?.textContent ?? ''));
  await screenshot(page, 'library-states');
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'library-states-phone-dark');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a browser without IndexedDB: the library keeps working in localStorage, and says why', async () => {
  const { context, page } = await newPage(browser, NO_SW);
  await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true }));
  await page.goto(`${url}#/`);
  assert.equal(await contentReady(page), 'local-storage');
  await page.locator('.notice[data-notice="content-local"]').waitFor();
  assert.match(await page.locator('.notice[data-notice="content-local"]').innerText(), /does not let Lectern use its database/);
  await page.getByRole('button', { name: 'New article' }).click();
  await page.getByLabel('Paste the text of an article').fill('Без базы\n\nЭта статья хранится в localStorage целиком.');
  await page.getByRole('button', { name: 'Add to library' }).click();
  await page.getByRole('heading', { level: 1, name: 'Без базы' }).waitFor();
  const id = page.url().split('/').pop();
  assert.ok((await localArticles(page)).includes(id));
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Без базы' }).waitFor();
  await context.close();
});
