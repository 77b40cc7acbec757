// The library as a person uses it: paste, open files, drop a file, a Windows-1251 file, bad
// files, duplicates, routes, rename, delete and undo, an XSS page, a full quota.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { suite, newPage, screenshot, dragSelect, blockOf, DIST, ROOT, SEED_TITLE, paintedText, waitPainted } from '../lib.mjs';

let server;
let browser;
let url;
const FIXTURES = join(ROOT, 'e2e', 'fixtures');
const SEED = () => readFile(join(ROOT, 'assets', 'seed-article-ru.txt'), 'utf8');

suite({ '/': DIST }, (s) => ({ server, browser, url } = s));

async function openLibrary(options = {}) {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 }, ...options });
  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  return { context, page };
}

/** Windows-1251 bytes of `text` (Russian letters, Ё/ё, ASCII). */
function cp1251(text) {
  const out = [];
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c >= 0x410 && c <= 0x44f) out.push(c - 0x410 + 0xc0);
    else if (c === 0x401) out.push(0xa8);
    else if (c === 0x451) out.push(0xb8);
    else if (c === 0x2014) out.push(0x97);
    else throw new Error(`no cp1251 for ${ch}`);
  }
  return Buffer.from(out);
}

const items = (page) => page.locator('.library__item');
const report = (page) => page.locator('.import-report');

