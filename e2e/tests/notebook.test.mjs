// The notebook (#/notes, issue 18) as a person uses it: three articles with highlights in
// several colours and tags; search, filters, grouping, the URL (bookmark, reload), opening a
// highlight in its article, a bulk tag and its undo (also seen by another tab), the keyboard,
// review, live updates from the reader, axe-core, a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { suite, newPage, screenshot, settled, decodeAnnotations, DIST, dragSelect, waitPainted } from '../lib.mjs';
import { storageEntries, threeArticles, articleText } from '../notebook-data.mjs';

let browser;
let url;

suite({ '/': DIST }, (s) => ({ browser, url } = s));

const DATA = threeArticles();
const ARTICLE = Object.fromEntries(DATA.map((d) => [d.article.id, d.article]));

/** A page on the notebook over the three articles (`hash` after `#/notes`). */
async function openNotebook(options = {}, query = '') {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 }, ...options });
  await page.goto(url);
  await page.evaluate((entries) => {
    localStorage.clear();
    for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
  }, storageEntries(DATA));
  await page.goto(`${url}#/notes${query}`);
  await page.reload();
  await page.locator('.nb-card').first().waitFor();
  return { context, page };
}

const cards = (page) => page.locator('.nb-card');
const shownIds = (page) => cards(page).evaluateAll((els) => els.map((e) => e.dataset.annotation));
const groups = (page) => page.locator('.nb-group').evaluateAll((els) => els.map((e) => e.dataset.group));
const search = (page) => page.getByLabel('Search highlights, notes, tags and titles');

/** The decoded stored annotations of `articleId`. */
async function stored(page, articleId) {
  const raw = await page.evaluate((k) => localStorage.getItem(k), `lectern.v1.annotations.${articleId}`);
  return decodeAnnotations(raw, articleId, articleText(ARTICLE[articleId])).data.annotations;
}

