// Highlighting as a person does it: mouse drags, the toolbar, the popover, the panel,
// keyboard shortcuts, undo, reloads, two tabs, broken and full storage, touch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import {
  suite, newPage, storedDoc, screenshot, dragSelect, charPoint, settled, DIST,
  paintedRanges, paintedTexts, paintedText, paintedCount, waitPainted, waitUnpainted, clickPainted,
} from '../lib.mjs';

let server;
let browser;
let url;
const KEY = 'lectern.v1.annotations.seed';

suite({ '/': DIST }, (s) => ({ server, browser, url } = s));

async function open(options = {}) {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 }, ...options });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  return { context, page };
}

const stored = async (page) => {
  await settled(page);
  return storedDoc(page, KEY);
};
const markText = (page) => paintedText(page);

test('drag across two paragraphs → highlight with a note → reload → same text, same note', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 1, text: 'Кроме того, представители МИД РФ' }, { block: 2, text: 'В последние дни внимание' });
  const toolbar = page.getByRole('toolbar', { name: 'Highlight the selection' });
  await toolbar.waitFor();
  await toolbar.getByRole('button', { name: 'Add note' }).click();
  const note = page.getByRole('dialog').getByLabel('Note');
  await note.waitFor();
  assert.ok(await note.evaluate((el) => el === document.activeElement), 'note field focused');
  await page.keyboard.type('Две **части**\nвторая строка');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });

  const text = await markText(page);
  assert.ok(text.startsWith('Кроме того, представители МИД РФ'), text);
  assert.ok(text.endsWith('В последние дни внимание'), text);
  const doc = await stored(page);
  assert.equal(doc.version, 2);
  assert.equal(doc.data.annotations.length, 1);
  const a = doc.data.annotations[0];
  assert.equal(a.note, 'Две **части**\nвторая строка');
  assert.match(a.target.quote.exact, /^Кроме того, представители МИД РФ[^]*\nВ последние дни внимание$/);

  await page.reload();
  await waitPainted(page);
  assert.equal(await markText(page), text);
  await clickPainted(page);
  assert.equal(await page.getByRole('dialog').getByLabel('Note').inputValue(), 'Две **части**\nвторая строка');
  // The panel shows it with its note rendered as Markdown (bold), not as raw text.
  const card = page.locator('#notes-panel .note-card');
  assert.equal(await card.count(), 1);
  assert.equal(await card.locator('strong').textContent(), 'части');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('overlapping highlights stay distinct; recolour, delete, undo, redo', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 0, text: 'Россия и Азербайджан' }, { block: 0, text: 'активный диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await dragSelect(page, { block: 0, text: 'сохраняют' }, { block: 0, text: 'высоком' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await waitPainted(page, 'green');
  // Three runs: yellow only, both (green on top, yellow underline), green only.
  const runs = await paintedRanges(page);
  assert.deepEqual(runs.map((r) => r.style), ['yellow', 'green', 'green'], JSON.stringify(runs));
  assert.deepEqual(await paintedTexts(page, 'under-yellow'), [runs[1].text]);
  assert.ok(runs[1].text.startsWith('сохраняют'), runs[1].text);
  assert.ok(runs[1].text.endsWith('активный диалог'), runs[1].text);
  // Both clickable: the yellow-only part opens the yellow one, which can be recoloured.
  await clickPainted(page);
  const dialog = page.getByRole('dialog');
  assert.equal(await dialog.getByRole('button', { name: 'Yellow' }).getAttribute('aria-pressed'), 'true');
  await dialog.getByRole('button', { name: 'Blue' }).click();
  await waitPainted(page, 'blue');
  assert.equal((await stored(page)).data.annotations.filter((a) => a.color === 'blue').length, 1);
  // The overlap offers the other highlight too.
  await clickPainted(page, null, 1);
  assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Green' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').getByText('Highlight deleted.').waitFor();
  assert.equal((await stored(page)).data.annotations.length, 1);
  assert.equal(await paintedCount(page, 'green'), 0);
  // Undo from the toast brings it back; Ctrl+Z undoes the recolour; Ctrl+Shift+Z redoes it.
  await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  await waitPainted(page, 'green');
  assert.equal((await stored(page)).data.annotations.length, 2);
  await page.locator('h1').click();
  await page.keyboard.press('Control+z');
  await waitUnpainted(page, 'blue');
  assert.ok((await paintedCount(page, 'yellow')) > 0);
  await page.keyboard.press('Control+Shift+z');
  await waitPainted(page, 'blue');
  await page.getByRole('button', { name: 'Undo', exact: true }).first().click();
  await waitUnpainted(page, 'blue');
  await page.getByRole('button', { name: 'Redo' }).click();
  await waitPainted(page, 'blue');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a click opens a highlight only on its own text, to the character', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 0, text: 'активный диалог' }, { block: 0, text: 'уровне' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in blue' }).click();
  await waitPainted(page, 'blue');
  await page.locator('h1').click();
  await page.getByRole('toolbar').waitFor({ state: 'detached' });
  const text = await page.locator('[data-block="0"]').textContent();
  const end = text.indexOf('уровне') + 'уровне'.length;
  const pointer = () => page.evaluate(() => document.getElementById('article').style.cursor);
  // Hovering: the pointer shows over the highlight, not over the full stop after it.
  let p = await charPoint(page, 0, end - 1, true);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(() => document.getElementById('article').style.cursor === 'pointer');
  p = await charPoint(page, 0, end);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(() => document.getElementById('article').style.cursor === '');
  assert.equal(await pointer(), '');
  // The full stop right after the highlight: nothing opens.
  await page.mouse.click(p.x, p.y);
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('dialog').count(), 0);
  // The highlight's last letter, at its right edge: it opens.
  p = await charPoint(page, 0, end - 1, true);
  await page.mouse.click(p.x, p.y);
  await page.getByRole('dialog').waitFor();
  assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Blue' }).getAttribute('aria-pressed'), 'true');
  // The letter before its first one: closes it, opens nothing.
  p = await charPoint(page, 0, text.indexOf('активный') - 2, true);
  await page.mouse.click(p.x, p.y);
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('keyboard: h, n, Tab into the toolbar, j/k, Enter on the cursor, Escape', async () => {
  const { context, page } = await open();
  // Select with the keyboard-equivalent API (no caret browsing in headless), then use keys only.
  const selectWords = (block, text) =>
    page.evaluate(
      ({ block, text }) => {
        const el = document.querySelector(`[data-block="${block}"]`);
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          const i = node.data.indexOf(text);
          if (i >= 0) {
            const r = document.createRange();
            r.setStart(node, i);
            r.setEnd(node, i + text.length);
            getSelection().removeAllRanges();
            getSelection().addRange(r);
            return;
          }
        }
        throw new Error('not found');
      },
      { block, text },
    );
  await selectWords(1, 'заместитель министра');
  await page.getByRole('toolbar').waitFor();
  await page.keyboard.press('h');
  await waitPainted(page);
  await selectWords(3, 'противовоздушной обороны');
  await page.getByRole('toolbar').waitFor();
  // Tab moves into the toolbar; Enter on the second colour highlights in green.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await waitPainted(page, 'green');
  await selectWords(4, 'готовность к дальнейшему');
  await page.getByRole('toolbar').waitFor();
  await page.keyboard.press('n');
  await page.getByRole('dialog').getByLabel('Note').waitFor();
  await page.keyboard.type('по клавишам');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  const doc = await stored(page);
  assert.equal(doc.data.annotations.length, 3);
  assert.ok(doc.data.annotations.some((a) => a.note === 'по клавишам'));
  // `h` used the last colour (green) after choosing green.
  assert.equal(doc.data.annotations.filter((a) => a.color === 'green').length, 2);

  // j/k walk the highlights in document order: the cursor is painted on one (and announced).
  const onCursor = async () => {
    const painted = (await paintedTexts(page, 'cursor')).join('');
    const said = await page.locator('[data-cursor]').textContent();
    assert.equal(said, `Highlight: ${painted}`);
    return painted;
  };
  await page.locator('h1').click();
  await page.keyboard.press('j');
  assert.equal(await onCursor(), 'заместитель министра');
  await page.keyboard.press('j');
  assert.equal(await onCursor(), 'противовоздушной обороны');
  await page.keyboard.press('k');
  assert.equal(await onCursor(), 'заместитель министра');
  // Enter opens the highlight under the cursor; Escape returns focus to the article, cursor kept.
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Yellow' }).getAttribute('aria-pressed'), 'true');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'article');
  assert.equal(await onCursor(), 'заместитель министра');
  await page.keyboard.press('j');
  assert.equal(await onCursor(), 'противовоздушной обороны');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('two tabs adding and editing at once: both sets in both tabs, and after reload', async () => {
  const { context, page: a } = await open();
  const b = await context.newPage();
  await b.goto(url);
  await b.locator('article h1').waitFor();
  await dragSelect(a, { block: 1, text: 'Михаил Галузин' }, { block: 1, text: 'Михаил Галузин' });
  await a.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
  await dragSelect(b, { block: 3, text: 'Patriot' }, { block: 3, text: 'Patriot' });
  await b.getByRole('toolbar').getByRole('button', { name: 'Highlight in purple' }).click();
  // Each tab shows the other's highlight without reloading.
  await waitPainted(a, 'purple');
  await waitPainted(b, 'pink');
  // Concurrent edits of the same annotation from both tabs: the later one wins, nothing lost.
  await clickPainted(a, 'purple');
  await a.getByRole('dialog').getByLabel('Note').fill('из вкладки A');
  await a.keyboard.press('Escape');
  await clickPainted(b, 'pink');
  await b.getByRole('dialog').getByLabel('Tags').fill('мид');
  await b.keyboard.press('Enter');
  await b.keyboard.press('Escape');
  for (const p of [a, b]) {
    await p.reload();
    await waitPainted(p, 'pink');
    await waitPainted(p, 'purple');
  }
  const doc = await stored(a);
  assert.equal(doc.data.annotations.length, 2);
  assert.ok(doc.data.annotations.some((x) => x.note === 'из вкладки A'));
  assert.ok(doc.data.annotations.some((x) => x.tags.includes('мид')));
  await context.close();
});

test('a corrupt value: the app opens, says so, and the raw value is still there', async () => {
  const { context, page } = await open();
  await page.evaluate((k) => localStorage.setItem(k, '{"version":1,"data":{"annotations":[{"id":'), KEY);
  await page.reload();
  await page.locator('article h1').waitFor();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /highlights for this article could not be read/);
  assert.match(await alert.innerText(), /lectern\.v1\.annotations\.seed\.corrupt\.1/);
  assert.equal(
    await page.evaluate((k) => localStorage.getItem(`${k}.corrupt.1`), KEY),
    '{"version":1,"data":{"annotations":[{"id":',
  );
  // The rest works: a new highlight is saved.
  await dragSelect(page, { block: 0, text: 'диалог' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await waitPainted(page);
  assert.equal((await stored(page)).data.annotations.length, 1);
  assert.equal(
    await page.evaluate((k) => localStorage.getItem(`${k}.corrupt.1`), KEY),
    '{"version":1,"data":{"annotations":[{"id":',
  );
  await context.close();
});

test('a full quota: a message, nothing saved before is lost, and the export works', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 0, text: 'Россия' }, { block: 0, text: 'Россия' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await waitPainted(page);
  await settled(page);
  const before = await page.evaluate((k) => localStorage.getItem(k), KEY);
  // Fill the quota with other data.
  await page.evaluate(() => {
    const chunk = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 100; i++) {
      try {
        localStorage.setItem(`filler.${i}`, chunk);
      } catch {
        break;
      }
    }
    let small = 'x'.repeat(4096);
    for (let i = 0; i < 200; i++) {
      try {
        localStorage.setItem(`filler.s${i}`, small);
      } catch {
        small = small.slice(0, small.length / 2);
        if (small.length < 8) break;
      }
    }
  });
  await dragSelect(page, { block: 1, text: 'Мустафаевым' }, { block: 1, text: 'Мустафаевым' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not be saved.*storage is full/is);
  // Still on screen (kept in memory), and what was saved before is intact.
  assert.equal(await paintedCount(page, 'green'), 1);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY), before);
  const [download] = await Promise.all([page.waitForEvent('download'), alert.getByRole('button', { name: 'Download a copy (JSON)' }).click()]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const exported = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(exported.data.annotations.length, 2);
  assert.match(download.suggestedFilename(), /\.json$/);
  await context.close();
});