test('the sample article is in the library; routes open it, reload and back/forward work', async () => {
  const { context, page } = await openLibrary();
  assert.equal(await items(page).count(), 1);
  const item = items(page).first();
  assert.match(await item.innerText(), /ria\.ru · RU · Added .* · \d+ words · 0 highlights · 0 notes/);
  await item.getByRole('link', { name: SEED_TITLE }).click();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.match(page.url(), /#\/a\/seed$/);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('paste an article; pasting it again offers the existing one; delete, undo, rename, search', async () => {
  const { context, page } = await openLibrary();
  // Pasting the sample's text while the sample is listed: same content, so no duplicate.
  await page.getByRole('button', { name: 'New article' }).click();
  await page.getByLabel('Paste the text of an article').fill(await SEED());
  await page.getByRole('button', { name: 'Add to library' }).click();
  await report(page).getByText('is already in the library').waitFor();
  assert.equal(await items(page).count(), 1);
  await report(page).getByRole('link', { name: 'open it' }).click();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.match(page.url(), /#\/a\/seed$/);

  // Delete the sample (allowed), undo, delete again, then paste its text: a new article.
  await page.goto(`${url}#/`);
  await items(page).first().getByRole('button', { name: /^Delete/ }).click();
  assert.equal(await items(page).count(), 0);
  await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  assert.equal(await items(page).count(), 1);
  await items(page).first().getByRole('button', { name: /^Delete/ }).click();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  assert.equal(await items(page).count(), 0, 'a deleted sample stays deleted');

  await page.getByRole('button', { name: 'New article' }).click();
  await page.getByLabel('Paste the text of an article').fill(await SEED());
  await page.getByRole('button', { name: 'Add to library' }).click();
  // One article added: it opens.
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.match(page.url(), /#\/a\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('.reader__body p').count(), 9);

  await page.goto(`${url}#/`);
  await items(page).first().getByRole('button', { name: /^Rename/ }).click();
  await page.getByRole('textbox', { name: 'Rename' }).fill('Заметка о МИД');
  await page.keyboard.press('Enter');
  await items(page).getByRole('link', { name: 'Заметка о МИД' }).waitFor();
  await page.reload();
  await items(page).getByRole('link', { name: 'Заметка о МИД' }).waitFor();
  await page.getByLabel('Search the library').fill('заметка');
  assert.equal(await items(page).count(), 1);
  await page.getByLabel('Search the library').fill('нет такого');
  assert.equal(await items(page).count(), 0);
  // Words from the text, not the title, find the article too (any case, ё = е).
  await page.getByLabel('Search the library').fill('ЗРК PATRIOT');
  assert.equal(await items(page).count(), 1);
  await context.close();
});

test('open a Markdown and an HTML file with the chooser; both render, can be highlighted, survive a reload; nothing runs', async () => {
  const { context, page } = await openLibrary();
  // Every page load starts with the flag at 0; any payload that runs would change it.
  await page.addInitScript(() => { window.__xss = 0; });
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([join(FIXTURES, 'article.md'), join(FIXTURES, 'page.html')]);
  await report(page).getByText('An HTML page about rivers').waitFor();
  await report(page).getByText('Markdown article about reading').waitFor();
  assert.equal(await items(page).count(), 3);

  // Markdown: heading as title, list items, quote, code, emphasis, the safe link only.
  await items(page).getByRole('link', { name: 'Markdown article about reading' }).click();
  await page.getByRole('heading', { level: 1, name: 'Markdown article about reading' }).waitFor();
  const body = page.locator('.reader__body');
  assert.ok((await body.locator('.list-item').count()) >= 3);
  assert.equal(await body.locator('.quote').count(), 1);
  assert.ok((await body.locator('.code-line').count()) >= 1);
  assert.equal(await body.locator('strong').first().textContent(), 'comfortable measure');
  const hrefs = await body.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://example.org/reading']);
  assert.equal(await page.locator('.reader script, .reader img, .reader iframe').count(), 0);
  const mb = await blockOf(page, 'comfortable measure');
  await dragSelect(page, { block: mb, text: 'comfortable measure' }, { block: mb, text: 'real typography' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await waitPainted(page, 'green');

  // HTML: the article without navigation, comments or scripts; metadata; no remote image.
  await page.goto(`${url}#/`);
  await items(page).getByRole('link', { name: 'An HTML page about rivers' }).click();
  await page.getByRole('heading', { level: 1, name: 'An HTML page about rivers' }).waitFor();
  const text = await body.innerText();
  assert.match(text, /Rivers shape the land they cross/);
  assert.match(text, /The Volga, the longest river in Europe/);
  assert.doesNotMatch(text, /Buy cheap watches|Home\s+World|© Example News/);
  assert.equal(await page.locator('.reader img').count(), 0);
  assert.equal(await page.locator('article').getAttribute('lang'), 'en');
  const rb = await blockOf(page, 'Rivers shape');
  await dragSelect(page, { block: rb, text: 'Rivers shape' }, { block: rb, text: 'the land' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
  await waitPainted(page, 'pink');
  await page.getByText('Click here').click().catch(() => {});

  await page.reload();
  await waitPainted(page, 'pink');
  await page.goto(`${url}#/`);
  assert.equal(await items(page).count(), 3);
  assert.match(await items(page).filter({ hasText: 'rivers' }).innerText(), /1 highlights/);
  // Back to it, one more highlight, and straight to the library: the count follows at once.
  await page.goBack();
  await waitPainted(page, 'pink');
  const vb = await blockOf(page, 'The Volga');
  await dragSelect(page, { block: vb, text: 'The Volga' }, { block: vb, text: 'the longest' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await waitPainted(page, 'green');
  await page.getByRole('link', { name: 'Library' }).first().click();
  await items(page).first().waitFor();
  assert.match(await items(page).filter({ hasText: 'rivers' }).innerText(), /2 highlights/);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a Windows-1251 file and a file dropped on the window', async () => {
  const { context, page } = await openLibrary();
  const text = 'Старая кодировка\nЭтот файл сохранён в Windows-1251, как многие русские тексты.Его нужно прочитать правильно — без кракозябр.';
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([{ name: 'old.txt', mimeType: 'text/plain', buffer: cp1251(text) }]);
  await page.getByRole('heading', { level: 1, name: 'Старая кодировка' }).waitFor();
  const paragraphs = await page.locator('.reader__body p').allTextContents();
  assert.deepEqual(paragraphs, [
    'Этот файл сохранён в Windows-1251, как многие русские тексты.',
    'Его нужно прочитать правильно — без кракозябр.',
  ]);

  // Drop a file anywhere on the window (as a file manager drag does).
  await page.goto(`${url}#/`);
  const md = await readFile(join(FIXTURES, 'article.md'), 'utf8');
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content.replace('Markdown article about reading', 'Dropped article')], 'dropped.md', { type: 'text/markdown' }));
    const target = document.querySelector('.library__heading');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, md);
  await page.getByRole('heading', { level: 1, name: 'Dropped article' }).waitFor();
  await page.goto(`${url}#/`);
  assert.equal(await items(page).count(), 3);
  await context.close();
});

test('bad files get a message naming the file and the reason; the library is unchanged', async () => {
  const { context, page } = await openLibrary();
  const before = await page.evaluate(() => localStorage.getItem('lectern.v1.library'));
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj', 'latin1');
  const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([
    { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    { name: 'photo.txt', mimeType: 'text/plain', buffer: png },
    { name: 'paper.html', mimeType: 'text/html', buffer: pdf },
    { name: 'setup.md', mimeType: 'text/markdown', buffer: exe },
    { name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(21 * 1024 * 1024, 0x61) },
    { name: 'no-article.html', mimeType: 'text/html', buffer: await readFile(join(FIXTURES, 'no-article.html')) },
    { name: 'notes.docx', mimeType: 'application/octet-stream', buffer: Buffer.from('PK\x03\x04', 'latin1') },
  ]);
  const r = report(page);
  await r.getByText('no-article.html').waitFor();
  const t = await r.innerText();
  assert.match(t, /empty\.txt — empty file\.|empty\.txt is empty\./);
  assert.match(t, /photo\.txt is not a text file: .*PNG/i);
  assert.match(t, /paper\.html is not a text file: .*PDF/i);
  assert.match(t, /setup\.md is not a text file:/);
  assert.match(t, /huge\.txt is too large/);
  assert.match(t, /no-article\.html has no readable article/);
  assert.match(t, /notes\.docx is not a text file|notes\.docx is not a kind of file/);
  assert.equal(await r.getAttribute('role'), 'alert');
  assert.equal(await page.evaluate(() => localStorage.getItem('lectern.v1.library')), before);
  assert.equal(await items(page).count(), 1);
  await context.close();
});

test('storage full while importing: a clear message, nothing half-written', async () => {
  const { context, page } = await openLibrary();
  await page.evaluate(() => {
    localStorage.setItem('lectern.v1.library', JSON.stringify({ version: 1, data: { articles: [] } }));
  });
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  const keysBefore = await page.evaluate(() => Object.keys(localStorage).sort());
  await page.evaluate(() => {
    let chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 400 && chunk.length > 4; i++) {
      try {
        localStorage.setItem(`filler.${i}`, chunk);
      } catch {
        chunk = chunk.slice(0, chunk.length / 2);
      }
    }
  });
  const big = (await SEED()).repeat(40);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([{ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.from(big) }]);
  await report(page).getByText('big.txt could not be saved').waitFor();
  assert.match(await report(page).innerText(), /storage full/);
  const keysAfter = await page.evaluate(() => Object.keys(localStorage).filter((k) => !k.startsWith('filler.')).sort());
  assert.deepEqual(keysAfter, keysBefore);
  assert.equal(await items(page).count(), 0);
  await context.close();
});

test('library screenshots and axe-core', async () => {
  for (const theme of ['light', 'dark']) {
    const { context, page } = await openLibrary({ colorScheme: theme });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Open file…' }).click();
    await (await chooser).setFiles([join(FIXTURES, 'article.md'), join(FIXTURES, 'page.html')]);
    await report(page).getByText('An HTML page about rivers').waitFor();
    await screenshot(page, `library-${theme}`);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], theme);
    await items(page).getByRole('link', { name: 'Markdown article about reading' }).click();
    await page.getByRole('heading', { level: 1, name: 'Markdown article about reading' }).waitFor();
    await screenshot(page, `markdown-article-${theme}`);
    await context.close();
  }
});

test('Ctrl+V on the library adds the clipboard text; CJK and right-to-left text render and highlight', async () => {
  const { context, page } = await openLibrary();
  const paste = (text) =>
    page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, text);
  await paste('北京的秋天\n北京的秋天特别美丽。天空很高，空气很清新。人们喜欢在公园里散步，看红叶。');
  await page.getByRole('heading', { level: 1, name: '北京的秋天' }).waitFor();
  assert.equal(await page.locator('article').getAttribute('lang'), 'zh');
  const b = await blockOf(page, '天空很高');
  await dragSelect(page, { block: b, text: '天空很高' }, { block: b, text: '天空很高' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await waitPainted(page);
  assert.equal(await paintedText(page), '天空很高');

  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await paste('ירושלים בסתיו\nהעיר העתיקה יפה מאוד בסתיו. האוויר צלול והשמיים כחולים.');
  await page.getByRole('heading', { level: 1, name: 'ירושלים בסתיו' }).waitFor();
  const article = page.locator('article');
  assert.equal(await article.getAttribute('dir'), 'rtl');
  assert.equal(await article.evaluate((el) => getComputedStyle(el).direction), 'rtl');
  await context.close();
});
