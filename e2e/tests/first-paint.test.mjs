// The first paint (crates/lectern-boot, ADR 0003): the article and its highlights are on
// screen before the app's interface has loaded, and the interface takes them over without a
// jump, a flash or a lost selection. Problems are left to the interface, which reports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  suite, newPage, screenshot, dragSelect, settled, holdApp, appReady, blockOf, DIST, ROOT, SEED_TITLE,
  paintedRanges, paintedText, paintedTexts, waitPainted,
} from '../lib.mjs';

let server;
let browser;
let url;
const KEY = 'lectern.v1.annotations.seed';
// These tests hold back or refuse the app's files with page.route, which cannot see what a
// service worker answers from its cache: no service worker here (offline.test.mjs has it).
const NO_SW = { serviceWorkers: 'block' };

suite({ '/': DIST }, (s) => ({ server, browser, url } = s));

/** What must not change when the interface takes over. */
const geometry = (page) => page.evaluate(() => {
  const rect = (sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return [Math.round(r.top), Math.round(r.left), Math.round(r.width)];
  };
  return {
    scrollY: Math.round(window.scrollY),
    title: rect('.reader__title'),
    body: rect('.reader__body'),
    height: document.documentElement.scrollHeight,
    theme: document.documentElement.dataset.theme,
    font: document.documentElement.dataset.font,
    style: document.documentElement.getAttribute('style'),
  };
});

for (const viewport of [{ width: 1400, height: 1200 }, { width: 390, height: 844 }]) {
  test(`${viewport.width}px: article, highlights and settings show before the interface; the interface takes them over in place`, async () => {
    const { context, page } = await newPage(browser, { viewport, ...NO_SW });
    await page.goto(url);
    // A highlight and a reading setting, saved by the app.
    await dragSelect(page, { block: 1, text: 'Михаил Галузин' }, { block: 1, text: 'Михаил Галузин' });
    await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
    await waitPainted(page, 'green');
    await page.getByRole('button', { name: 'Reading settings' }).click();
    await page.getByLabel('Sans').check();
    await page.keyboard.press('Escape');
    await settled(page);

    // Open it again with the interface held back.
    const fresh = await context.newPage();
    const release = await holdApp(fresh);
    await fresh.gotoOnly(url);
    await fresh.locator('#boot .reader__body [data-block]').first().waitFor();
    assert.equal(await fresh.locator('h1').innerText(), SEED_TITLE);
    assert.equal(await paintedText(fresh, 'green'), 'Михаил Галузин');
    assert.equal(await fresh.locator('html').getAttribute('data-font'), 'sans');
    // Only the article: no buttons yet, and the interface is not up.
    assert.equal(await fresh.locator('#app').count(), 0);
    assert.equal(await fresh.getByRole('button').count(), 0);
    assert.equal(await fresh.locator('html').getAttribute('data-app'), null);
    await screenshot(fresh, `first-paint-${viewport.width}`);

    // The reader scrolls and starts selecting while the interface loads.
    await dragSelect(fresh, { block: 2, text: 'В последние дни' }, { block: 2, text: 'внимание' });
    const selected = await fresh.evaluate(() => getSelection().toString());
    assert.equal(selected, 'В последние дни внимание');
    await fresh.evaluate(() => { window.firstBody = document.querySelector('.reader__body'); });
    const before = await geometry(fresh);
    assert.ok(before.scrollY > 0);

    release();
    await appReady(fresh);
    // The same body element, in the same place; the first paint's leftovers are gone.
    assert.ok(await fresh.evaluate(() => document.querySelector('.reader__body') === window.firstBody));
    assert.equal(await fresh.locator('#boot').count(), 0);
    assert.equal(await fresh.locator('#article').count(), 1);
    assert.deepEqual(await geometry(fresh), before);
    // The highlight is painted by the interface now, on the same text.
    assert.equal(await paintedText(fresh, 'green'), 'Михаил Галузин');
    assert.equal((await paintedRanges(fresh)).length, 1);
    // The selection survived, and can be highlighted.
    assert.equal(await fresh.evaluate(() => getSelection().toString()), selected);
    await fresh.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
    await waitPainted(fresh, 'pink');
    assert.equal(await paintedText(fresh, 'pink'), selected);
    assert.deepEqual(fresh.errors ?? [], []);
    await context.close();
  });
}