test('touch: a selection made by touch (Chromium touch emulation) gets the toolbar and a highlight', async () => {
  const { context, page } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = page.locator('[data-block="1"]');
  await p.scrollIntoViewIfNeeded();
  const box = await p.boundingBox();
  // A long press selects a word on touch devices; emulate its result, then tap the toolbar.
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    const el = document.querySelector('[data-block="1"]');
    const node = el.firstChild;
    const r = document.createRange();
    r.setStart(node, 0);
    r.setEnd(node, '21 ноября'.length);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
    el.dispatchEvent(new TouchEvent('touchend', { bubbles: true }));
  });
  const swatch = page.getByRole('toolbar').getByRole('button', { name: 'Highlight in blue' });
  await swatch.waitFor();
  await swatch.tap();
  await waitPainted(page, 'blue');
  assert.equal(await paintedText(page, 'blue'), '21 ноября');
  await context.close();
});

test('the panel: search (Cyrillic, any case), colour and tag filters, jump to the highlight', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 1, text: 'Михаил Галузин' }, { block: 1, text: 'Михаил Галузин' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await dragSelect(page, { block: 6, text: 'киевский режим' }, { block: 6, text: 'киевский режим' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).click();
  await clickPainted(page, 'pink');
  await page.getByRole('dialog').getByLabel('Tags').fill('позиция');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  const panel = page.locator('#notes-panel');
  const cards = panel.locator('.note-card');
  assert.equal(await cards.count(), 2);
  // Document order: Галузин first.
  assert.match(await cards.first().innerText(), /Михаил Галузин/);
  await panel.getByLabel('Search highlights').fill('КИЕВСКИЙ');
  assert.equal(await cards.count(), 1);
  await panel.getByLabel('Search highlights').fill('');
  await panel.getByRole('button', { name: 'Pink' }).click();
  assert.equal(await cards.count(), 1);
  await panel.getByRole('button', { name: 'Pink' }).click();
  await panel.getByLabel('Tags').selectOption('позиция');
  assert.equal(await cards.count(), 1);
  await panel.getByLabel('Tags').selectOption('');
  await page.evaluate(() => window.scrollTo(0, 0));
  await cards.nth(1).getByRole('button').first().click();
  // The jump scrolls the highlight into view, puts the cursor on it and focus on the article.
  await page.waitForFunction(() => document.activeElement?.id === 'article');
  assert.deepEqual(await paintedTexts(page, 'cursor'), ['киевский режим']);
  const inView = await page.evaluate(() => {
    const [r] = CSS.highlights.get('lectern-cursor');
    const rect = r.getBoundingClientRect();
    return rect.top >= 0 && rect.bottom <= innerHeight;
  });
  assert.ok(inView, 'the highlight is scrolled into view');
  // Enter opens it.
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Pink' }).getAttribute('aria-pressed'), 'true');
  await context.close();
});

