// "Publish" (issue 18): the open article with its highlights and notes as one web page. The
// file is opened from disk in Chromium with JavaScript disabled: the article, every highlight
// in its colour, every note (in the margin when wide, under the highlight when narrow, in
// print), no script and no request. And the reader's own print stylesheet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite, newPage, screenshot, ARTIFACTS, DIST, dragSelect, waitPainted } from '../lib.mjs';
import { storageEntries, threeArticles } from '../notebook-data.mjs';

let browser;
let url;

suite({ '/': DIST }, (s) => ({ browser, url } = s));

const EXPECTED_BACKGROUND = {
  // The colours of lectern_core::export::jsonld::color_css, as the browser computes them.
  yellow: 'rgba(255, 214, 10, 0.4)',
  green: 'rgba(52, 199, 89, 0.3)',
  blue: 'rgba(10, 132, 255, 0.25)',
  pink: 'rgba(255, 55, 135, 0.25)',
  purple: 'rgba(175, 82, 222, 0.25)',
};

/** Publish article `id` (of the three) with one more highlight (purple, with a hostile
 * note) made in the reader; returns the downloaded file's path and its name. */
async function publish(id) {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1100 }, acceptDownloads: true });
  await page.goto(url);
  const data = threeArticles();
  await page.evaluate((entries) => {
    localStorage.clear();
    for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
  }, storageEntries(data));
  await page.goto(`${url}#/a/${id}`);
  await page.reload();
  await waitPainted(page);
  await dragSelect(page, { block: 2, text: 'Вечером' }, { block: 2, text: 'гирлянду' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('dialog').getByLabel('Note').waitFor();
  await page.keyboard.type('<script>window.__ran = 1</script> <img src="https://example.com/x.png"> и **жирный**');
  await page.getByRole('dialog').getByRole('button', { name: 'Purple' }).click();
  await page.keyboard.press('Escape');
  await page.locator('#notes-panel details.export > summary').click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Web page to share (HTML)' }).click();
  const d = await download;
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, 'published.html');
  await copyFile(await d.path(), path);
  assert.deepEqual(page.errors, []);
  await context.close();
  return { path, name: d.suggestedFilename() };
}

test('the published page, opened from disk with JavaScript off: article, every highlight in its colour, every note, no script, no request', async () => {
  const { path, name } = await publish('elka-1');
  assert.equal(name, 'праздник-у-ёлки.html');
  const html = await readFile(path, 'utf8');
  assert.doesNotMatch(html, /<script/i);
  // (The hostile note's <img src=…> is escaped text: no tag.)
  assert.doesNotMatch(html, /<(img|link|iframe|object|embed|video|audio|source)\b|<[^>]*\ssrc=|url\(/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);

  for (const [width, layout] of [[1400, 'wide'], [380, 'narrow']]) {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    const page = await context.newPage();
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path).href);
    await page.waitForLoadState('load');
    // The article.
    assert.equal(await page.locator('h1').textContent(), 'Праздник у ёлки');
    // The text without the notes and their numbers.
    const body = await page.locator('.body').evaluate((b) => {
      const c = b.cloneNode(true);
      c.querySelectorAll('.note, .ref').forEach((n) => n.remove());
      return c.textContent;
    });
    assert.match(body, /Дети водили хоровод вокруг ЁЛКИ и пели песни\./);
    assert.match(body, /Вечером зажгли гирлянду/);
    // Every highlight, in its colour.
    const marks = await page.locator('mark.hl').evaluateAll((els) =>
      els.map((m) => ({ text: m.textContent, color: m.dataset.color, bg: getComputedStyle(m).backgroundColor, n: m.dataset.h })),
    );
    const byText = Object.fromEntries(marks.map((m) => [m.text, m]));
    assert.equal(byText['хоровод вокруг ЁЛКИ'].color, 'yellow');
    assert.equal(byText['пили чай с пирогами'].color, 'green');
    assert.equal(byText['Вечером зажгли гирлянду'].color, 'purple');
    for (const m of marks) assert.equal(m.bg, EXPECTED_BACKGROUND[m.color], `${m.text}: ${m.bg}`);
    // Every note and tag, visible (the article note too), the hostile one as text.
    const visibleNotes = await page.locator('.note').evaluateAll((els) =>
      els.filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none').map((e) => e.innerText),
    );
    const all = visibleNotes.join('\n');
    for (const want of ['Зимняя история', 'Весело было', '#праздник', '#еда', '<script>window.__ran = 1</script>', 'жирный']) {
      assert.ok(all.includes(want), `${layout}: "${want}" in ${JSON.stringify(visibleNotes)}`);
    }
    // Each highlight's note once (not twice) on screen.
    assert.equal(visibleNotes.filter((t) => t.includes('Весело')).length, 1, layout);
    const note1 = page.locator('.note:visible', { hasText: 'Весело' });
    const mark1 = page.locator('mark.hl', { hasText: 'хоровод вокруг ЁЛКИ' });
    const [nb, mb] = [await note1.boundingBox(), await mark1.boundingBox()];
    if (layout === 'wide') {
      // In the margin, beside its highlight's line.
      assert.ok(nb.x > (await page.locator('.body p').first().boundingBox()).x + 600, `margin: ${JSON.stringify(nb)}`);
      assert.ok(Math.abs(nb.y - mb.y) < 40, `beside: ${JSON.stringify({ nb, mb })}`);
    } else {
      // Under its highlight.
      assert.ok(nb.y > mb.y + mb.height - 1 && nb.y - (mb.y + mb.height) < 100, `under: ${JSON.stringify({ nb, mb })}`);
    }
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    assert.deepEqual(requests.filter((r) => r !== pathToFileURL(path).href), [], 'no request');
    await screenshot(page, `published-${layout}`);
    // Print: notes under their paragraphs, highlights in colour.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.locator('.note').evaluateAll((els) => els.filter((e) => getComputedStyle(e).display !== 'none').length);
    assert.equal(printed, 4, 'the article note and three highlight notes');
    assert.equal(await page.locator('mark.hl').first().evaluate((m) => getComputedStyle(m).printColorAdjust), 'exact');
    await context.close();
  }
});

test('the reader prints the article alone', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['header.app-bar', '#notes-panel', '.listen']) {
    assert.equal(await page.locator(hidden).first().evaluate((e) => getComputedStyle(e).display), 'none', hidden);
  }
  const article = await page.locator('#article').boundingBox();
  assert.ok(article.width > 1000, `full width: ${JSON.stringify(article)}`);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await context.close();
});
