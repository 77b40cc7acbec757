// The reader as a person meets it: the sample article, reading settings that survive a
// reload, the interface language, bad storage, a sub-path deployment, accessibility and looks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { suite, newPage, screenshot, DIST, DIST_SUBPATH, SUBPATH, ROOT, SEED_TITLE } from '../lib.mjs';

let server;
let browser;
let url;

suite({ '/': DIST, [SUBPATH]: DIST_SUBPATH }, (s) => ({ server, browser, url } = s));

async function open(options = {}, init) {
  const { context, page } = await newPage(browser, options);
  if (init) await page.addInitScript(init);
  await page.goto(options.url || url);
  await page.locator('article h1').waitFor();
  return { context, page };
}

test('the sample article opens in a reader view', async () => {
  const { context, page } = await open();
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor());
  const article = page.locator('article');
  assert.equal(await article.getAttribute('lang'), 'ru');

  // The seed's lines plus the paragraph breaks lost on copying, without the title and source.
  const paragraphs = page.locator('.reader__body p');
  assert.equal(await paragraphs.count(), 9);
  const texts = await paragraphs.allTextContents();
  const seed = await readFile(join(ROOT, 'assets', 'seed-article-ru.txt'), 'utf8');
  assert.ok(texts[0].startsWith('В условиях продолжающейся динамики'));
  assert.ok(texts.some((t) => t.endsWith('объектов и персонала.')));
  assert.ok(texts.some((t) => t.startsWith('В заключение, российская сторона')));
  assert.ok(texts.some((t) => t.startsWith('Кроме того, в ходе беседы')));
  assert.ok(texts.every((t) => !t.includes('Источник')));
  // Nothing else was lost: every character of the body is in the seed, in order.
  const bodyChars = texts.join('').replace(/\s/g, '');
  const seedChars = seed.split('\n').slice(1).join('').replace('Источник и фото - ria.ru', '').replace(/\s/g, '');
  assert.equal(bodyChars, seedChars);

  // The source line is the article's source, with a safe link.
  const source = page.locator('.reader__source');
  assert.match(await source.innerText(), /Источник и фото:\s+ria\.ru/);
  const link = source.getByRole('link', { name: 'ria.ru' });
  assert.equal(await link.getAttribute('href'), 'https://ria.ru');
  assert.match(await link.getAttribute('rel'), /noopener/);

  // Meta line: words and a reading-time range, in the interface language (English here).
  const meta = await page.locator('.reader__meta').innerText();
  assert.match(meta, /^\d{3} words · 5–7 min read$/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('reading settings apply at once and survive a reload', async () => {
  const { context, page } = await open({ colorScheme: 'light' });
  const html = page.locator('html');
  assert.equal(await html.getAttribute('data-theme'), 'system');
  const before = await page.locator('.reader').evaluate((el) => getComputedStyle(el).fontSize);

  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByLabel('Dark').check();
  await page.getByLabel('Sans').check();
  const size = page.getByLabel('Text size');
  await size.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  // Home goes to the minimum (45ch, 1.2), then step up: 50ch, 1.9.
  await page.getByLabel('Line width').focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.getByLabel('Line spacing').focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');

  assert.equal(await html.getAttribute('data-theme'), 'dark');
  assert.equal(await html.getAttribute('data-font'), 'sans');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(27, 27, 31)');
  const after = await page.locator('.reader').evaluate((el) => getComputedStyle(el).fontSize);
  assert.equal(before, '19px');
  assert.equal(after, '22px');

  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('lectern.v1.settings')));
  assert.equal(stored.version, 1);
  assert.equal(stored.data.theme, 'dark');

  await page.reload();
  await page.locator('article h1').waitFor();
  assert.equal(await html.getAttribute('data-theme'), 'dark');
  assert.equal(await html.getAttribute('data-font'), 'sans');
  const reader = page.locator('.reader');
  assert.equal(await reader.evaluate((el) => getComputedStyle(el).fontSize), '22px');
  assert.equal(await reader.evaluate((el) => getComputedStyle(el).lineHeight), `${22 * 1.9}px`);
  // The measure is 50 "0"-widths of the reader's own font.
  const [width, fiftyCh] = await reader.evaluate((el) => {
    const probe = document.createElement('div');
    probe.style.width = '50ch';
    el.append(probe);
    const w = probe.getBoundingClientRect().width;
    probe.remove();
    return [el.getBoundingClientRect().width, w];
  });
  assert.ok(Math.abs(width - fiftyCh) < 1, `reader ${width}px, 50ch ${fiftyCh}px`);
  await page.getByRole('button', { name: 'Reading settings' }).click();
  assert.equal(await page.getByLabel('Text size').inputValue(), '22');
  assert.ok(await page.getByLabel('Dark').isChecked());
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the theme follows the system until the reader chooses one', async () => {
  const { context, page } = await open({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(27, 27, 31)');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(251, 250, 247)');
  await context.close();
});

test('the panel works from the keyboard and Escape gives focus back', async () => {
  const { context, page } = await open();
  // Tab from the top reaches the settings button (after the skip link and the bar's links).
  const button = page.locator('#settings-button');
  for (let i = 0; i < 10 && !(await button.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await button.evaluate((el) => el === document.activeElement));
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await page.locator('#settings-panel').waitFor({ state: 'detached' });
  assert.ok(await button.evaluate((el) => el === document.activeElement));
  await context.close();
});

test('the interface speaks the browser language and can be switched; the article stays Russian', async () => {
  const ru = await open({ locale: 'ru-RU' });
  await ru.page.getByRole('button', { name: 'Настройки чтения' }).waitFor();
  assert.match(await ru.page.locator('.reader__meta').innerText(), /слов.* · 5–7 мин чтения/);
  assert.equal(await ru.page.locator('html').getAttribute('lang'), 'ru');
  await ru.context.close();

  const { context, page } = await open({ locale: 'en-US' });
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByLabel('Interface language').selectOption('ru');
  await page.getByRole('button', { name: 'Настройки чтения' }).first().waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Настройки чтения' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
  assert.equal(await page.locator('article').getAttribute('lang'), 'ru');
  await context.close();
});

test('garbage in storage: the app opens with defaults, says so, and keeps the old value', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(url);
  await page.evaluate(() => localStorage.setItem('lectern.v1.settings', '{"version":1,"data":{"theme":42'));
  await page.reload();
  await page.locator('article h1').waitFor();
  const notice = page.getByRole('alert');
  await notice.waitFor();
  assert.match(await notice.innerText(), /could not be read/);
  assert.match(await notice.innerText(), /lectern\.v1\.settings\.corrupt\.1/);
  assert.equal(
    await page.evaluate(() => localStorage.getItem('lectern.v1.settings.corrupt.1')),
    '{"version":1,"data":{"theme":42',
  );
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'system');
  // Dismissable, and the reader still works.
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.equal(await page.locator('.reader__body p').count(), 9);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('no storage at all: the app still opens with defaults and says so', async () => {
  const { context, page } = await open({}, () => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /storage is unavailable/);
  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByLabel('Sepia').check();
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'sepia');
  assert.equal(await page.locator('.reader__body p').count(), 9);
  await context.close();
});

test('a build under a sub-path loads its assets from there', async () => {
  const { context, page } = await open({ url: `${server.origin}${SUBPATH}` });
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  const scripts = await page.evaluate(() => [...document.querySelectorAll('script[src], link[href]')].map((e) => e.src || e.href));
  assert.ok(scripts.length > 0);
  for (const s of scripts.filter((s) => !s.startsWith('data:'))) assert.ok(new URL(s).pathname.startsWith(SUBPATH), s);
  assert.equal(await page.locator('.reader__body p').count(), 9);
  // The import worker's files are found under the sub-path too.
  await page.goto(`${server.origin}${SUBPATH}#/`);
  await page.getByRole('button', { name: 'New article' }).click();
  await page.getByLabel('Paste the text of an article').fill('Under a sub-path\nImported through the worker, wherever the app is deployed.');
  await page.getByRole('button', { name: 'Add to library' }).click();
  await page.getByRole('heading', { level: 1, name: 'Under a sub-path' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('phone width: no sideways scrolling, the panel fits', async () => {
  const { context, page } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px too wide`);
  const measure = await page.locator('.reader').evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(measure <= 360 - 24, `reader width ${measure}`);
  await screenshot(page, 'phone-light');
  await page.getByRole('button', { name: 'Reading settings' }).click();
  const box = await page.locator('#settings-panel').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  await screenshot(page, 'phone-settings');
  await page.getByLabel('Dark').check();
  await page.getByRole('button', { name: 'Close' }).click();
  await screenshot(page, 'phone-dark');
  await context.close();
});

test('desktop screenshots, light, sepia and dark', async () => {
  for (const theme of ['light', 'sepia', 'dark']) {
    const { context, page } = await open();
    await page.evaluate((t) => localStorage.setItem('lectern.v1.settings', JSON.stringify({ version: 1, data: { theme: t } })), theme);
    await page.reload();
    await page.locator('article h1').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), theme);
    await screenshot(page, `desktop-${theme}`);
    if (theme === 'light') {
      await page.getByRole('button', { name: 'Reading settings' }).click();
      await screenshot(page, 'desktop-settings');
    }
    await context.close();
  }
});

test('axe-core finds no serious or critical problems (light, dark, settings open)', async () => {
  for (const scheme of ['light', 'dark']) {
    const { context, page } = await open({ colorScheme: scheme });
    await page.getByRole('button', { name: 'Reading settings' }).click();
    await page.locator('#settings-panel').waitFor();
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      [],
      `${scheme} theme`,
    );
    await context.close();
  }
});