test('a corrupt value: no first paint, nothing written; the interface reports it and keeps the raw value', async () => {
  const { context, page } = await newPage(browser, NO_SW);
  await page.goto(url);
  const raw = '{"version":1,"data":{"annotations":[{"id":';
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [KEY, raw]);
  const release = await holdApp(page);
  // The first paint has run (the loader asks for the app after it) and left the page alone.
  // (Listening before the reload: the request can come before the reload resolves.)
  const asked = page.waitForRequest(/\/lectern-[0-9a-f]+\.js$/);
  await page.reloadOnly();
  await asked;
  assert.equal(await page.locator('#boot').count(), 0);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY), raw);
  assert.equal(await page.evaluate((k) => localStorage.getItem(`${k}.corrupt.1`), KEY), null);
  release();
  await appReady(page);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /lectern\.v1\.annotations\.seed\.corrupt\.1/);
  assert.equal(await page.evaluate((k) => localStorage.getItem(`${k}.corrupt.1`), KEY), raw);
  await context.close();
});

test('the library route is left to the interface', async () => {
  const { context, page } = await newPage(browser, NO_SW);
  const release = await holdApp(page);
  const asked = page.waitForRequest(/\/lectern-[0-9a-f]+\.js$/);
  await page.gotoOnly(`${url}#/`);
  await asked;
  assert.equal(await page.locator('#boot').count(), 0);
  assert.equal(await page.locator('article').count(), 0);
  release();
  await appReady(page);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await context.close();
});

test('a long article (over 100 kB): only the blocks near the screen are laid out; a highlight at its end shows in the first paint, and the panel jumps to it', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 900 }, ...NO_SW });
  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  // 300 numbered paragraphs of the sample's text: ~300 kB.
  const seed = (await readFile(join(ROOT, 'assets', 'seed-article-ru.txt'), 'utf8')).split('\n').slice(1, -1).filter(Boolean);
  const lines = ['Длинная статья'];
  for (let i = 0; i < 300; i++) lines.push(`Абзац номер ${i}. ${seed[i % seed.length]}`);
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, lines.join('\n'));
  await page.getByRole('heading', { level: 1, name: 'Длинная статья' }).waitFor();
  const article = page.locator('#article');
  assert.match(await article.getAttribute('class'), /reader--long/);
  assert.equal(await page.locator('[data-block]').last().evaluate((b) => getComputedStyle(b).contentVisibility), 'auto');

  // Highlight the last paragraph's number, far below the first screen.
  const last = await blockOf(page, 'Абзац номер 299.');
  await dragSelect(page, { block: last, text: 'Абзац номер 299' }, { block: last, text: 'Абзац номер 299' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in blue' }).click();
  await waitPainted(page, 'blue');
  assert.equal(await paintedText(page, 'blue'), 'Абзац номер 299');
  await settled(page);

  // The first paint of this article shows the highlight at once.
  const release = await holdApp(page);
  await page.reloadOnly();
  await page.locator('#boot [data-block]').first().waitFor();
  assert.match(await page.locator('#boot #article').getAttribute('class'), /reader--long/);
  assert.equal(await paintedText(page, 'blue'), 'Абзац номер 299');
  release();
  await appReady(page);
  assert.equal(await paintedText(page, 'blue'), 'Абзац номер 299');

  // From the top, the panel's card scrolls to it and puts the cursor on it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('#notes-panel .note-card').first().getByRole('button').first().click();
  await page.waitForFunction(() => document.activeElement?.id === 'article');
  assert.deepEqual(await paintedTexts(page, 'cursor'), ['Абзац номер 299']);
  await page.waitForFunction(() => {
    const [r] = CSS.highlights.get('lectern-cursor');
    const rect = r.getBoundingClientRect();
    return rect.height > 0 && rect.top >= 0 && rect.bottom <= innerHeight;
  });
  await screenshot(page, 'long-article-jump');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('when the app cannot load, the article stays readable and the page says what happened', async () => {
  const { context, page } = await newPage(browser, NO_SW);
  await page.goto(url);
  await dragSelect(page, { block: 1, text: 'Михаил Галузин' }, { block: 1, text: 'Михаил Галузин' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await waitPainted(page, 'green');
  await settled(page);
  await page.route(/\/lectern-[0-9a-f]+\.js$/, (route) => route.abort());
  await page.reloadOnly();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not load completely: you can read the article but not highlight it\. Reload/);
  assert.equal(await page.locator('h1').innerText(), SEED_TITLE);
  assert.equal(await paintedText(page, 'green'), 'Михаил Галузин');
  // The notice sits under the bar, above the article.
  const [barBottom, alertTop, titleTop] = await page.evaluate(() => {
    window.scrollTo(0, 0);
    const top = (sel) => document.querySelector(sel).getBoundingClientRect().top;
    return [document.querySelector('.app-bar').getBoundingClientRect().bottom, top('[role=alert]'), top('h1')];
  });
  assert.ok(barBottom <= alertTop && alertTop < titleTop, `${barBottom} ${alertTop} ${titleTop}`);
  await screenshot(page, 'first-paint-app-failed');
  await context.close();
});