test('fuzzy placements ask to be checked; orphans are listed and can be re-attached', async () => {
  const { context, page } = await open();
  // Annotations made on another revision of the text: one quote changed (ё→е and a typo),
  // one whose text is gone.
  await page.evaluate((k) => {
    const now = '2026-01-01T00:00:00.000Z';
    const mk = (id, exact, prefix, suffix, note) => ({
      id, articleId: 'seed', color: 'yellow', note, tags: [], created: now, modified: now,
      target: { quote: { type: 'TextQuoteSelector', exact, prefix, suffix }, position: { type: 'TextPositionSelector', start: 0, end: exact.length }, textHash: 'fnv1a64:0000000000000000' },
    });
    localStorage.setItem(k, JSON.stringify({ version: 1, data: { tombstones: [], annotations: [
      mk('11111111-1111-4111-8111-111111111111', 'ущерб, нанесенный территорий и объектам', 'подробно описала ', ' диппредставительства', 'сдвинутая'),
      mk('22222222-2222-4222-8222-222222222222', 'Этого предложения в статье никогда не было, совсем.', 'Какой-то контекст ', ' и ещё', 'потерянная'),
    ] } }));
  }, KEY);
  await page.reload();
  await waitPainted(page, 'fuzzy');
  const panel = page.locator('#notes-panel');
  await panel.getByText('Moved or changed — please check').waitFor();
  const orphans = panel.locator('.orphans');
  assert.match(await orphans.innerText(), /Этого предложения в статье никогда не было/);
  assert.match(await orphans.innerText(), /потерянная/);
  await panel.getByRole('button', { name: 'It’s right' }).click();
  await waitUnpainted(page, 'fuzzy');
  // Re-attach the orphan to a new selection.
  await dragSelect(page, { block: 0, text: 'высоком' }, { block: 0, text: 'уровне' });
  await orphans.getByRole('button', { name: 'Re-attach to selection' }).click();
  await page.waitForFunction(() => !document.querySelector('.orphans'));
  const doc = await stored(page);
  const re = doc.data.annotations.find((a) => a.note === 'потерянная');
  assert.equal(re.target.quote.exact, 'высоком дипломатическом уровне');
  await context.close();
});

