// Export and import as a person does it: annotate, download Markdown and JSON-LD, back up,
// clear the browser, restore, and import broken and foreign files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { suite, newPage, dragSelect, DIST, SEED_TITLE, settled, paintedTexts, paintedText, paintedCount, waitPainted } from '../lib.mjs';

let server;
let browser;
let url;

suite({ '/': DIST }, (s) => ({ server, browser, url } = s));

async function open() {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  return { context, page };
}

async function downloadFrom(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

/** Two highlights (one with a note and tags) and an article note on the seed article. */
async function annotate(page) {
  await dragSelect(page, { block: 1, text: 'заместитель министра' }, { block: 1, text: 'Михаил Галузин' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('dialog').getByLabel('Note').fill('Кто **провёл** встречу');
  await page.getByRole('dialog').getByLabel('Tags').fill('мид');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await dragSelect(page, { block: 0, text: 'Россия и Азербайджан' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await waitPainted(page, 'green');
  await page.locator('#notes-panel').getByLabel('Article note').fill('Статья о дипломатии');
  await page.locator('h1').click();
}

test('export Markdown and JSON-LD of an annotated article', async () => {
  const { context, page } = await open();
  await annotate(page);
  const panel = page.locator('#notes-panel');
  await panel.getByText('Export', { exact: true }).click();
  const md = await downloadFrom(page, panel.getByRole('button', { name: 'Download Markdown' }));
  assert.match(md.name, /\.md$/);
  const t = md.text;
  assert.ok(t.startsWith(`# ${SEED_TITLE}`), t.slice(0, 200));
  assert.match(t, /ria\.ru/);
  assert.match(t, /Статья о дипломатии/);
  // Document order: the lead's highlight before the second paragraph's.
  const first = t.indexOf('> Россия и Азербайджан');
  const second = t.indexOf('> заместитель министра');
  assert.ok(first > 0 && second > first, `${first} ${second}\n${t}`);
  assert.ok(t.indexOf('Статья о дипломатии') < first, 'article note first');
  assert.match(t, /Кто \*\*провёл\*\* встречу/);
  assert.match(t, /#мид/);
  assert.match(t, /green/i);

  const ld = await downloadFrom(page, panel.getByRole('button', { name: 'Download Web Annotation (JSON-LD)' }));
  const doc = JSON.parse(ld.text);
  assert.equal(doc['@context'], 'http://www.w3.org/ns/anno.jsonld');
  assert.equal(doc.type, 'AnnotationCollection');
  const items = doc.first.items;
  assert.equal(items.length, 3);
  const hl = items.find((a) => JSON.stringify(a).includes('заместитель министра'));
  const selectors = hl.target.selector;
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  const pos = selectors.find((s) => s.type === 'TextPositionSelector');
  assert.equal(quote.exact, 'заместитель министра иностранных дел Российской Федерации Михаил Галузин');
  // Code points into the article text (Cyrillic is one code point a letter).
  const text = await page.evaluate(() => [...document.querySelectorAll('[data-block]')].map((b) => b.textContent).join('\n'));
  assert.equal([...text].slice(pos.start, pos.end).join(''), quote.exact);
  assert.ok(hl.body.some((b) => b.purpose === 'tagging' && b.value === 'мид'));
  assert.ok(hl.body.some((b) => b.format === 'text/markdown'));
  await context.close();
});

test('back up, clear the browser, restore: every highlight and note is back in place', async () => {
  const { context, page } = await open();
  await annotate(page);
  await page.goto(`${url}#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await page.getByText('Export the library').click();
  const backup = await downloadFrom(page, page.getByRole('button', { name: 'Download Full backup (JSON)' }));
  assert.match(backup.name, /^lectern-backup-\d{4}-\d{2}-\d{2}\.json$/);

  await page.evaluate(() => localStorage.clear());
  await page.goto(url);
  await page.locator('article h1').waitFor();
  assert.equal(await paintedCount(page), 0);

  await page.goto(`${url}#/`);
  await page.getByText('Export the library').click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await chooser).setFiles([{ name: backup.name, mimeType: 'application/json', buffer: Buffer.from(backup.text) }]);
  await page.getByRole('status').filter({ hasText: 'Backup restored' }).waitFor();
  assert.match(await page.locator('.export__status').innerText(), /3 added/);

  await page.goto(`${url}#/a/seed`);
  await waitPainted(page, 'green');
  const marks = (await paintedTexts(page)).join('|');
  assert.match(marks, /заместитель министра/);
  assert.match(marks, /Россия и Азербайджан/);
  assert.equal(await page.locator('#notes-panel').getByLabel('Article note').inputValue(), 'Статья о дипломатии');
  assert.match(await page.locator('#notes-panel').innerText(), /Кто провёл встречу/);

  // Restoring the same backup again changes nothing.
  await page.goto(`${url}#/`);
  await page.getByText('Export the library').click();
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await again).setFiles([{ name: backup.name, mimeType: 'application/json', buffer: Buffer.from(backup.text) }]);
  await page.getByRole('status').filter({ hasText: 'nothing changed' }).waitFor();
  await context.close();
});

test('a broken file: a message naming the problem and where; nothing changes', async () => {
  const { context, page } = await open();
  await annotate(page);
  await settled(page);
  const before = await page.evaluate(() => JSON.stringify(localStorage));
  await page.goto(`${url}#/`);
  await page.getByText('Export the library').click();
  const bad = JSON.stringify({ format: 'lectern-backup', version: 1, exported: '2026-01-01T00:00:00Z', library: { articles: [] }, articles: [], annotations: { seed: { annotations: [{ id: 5 }], tombstones: [] } }, settings: {} });
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await chooser).setFiles([{ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(bad) }]);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const msg = await alert.innerText();
  assert.match(msg, /broken\.json: Nothing was imported/);
  assert.match(msg, /annotations/);
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage)), before);

  const chooser2 = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
  await (await chooser2).setFiles([{ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"lectern-backup", oops') }]);
  await page.getByRole('alert').filter({ hasText: 'junk.json' }).waitFor();
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage)), before);
  await context.close();
});

test('Hypothesis-style annotations attach to the open article by their quotes', async () => {
  const { context, page } = await open();
  // Hypothesis API rows: UTF-16 positions, deliberately off; the quote decides.
  const rows = {
    total: 2,
    rows: [
      {
        id: 'hyp1', created: '2025-05-01T10:00:00.000000+00:00', updated: '2025-05-01T10:00:00.000000+00:00',
        text: 'из Hypothesis', tags: ['внешнее'],
        target: [{ source: 'https://ria.ru/x', selector: [
          { type: 'TextPositionSelector', start: 5, end: 10 },
          { type: 'TextQuoteSelector', exact: 'чрезвычайным и полномочным послом', prefix: 'провел важную встречу с ', suffix: ' Азербайджанской Республики' },
        ] }],
      },
      {
        id: 'hyp2', created: '2025-05-01T10:00:00.000000+00:00', updated: '2025-05-01T10:00:00.000000+00:00',
        text: 'потерянная', tags: [],
        target: [{ source: 'https://ria.ru/x', selector: [{ type: 'TextQuoteSelector', exact: 'Этого текста в статье нет и не было никогда.', prefix: '', suffix: '' }] }],
      },
    ],
  };
  const panel = page.locator('#notes-panel');
  await panel.getByText('Export', { exact: true }).click();
  const chooser = page.waitForEvent('filechooser');
  await panel.getByRole('button', { name: 'Import annotations…' }).click();
  await (await chooser).setFiles([{ name: 'hypothesis.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(rows)) }]);
  await panel.getByRole('status').filter({ hasText: 'Annotations imported' }).waitFor();
  assert.match(await panel.locator('.export__status').innerText(), /1 placed exactly, 0 placed approximately .*, 1 could not be placed/);
  await waitPainted(page);
  assert.equal(await paintedText(page), 'чрезвычайным и полномочным послом');
  assert.match(await panel.locator('.orphans').innerText(), /Этого текста в статье нет/);
  await page.reload();
  await waitPainted(page);
  await context.close();
});

test('JSON-LD imported onto a revised copy (the paragraph deleted, a look-alike added elsewhere): an orphan, never painted on the look-alike', async () => {
  const { context, page } = await open();
  // A highlight with a note in the fourth paragraph.
  const block = 3;
  const para = await page.locator(`#article [data-block="${block}"]`).innerText();
  const words = para.split(' ');
  const quote = words.slice(2, 7).join(' ');
  await dragSelect(page, { block, text: quote }, { block, text: quote });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('dialog').getByLabel('Note').fill('заметка к абзацу');
  await page.keyboard.press('Escape');
  await waitPainted(page);
  assert.equal(await paintedText(page), quote);
  const panel = page.locator('#notes-panel');
  await panel.getByText('Export', { exact: true }).click();
  const jsonld = await downloadFrom(page, panel.getByRole('button', { name: 'Download Web Annotation (JSON-LD)' }));

  // The revised copy: that paragraph deleted; a look-alike of it (two words changed, one of
  // them inside the quote) added as the last paragraph.
  const blocks = await page.locator('#article [data-block]').allInnerTexts();
  const title = await page.locator('article h1').innerText();
  const look = [...words];
  look[3] = `${look[3]}ые`;
  look[words.length - 2] = 'другое';
  const revised = [...blocks.slice(0, block), ...blocks.slice(block + 1), look.join(' ')];
  await page.goto(`${url}#/`);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open file…' }).click();
  await (await chooser).setFiles([{ name: 'revised.txt', mimeType: 'text/plain', buffer: Buffer.from(`${title} (revised)\n\n${revised.join('\n\n')}`) }]);
  await page.getByRole('heading', { level: 1, name: `${title} (revised)` }).waitFor();
  assert.equal(await page.locator('#article [data-block]').count(), blocks.length);

  // Import the JSON-LD there: listed as an orphan with its quote and note, nothing painted.
  await panel.getByText('Export', { exact: true }).click();
  const files = page.waitForEvent('filechooser');
  await panel.getByRole('button', { name: 'Import annotations…' }).click();
  await (await files).setFiles([{ name: jsonld.name, mimeType: 'application/ld+json', buffer: Buffer.from(jsonld.text) }]);
  await panel.getByRole('status').filter({ hasText: 'Annotations imported' }).waitFor();
  assert.match(await panel.locator('.export__status').innerText(), /0 placed exactly, 0 placed approximately .*, 1 could not be placed/);
  const orphans = panel.locator('.orphans');
  assert.match(await orphans.innerText(), new RegExp(quote));
  assert.match(await orphans.innerText(), /заметка к абзацу/);
  assert.equal(await paintedCount(page), 0);
  // Still so after a reload: kept, never moved.
  await page.reload();
  await page.locator('article h1').waitFor();
  assert.match(await panel.locator('.orphans').innerText(), new RegExp(quote));
  assert.equal(await paintedCount(page), 0);
  await context.close();
});