test('the notebook lists every highlight and note of the library, grouped by article, newest first', async () => {
  const { context, page } = await openNotebook();
  await page.getByRole('heading', { level: 1, name: 'Notebook' }).waitFor();
  assert.equal(await page.locator('.notebook__count').textContent(), '7 highlights and notes in 3 articles');
  // Articles in the order of their newest entry; each article's entries newest first.
  assert.deepEqual(await groups(page), ['article:mid-1', 'article:garden-1', 'article:elka-1']);
  assert.deepEqual(await shownIds(page), ['m2', 'm1', 'g2', 'g1', 'e-note', 'e2', 'e1']);
  // Every colour, quote, note (Markdown rendered), tag and date.
  const colours = await cards(page).evaluateAll((els) => els.map((e) => e.dataset.color));
  assert.deepEqual(colours, ['yellow', 'purple', 'pink', 'blue', 'note', 'green', 'yellow']);
  const e1 = page.locator('[data-annotation="e1"]');
  assert.equal(await e1.locator('.nb-card__quote-text').innerText(), 'хоровод вокруг ЁЛКИ');
  assert.equal(await e1.locator('.note-view strong').textContent(), 'было');
  assert.equal(await e1.locator('.tag').textContent(), '#праздник');
  assert.equal(await e1.locator('time').textContent(), '2026-03-01');
  assert.equal(await page.locator('[data-annotation="e-note"]').innerText().then((t) => t.includes('Зимняя история')), true);
  // The app bar's link is the current page.
  assert.equal(await page.locator('header.app-bar').getByRole('link', { name: 'Notebook' }).getAttribute('aria-current'), 'page');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('search (Cyrillic-aware), filters and grouping; the URL keeps them and a reload restores the view', async () => {
  const { context, page } = await openNotebook();
  // ё = е, any case, in quotes, notes, tags and titles.
  await search(page).fill('елки');
  assert.deepEqual(await shownIds(page), ['e-note', 'e2', 'e1'], 'the title "Праздник у ёлки"');
  await search(page).fill('ХОРОВОД ВОКРУГ ЕЛКИ');
  assert.deepEqual(await shownIds(page), ['e1']);
  await search(page).fill('весело');
  assert.deepEqual(await shownIds(page), ['e1'], 'a note');
  await search(page).fill('еда');
  assert.deepEqual(await shownIds(page), ['e2'], 'a tag');
  await search(page).fill('');
  assert.equal(await cards(page).count(), 7);

  // Filters: a colour, a tag, "has a note".
  await page.getByRole('button', { name: 'Filters' }).click();
  const filters = page.locator('#nb-filters');
  await filters.getByRole('button', { name: 'Yellow' }).click();
  assert.deepEqual(await shownIds(page), ['m2', 'e1']);
  await filters.getByRole('button', { name: 'Pink' }).click();
  assert.deepEqual(await shownIds(page), ['m2', 'g2', 'e1']);
  await filters.getByRole('button', { name: 'Yellow' }).click();
  await filters.getByRole('button', { name: 'Pink' }).click();
  await filters.getByLabel('Tag').selectOption('праздник');
  assert.deepEqual(await shownIds(page), ['e2', 'e1']);
  await filters.getByLabel('Has a note').check();
  assert.deepEqual(await shownIds(page), ['e1']);
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  assert.equal(await cards(page).count(), 7);
  await filters.getByLabel('From').fill('2026-03-04');
  await filters.getByLabel('To').fill('2026-03-06');
  assert.deepEqual(await shownIds(page), ['m1', 'g2', 'g1']);
  await filters.getByRole('button', { name: 'Clear filters' }).click();

  // Grouping: by tag (an entry in each of its tags' groups, the untagged last), by colour.
  await page.getByLabel('Group by').selectOption('tag');
  assert.deepEqual(await groups(page), ['tag:reading', 'tag:еда', 'tag:политика', 'tag:праздник', 'untagged']);
  assert.deepEqual(
    await page.locator('[data-group="tag:праздник"] .nb-card').evaluateAll((els) => els.map((e) => e.dataset.annotation)),
    ['e2', 'e1'],
  );
  await page.getByLabel('Group by').selectOption('color');
  assert.deepEqual(await groups(page), ['color:yellow', 'color:green', 'color:blue', 'color:pink', 'color:purple', 'article-notes']);
  await page.getByLabel('Order').selectOption('article');
  await page.getByLabel('Group by').selectOption('article');
  assert.deepEqual(await shownIds(page), ['m1', 'm2', 'g1', 'g2', 'e-note', 'e1', 'e2'], 'article order');

  // A bookmarkable view: search, a filter, a grouping, an order.
  const entries = await page.evaluate(() => history.length);
  await search(page).fill('ёлки');
  await page.locator('#nb-filters').getByRole('button', { name: 'Green' }).click();
  await page.getByLabel('Group by').selectOption('tag');
  await page.waitForFunction(() => location.hash.includes('group=tag'));
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#\/notes\?/);
  assert.match(hash, /q=%D1%91%D0%BB%D0%BA%D0%B8/);
  assert.match(hash, /color=green/);
  assert.match(hash, /sort=article/);
  const before = await shownIds(page);
  assert.deepEqual(before, ['e2', 'e2']);
  // Typing and filtering replace the URL: no history entry each.
  assert.equal(await page.evaluate(() => history.length), entries);
  // Reload: the same view.
  await page.reload();
  await cards(page).first().waitFor();
  assert.equal(await search(page).inputValue(), 'ёлки');
  assert.equal(await page.getByLabel('Group by').inputValue(), 'tag');
  assert.equal(await page.getByLabel('Order').inputValue(), 'article');
  assert.equal(await page.locator('#nb-filters').getByRole('button', { name: 'Green' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await shownIds(page), before);
  // A new tab on the bookmarked URL: the same view.
  const other = await context.newPage();
  await other.goto(`${url}${hash}`);
  await other.locator('.nb-card').first().waitFor();
  assert.deepEqual(await shownIds(other), before);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a highlight opens in its article, scrolled to it, with the keyboard cursor on it', async () => {
  const { context, page } = await openNotebook({ viewport: { width: 1280, height: 800 } });
  await page.locator('[data-annotation="m2"]').getByRole('link', { name: 'Open in the article' }).click();
  await page.getByRole('heading', { level: 1, name: 'Встреча в министерстве' }).waitFor();
  assert.match(page.url(), /#\/a\/mid-1\?h=m2$/);
  await page.waitForFunction(() => [...(CSS.highlights.get('lectern-cursor') ?? [])].length === 1);
  const where = await page.evaluate(() => {
    const r = [...CSS.highlights.get('lectern-cursor')][0];
    const rect = r.getBoundingClientRect();
    return { text: r.toString(), top: rect.top, bottom: rect.bottom, height: innerHeight };
  });
  assert.equal(where.text, 'договорились продолжить диалог');
  assert.ok(where.top > 60 && where.bottom < where.height, `in view: ${JSON.stringify(where)}`);
  // The highlight was far down the article: the page scrolled.
  assert.ok((await page.evaluate(() => scrollY)) > 300);
  // Back returns to the notebook as it was.
  await page.goBack();
  await cards(page).first().waitFor();
  assert.equal(await cards(page).count(), 7);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a bulk tag on a filtered set and its undo, written to every article and merged by another tab', async () => {
  const { context, page } = await openNotebook();
  // Another tab reads the "ёлка" article.
  const reader = await context.newPage();
  const readerErrors = [];
  reader.on('pageerror', (e) => readerErrors.push(String(e)));
  reader.on('console', (m) => m.type() === 'error' && readerErrors.push(m.text()));
  await reader.goto(`${url}#/a/elka-1`);
  await reader.locator('#notes-panel .note-card').first().waitFor();

  await page.getByRole('button', { name: 'Filters' }).click();
  await page.locator('#nb-filters').getByRole('button', { name: 'Yellow' }).click();
  assert.deepEqual(await shownIds(page), ['m2', 'e1']);
  const m2Before = (await stored(page, 'mid-1')).find((a) => a.id === 'm2');
  const e1Before = (await stored(page, 'elka-1')).find((a) => a.id === 'e1');
  await page.getByRole('button', { name: 'Change the 2 highlights shown' }).click();
  await page.getByLabel('Tag to add or remove').fill('важное');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('.nb-message').getByText('Tag #важное added to 2 highlights.').waitFor();
  await settled(page);
  // In storage, with their quotes and contexts untouched and a newer time.
  const m2 = (await stored(page, 'mid-1')).find((a) => a.id === 'm2');
  const e1 = (await stored(page, 'elka-1')).find((a) => a.id === 'e1');
  assert.deepEqual(m2.tags, ['важное']);
  assert.deepEqual(e1.tags, ['праздник', 'важное']);
  assert.deepEqual(m2.target, m2Before.target);
  assert.deepEqual(e1.target, e1Before.target);
  assert.ok(m2.modified > m2Before.modified);
  // Others are untouched.
  assert.deepEqual((await stored(page, 'elka-1')).find((a) => a.id === 'e2').tags, ['еда', 'праздник']);
  // Shown here, and in the other tab's panel (it merged the storage event).
  assert.equal(await page.locator('[data-annotation="e1"] .tag').count(), 2);
  await reader.locator('#notes-panel [data-annotation] .tag', { hasText: '#важное' }).waitFor();

  // Undo: every touched annotation as it was, written with a newer time (so merges agree).
  await page.locator('.nb-message').getByRole('button', { name: 'Undo' }).click();
  await page.locator('.nb-message').getByText('Undone: 2 highlights restored.').waitFor();
  await settled(page);
  const m2After = (await stored(page, 'mid-1')).find((a) => a.id === 'm2');
  const e1After = (await stored(page, 'elka-1')).find((a) => a.id === 'e1');
  assert.deepEqual(m2After.tags, m2Before.tags);
  assert.deepEqual(e1After.tags, e1Before.tags);
  assert.ok(e1After.modified > e1.modified, 'newer than the change it undoes');
  await reader.waitForFunction(() => ![...document.querySelectorAll('#notes-panel .tag')].some((t) => t.textContent === '#важное'));
  // Redo with the keyboard, undo again with it.
  await page.locator('h1').click();
  await page.keyboard.press('Control+Shift+z');
  await page.locator('[data-annotation="m2"] .tag', { hasText: '#важное' }).waitFor();
  await page.keyboard.press('Control+z');
  await page.locator('[data-annotation="m2"] .tag').waitFor({ state: 'detached' });
  await settled(page);
  assert.deepEqual((await stored(page, 'mid-1')).find((a) => a.id === 'm2').tags, []);

  // Recolour everything shown, then undo.
  await page.getByRole('button', { name: 'Recolour: Blue' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.nb-card').length === 0);
  await settled(page);
  assert.equal((await stored(page, 'elka-1')).find((a) => a.id === 'e1').color, 'blue');
  await page.locator('.nb-message').getByRole('button', { name: 'Undo' }).click();
  await page.locator('[data-annotation="e1"]').waitFor();
  await settled(page);
  assert.equal((await stored(page, 'elka-1')).find((a) => a.id === 'e1').color, 'yellow');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(readerErrors, []);
  await context.close();
});

test('the keyboard: / searches, j and k move, 1–5 recolour, Enter opens', async () => {
  const { context, page } = await openNotebook();
  await page.locator('h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'nb-search');
  await page.keyboard.type('pleasure');
  assert.deepEqual(await shownIds(page), ['g1']);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.annotation), 'g1');
  await search(page).fill('');
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.annotation), 'm1');
  assert.equal(await page.locator('.nb-card--current').getAttribute('data-annotation'), 'm1');
  // 4 = pink.
  await page.keyboard.press('4');
  await page.locator('[data-annotation="m1"][data-color="pink"]').waitFor();
  await settled(page);
  assert.equal((await stored(page, 'mid-1')).find((a) => a.id === 'm1').color, 'pink');
  await page.keyboard.press('Control+z');
  await page.locator('[data-annotation="m1"][data-color="purple"]').waitFor();
  // Enter opens it.
  await page.locator('[data-annotation="m1"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/a\/mid-1\?h=m1$/);
  await page.getByRole('heading', { level: 1, name: 'Встреча в министерстве' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('review: one highlight at a time, oldest first or random, with keys', async () => {
  const { context, page } = await openNotebook();
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
  assert.match(await page.locator('.review__position').textContent(), /^1 of 7$/);
  await page.getByLabel('Order').selectOption('oldest');
  const seen = [];
  for (let i = 0; i < 7; i++) {
    seen.push(await page.locator('.review__card').getAttribute('data-annotation'));
    await page.keyboard.press('j');
  }
  assert.deepEqual(seen, ['e1', 'e2', 'e-note', 'g1', 'g2', 'm1', 'm2']);
  await page.keyboard.press('k');
  assert.equal(await page.locator('.review__card').getAttribute('data-annotation'), 'm1');
  await page.keyboard.press('Escape');
  await page.getByRole('heading', { level: 1, name: 'Notebook' }).waitFor();
  // Random order: each once.
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const random = new Set();
  for (let i = 0; i < 7; i++) {
    random.add(await page.locator('.review__card').getAttribute('data-annotation'));
    await page.getByRole('button', { name: /Next/ }).click().catch(() => {});
  }
  assert.equal(random.size, 7);
  await page.getByRole('button', { name: 'Done' }).click();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a highlight made in the reader is in the notebook at once', async () => {
  const { context, page } = await openNotebook({ viewport: { width: 1400, height: 1200 } });
  await page.goto(`${url}#/a/elka-1`);
  await page.locator('#article').waitFor();
  await dragSelect(page, { block: 2, text: 'зажгли гирлянду' }, { block: 2, text: 'гирлянду' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
  await waitPainted(page, 'pink');
  await page.locator('header.app-bar').getByRole('link', { name: 'Notebook' }).click();
  await page.locator('.nb-card').first().waitFor();
  assert.equal(await cards(page).count(), 8);
  const newest = page.locator('.nb-card').filter({ hasText: 'зажгли гирлянду' });
  assert.equal(await newest.getAttribute('data-color'), 'pink');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('axe-core: no serious or critical problems (list, filters and bulk open, review); light, dark and phone screenshots', async () => {
  for (const [name, options] of [
    ['light', { colorScheme: 'light' }],
    ['dark', { colorScheme: 'dark' }],
    ['phone', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }],
  ]) {
    const { context, page } = await openNotebook(options);
    const check = async (what) => {
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `${name}: ${what}`);
    };
    await screenshot(page, `notebook-${name}`);
    await check('list');
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('button', { name: /^Change the/ }).click();
    await page.getByLabel('Tag to add or remove').fill('x');
    await check('filters and bulk');
    await screenshot(page, `notebook-${name}-open`);
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await check('review');
    await screenshot(page, `notebook-${name}-review`);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('phone width: nothing scrolls sideways, controls are touch-sized, a card opens its article', async () => {
  const { context, page } = await openNotebook({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(await overflow(), 0);
  // The app bar's Notebook link is there (as a sign), as is every other control.
  const link = page.locator('header.app-bar').getByRole('link', { name: 'Notebook' });
  const box = await link.boundingBox();
  assert.ok(box.x + box.width <= 360 && box.height >= 40, JSON.stringify(box));
  await page.getByRole('button', { name: 'Filters' }).tap();
  assert.equal(await overflow(), 0);
  const swatch = await page.locator('#nb-filters').getByRole('button', { name: 'Green' }).boundingBox();
  assert.ok(swatch.width >= 40 && swatch.height >= 40, JSON.stringify(swatch));
  await page.locator('#nb-filters').getByRole('button', { name: 'Green' }).tap();
  assert.deepEqual(await shownIds(page), ['e2']);
  await page.getByRole('button', { name: /^Change the/ }).tap();
  assert.equal(await overflow(), 0);
  for (const b of await page.locator('.notebook__bulk button').all()) {
    const r = await b.boundingBox();
    assert.ok(r.height >= 44 && r.x >= 0 && r.x + r.width <= 360, JSON.stringify(r));
  }
  await page.locator('[data-annotation="e2"]').getByRole('link').tap();
  await page.getByRole('heading', { level: 1, name: 'Праздник у ёлки' }).waitFor();
  assert.equal(await overflow(), 0);
  await screenshot(page, 'notebook-phone-opened');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('with the texts only in IndexedDB (none left in localStorage): export what is shown, and a bulk tag, still read them', async () => {
  const { context, page } = await openNotebook();
  // The app has moved the texts to IndexedDB; drop localStorage's copies, as if the articles
  // had not been opened for long, and start again.
  await page.waitForFunction(() => document.documentElement.dataset.content === 'database');
  await page.evaluate(() => {
    for (const k of Object.keys(localStorage)) if (k.startsWith('lectern.v1.article.')) localStorage.removeItem(k);
  });
  await page.reload();
  await page.locator('.nb-card').first().waitFor();
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lectern.v1.article.'))), []);
  await page.getByRole('button', { name: 'Filters' }).click();
  await page.locator('#nb-filters').getByRole('button', { name: 'Yellow' }).click();
  assert.deepEqual(await shownIds(page), ['m2', 'e1']);
  await page.getByRole('button', { name: 'Change the 2 highlights shown' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.nb-bulk-row', { hasText: 'Export what is shown:' }).getByRole('button', { name: 'Markdown' }).click(),
  ]);
  const md = await readFile(await download.path(), 'utf8');
  assert.match(md, /Праздник у ёлки/);
  assert.match(md, /хоровод вокруг ЁЛКИ/);
  assert.match(md, /Встреча в министерстве/);
  assert.match(md, /договорились продолжить диалог/);
  assert.doesNotMatch(md, /пили чай с пирогами/, 'only what is shown');
  // A bulk tag writes both articles' annotations (their texts read from IndexedDB).
  await page.getByLabel('Tag to add or remove').fill('из-базы');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('.nb-message').getByText('Tag #из-базы added to 2 highlights.').waitFor();
  await settled(page);
  assert.deepEqual((await stored(page, 'mid-1')).find((a) => a.id === 'm2').tags, ['из-базы']);
  assert.deepEqual((await stored(page, 'elka-1')).find((a) => a.id === 'e1').tags, ['праздник', 'из-базы']);
  assert.deepEqual(page.errors, []);
  await context.close();
});