test('axe-core: no serious or critical problems with toolbar, popover and panel open; screenshots', async () => {
  for (const theme of ['light', 'dark']) {
    const { context, page } = await open({ viewport: { width: 1400, height: 900 } });
    await page.evaluate((t) => localStorage.setItem('lectern.v1.settings', JSON.stringify({ version: 1, data: { theme: t } })), theme);
    await page.reload();
    await page.locator('article h1').waitFor();
    await dragSelect(page, { block: 0, text: 'Россия и Азербайджан' }, { block: 0, text: 'диалог' });
    await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
    await dragSelect(page, { block: 0, text: 'активный' }, { block: 0, text: 'уровне' });
    await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in blue' }).click();
    await dragSelect(page, { block: 1, text: 'заместитель министра' }, { block: 1, text: 'Михаил Галузин' });
    await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
    await page.keyboard.type('Кто провёл встречу — **важно** для контекста.');
    await page.locator('h1').click();
    await dragSelect(page, { block: 1, text: 'глубокое сожаление' }, { block: 1, text: 'инцидентом' });
    await page.getByRole('toolbar').waitFor();
    await screenshot(page, `highlights-toolbar-${theme}`);
    let results = await new AxeBuilder({ page }).analyze();
    let bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `${theme} toolbar`);
    await page.locator('h1').click();
    await page.getByRole('toolbar').waitFor({ state: 'detached' });
    await clickPainted(page, 'blue', -1);
    await page.getByRole('dialog').waitFor();
    await screenshot(page, `highlights-popover-${theme}`);
    results = await new AxeBuilder({ page }).analyze();
    bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `${theme} popover`);
    await context.close();
  }
});

test('typed text and a new highlight survive an immediate reload; the article note too', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 0, text: 'динамики' }, { block: 0, text: 'отношений' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('dialog').getByLabel('Note').waitFor();
  await page.keyboard.type('не потеряется');
  // No pause, no blur: reload at once.
  await page.reload();
  await waitPainted(page);
  assert.equal((await stored(page)).data.annotations[0].note, 'не потеряется');
  const articleNote = page.locator('#notes-panel').getByLabel('Article note');
  await articleNote.click();
  await page.keyboard.type('О статье в целом');
  await page.reload();
  await page.locator('article h1').waitFor();
  assert.equal(await page.locator('#notes-panel').getByLabel('Article note').inputValue(), 'О статье в целом');
  // A highlight made and the page left in the same moment (its write is queued right after
  // the action) is there after the reload too.
  await dragSelect(page, { block: 2, text: 'В последние дни' }, { block: 2, text: 'внимание' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in pink' }).evaluate((b) => {
    b.click();
    location.reload();
  });
  await page.waitForLoadState('load');
  await waitPainted(page, 'pink');
  assert.equal(await paintedText(page, 'pink'), 'В последние дни внимание');
  await context.close();
});

test('notes are Markdown rendered safely: no script, no javascript: links', async () => {
  const { context, page } = await open();
  await page.evaluate(() => { window.__xss = 0; });
  await dragSelect(page, { block: 0, text: 'диалог' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Add note' }).click();
  const payload = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3) [ok](https://example.org) *em*';
  await page.getByRole('dialog').getByLabel('Note').fill(payload);
  await page.keyboard.press('Escape');
  const card = page.locator('#notes-panel .note-card .note-view');
  await card.waitFor();
  assert.equal(await card.locator('img, script').count(), 0);
  const hrefs = await card.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://example.org']);
  assert.equal(await card.locator('em').textContent(), 'em');
  assert.match(await card.innerText(), /<img src=x onerror=/);
  await card.getByText('click').click();
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await context.close();
});

test('highlights from a newer Lectern open read-only, with an explanation, and are not overwritten', async () => {
  const { context, page } = await open();
  const raw = JSON.stringify({ version: 7, data: { annotations: [], tombstones: [], futureField: true } });
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [KEY, raw]);
  await page.reload();
  await page.locator('article h1').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /newer version of Lectern/);
  await dragSelect(page, { block: 0, text: 'диалог' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  assert.equal(await paintedCount(page), 0);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY), raw);
  await context.close();
});

test('130 highlights: all painted, the panel shows 50 cards and the rest on demand', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 0, text: 'Россия' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  const sample = (await stored(page)).data.annotations[0];
  // 130 overlapping 70-character quotes across the article, stored as another tab would.
  await page.evaluate(({ key, sample }) => {
    const text = [...document.querySelectorAll('#article [data-block]')].map((b) => b.textContent).join('\n');
    const cp = (i) => Array.from(text.slice(0, i)).length;
    const annotations = [];
    for (let i = 0; i < 130; i++) {
      const s = i * 38;
      const e = s + 70;
      annotations.push({
        ...sample,
        id: `bulk-${i}`,
        color: ['yellow', 'green', 'blue', 'pink', 'purple'][i % 5],
        target: {
          ...sample.target,
          quote: { ...sample.target.quote, exact: text.slice(s, e), prefix: text.slice(Math.max(0, s - 32), s), suffix: text.slice(e, e + 32) },
          position: { ...sample.target.position, start: cp(s), end: cp(e) },
        },
      });
    }
    localStorage.setItem(key, JSON.stringify({ version: 1, data: { annotations, tombstones: [] } }));
  }, { key: KEY, sample });
  await page.reload();
  await waitPainted(page);
  const panel = page.locator('#notes-panel');
  await panel.locator('.panel__count').first().filter({ hasText: '130' }).waitFor();
  // Every highlight is painted (the article is one run of overlapping highlights).
  const painted = await page.evaluate(() => ['yellow', 'green', 'blue', 'pink', 'purple'].map((c) => CSS.highlights.get(`lectern-${c}`).size));
  assert.ok(painted.every((n) => n > 0), JSON.stringify(painted));
  const cards = panel.locator('.note-list > .note-card');
  assert.equal(await cards.count(), 50);
  // Clicked where it is: scrolling it into view would reach the panel's end, which loads the
  // next page by itself (tested below) and can take the button away mid-click.
  await panel.getByRole('button', { name: 'Show 50 more (80 not shown)' }).dispatchEvent('click');
  await page.waitForFunction(() => document.querySelectorAll('#notes-panel .note-list > .note-card').length === 100);
  assert.equal(await cards.count(), 100);
  // Scrolling the panel near its end shows the next page by itself.
  await panel.evaluate((p) => p.scrollTo(0, p.scrollHeight));
  await page.waitForFunction(() => document.querySelectorAll('#notes-panel .note-list > .note-card').length === 130);
  assert.equal(await panel.getByRole('button', { name: /more/ }).count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a browser without the CSS Custom Highlight API: highlights are kept, listed and explained', async () => {
  // A browser that lacks Highlight (Firefox before 140, say).
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(() => {
    delete window.Highlight;
  });
  await page.goto(url);
  await page.locator('article h1').waitFor();
  assert.equal(await page.getByRole('status').filter({ hasText: 'cannot show highlights' }).count(), 0);
  await dragSelect(page, { block: 0, text: 'Россия' }, { block: 0, text: 'диалог' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await page.getByRole('status').filter({ hasText: 'cannot show highlights' }).waitFor();
  assert.equal(await page.locator('#notes-panel .note-card').count(), 1);
  assert.equal(await page.evaluate(() => CSS.highlights.size), 0);
  assert.equal((await stored(page)).data.annotations.length, 1);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('phone width: the notes panel is a drawer', async () => {
  const { context, page } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const panel = page.locator('#notes-panel');
  assert.equal(await panel.isVisible(), false);
  await page.getByRole('button', { name: /^Notes/ }).click();
  await panel.getByLabel('Article note').waitFor();
  const box = await panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  await screenshot(page, 'phone-panel');
  await panel.getByRole('button', { name: 'Close' }).click();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('#notes-panel')).visibility === 'hidden');
  await context.close();
});
