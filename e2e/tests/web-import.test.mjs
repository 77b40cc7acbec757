// One click from the web (issue 16, docs/web-import.md): the bookmarklet offered on "Add from
// the web" brings the page it is clicked on (from another origin) into the reader's Lectern,
// rendered, highlightable, with its address as the source; a hostile page runs nothing in
// Lectern; messages from anywhere but the page that opened Lectern, or about another origin's
// page, are ignored, and a page without this Lectern's token is only added if the reader says
// so. "Share → Lectern" (the manifest's share_target): text is imported; a URL alone is kept
// as a link to fetch, with the reason. Screenshots and axe of the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import {
  startServer, launch, newPage, appReady, dragSelect, blockOf, storedDoc, settled, screenshot, paintedText, waitPainted,
  DIST, DIST_SUBPATH, SUBPATH,
} from '../lib.mjs';

let browser;
let lectern; // the app
let pages; // a second origin: the pages the reader reads
let third; // a third origin
let tmp;

const FILLER = 'The path follows the river for a long way, past locks and meadows, and a walker can go for hours '
  + 'without meeting anyone, which is the whole point of walking it in winter, when the light is low and the water is high.';

const ARTICLE = (title, extra = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} | Second Origin News</title>
<meta name="author" content="Ann Walker"></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>${title}</h1>
<p>${FILLER} Bring the <a href="/guides/kit.html">kit list</a> and read <a href="notes.html">the notes</a>.</p>
<p>At Lechlade the river is narrow enough to jump, and the towpath is soft underfoot. ${FILLER}</p>
<p>Further down, the Thames widens and the boats begin; the path keeps to the bank all the way to the sea. ${FILLER}</p>
${extra}
</article><footer>Footer text that is not the article</footer></body></html>`;

const HOSTILE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A hostile page</title>
<script>window.pagePwned = 1</script>
<meta http-equiv="refresh" content="30;url=javascript:window.pwned='refresh'">
<link rel="stylesheet" href="/evil.css">
</head>
<body onload="window.pwned='body'">
<article><h1>A hostile page</h1>
<p onclick="window.pwned='click'" onmouseover="window.pwned='hover'">Hover and click this paragraph. ${FILLER}</p>
<p>&lt;script&gt;window.pwned='text'&lt;/script&gt; stays text. ${FILLER}</p>
<img src="x" onerror="window.pwned='img'" alt="a broken image">
<p><a href="javascript:window.pwned='link'">a script link</a> and <a href=" JaVaScRiPt:window.pwned='link2'">another</a>
and <a href="data:text/html,<script>window.pwned='data'</script>">a data link</a>. ${FILLER}</p>
<svg onload="window.pwned='svg'"><text>svg text</text></svg>
<iframe src="javascript:parent.pwned='iframe'"></iframe>
<iframe srcdoc="<script>parent.pwned='srcdoc'</script>"></iframe>
<form action="javascript:window.pwned='form'"><button>Go</button></form>
<object data="javascript:window.pwned='object'"></object>
<noscript><p title="</noscript><img src=x onerror=window.pwned='noscript'>"></noscript>
<div style="background:url(javascript:window.pwned='style')">A styled div.</div>
<p><img src="https://127.0.0.1:9/tracker.png" alt="a tracker" width="1" height="1"></p>
<math><mtext><table><mglyph><style><img src=x onerror="window.pwned='mxss'">
</article>
<script>
  // The page itself tries to slip another site's page in after the bookmarklet's.
  addEventListener('message', (e) => {
    if (e.data && e.data.type === 'lectern:ready') {
      setTimeout(() => e.source.postMessage({ type: 'lectern:page', v: 1, token: '', url: 'https://bank.example/', title: 'Your bank', html: '<p>fake</p>' }, '*'), 50);
    }
  });
</script>
</body></html>`;

// A page on a third origin that opens Lectern itself and sends what the test tells it to.
const SENDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Third origin</title></head>
<body><button id="open">Open Lectern</button>
<script>
  window.heard = [];
  document.getElementById('open').onclick = () => {
    window.w = open(document.body.dataset.lectern + '#/receive');
    addEventListener('message', (e) => { if (e.source === window.w) window.heard.push(e.data.type); });
  };
  window.send = (url, title) => window.w.postMessage({ type: 'lectern:page', v: 1, token: '', url, title,
    html: document.body.dataset.page }, '*');
</script></body></html>`;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lectern-web-'));
  for (const d of ['pages', 'third']) await mkdir(join(tmp, d));
  await writeFile(join(tmp, 'pages', 'walk.html'), ARTICLE('Walking the Thames path'));
  await writeFile(join(tmp, 'pages', 'hostile.html'), HOSTILE);
  await writeFile(join(tmp, 'pages', 'evil.css'), 'body { background: url(javascript:window.pwned=1) }');
  await writeFile(join(tmp, 'third', 'sender.html'), SENDER);
  lectern = await startServer({ '/': DIST, [SUBPATH]: DIST_SUBPATH });
  pages = await startServer({ '/': join(tmp, 'pages') });
  third = await startServer({ '/': join(tmp, 'third') });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await Promise.all([lectern, pages, third].map((s) => s?.close()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const app = () => `${lectern.origin}/`;
const stored = (page, key) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || 'null'), key);
const listed = async (page) => (await stored(page, 'lectern.v1.library'))?.data.articles ?? [];

/** Lectern's "Add from the web" page in a new context; its bookmarklet's `href`. */
async function addPage(options = {}) {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 }, ...options });
  await page.goto(`${app()}#/add`);
  await page.getByRole('heading', { level: 1, name: 'Add from the web' }).waitFor();
  const link = page.getByRole('link', { name: 'Add to Lectern' });
  await link.waitFor();
  return { context, page, bookmarklet: await link.getAttribute('href') };
}

/** Click `bookmarklet` on `page` as a bookmark would run it (a javascript: URL run in the
 * page, with a user gesture), and return the tab it opens. */
async function clickBookmarklet(context, page, bookmarklet) {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    a.id = 'the-bookmarklet';
    a.textContent = 'Add to Lectern';
    document.body.prepend(a);
  }, bookmarklet);
  const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#the-bookmarklet')]);
  tab.errors = [];
  tab.on('pageerror', (e) => tab.errors.push(String(e)));
  tab.on('console', (m) => m.type() === 'error' && tab.errors.push(m.text()));
  return tab;
}

test('the bookmarklet brings a page from another origin into Lectern: rendered, highlightable, with its source', async () => {
  const { context, page, bookmarklet } = await addPage();
  // It carries this Lectern's address and runs nothing here if clicked on Lectern's own page.
  assert.match(bookmarklet, /^javascript:/);
  assert.ok(decodeURIComponent(bookmarklet).includes(`const L="${app()}"`), bookmarklet);
  await page.getByRole('link', { name: 'Add to Lectern' }).click();
  await settled(page);
  assert.deepEqual(context.pages().length, 1, 'clicking it on Lectern itself opens nothing');

  const reading = await context.newPage();
  const source = `${pages.origin}/walk.html`;
  await reading.gotoOnly(source); // (not Lectern: no app to wait for)
  const tab = await clickBookmarklet(context, reading, bookmarklet);
  await tab.waitForURL(/#\/a\/[0-9a-f-]+$/, { timeout: 30_000 });
  await appReady(tab);
  const id = tab.url().split('#/a/')[1];
  await tab.getByRole('heading', { level: 1, name: 'Walking the Thames path' }).waitFor();
  const body = await tab.locator('#article .reader__body').innerText();
  assert.ok(body.includes('At Lechlade the river is narrow enough to jump'), body);
  assert.ok(!body.includes('Footer text') && !body.includes('About'), body);
  // Its address is the source, and relative links resolve against it.
  const footer = tab.locator('.reader__source');
  assert.equal(await footer.locator('.reader__source-label').innerText(), 'Source:');
  assert.equal(await footer.getByRole('link').getAttribute('href'), source);
  assert.equal(await tab.getByRole('link', { name: 'kit list' }).getAttribute('href'), `${pages.origin}/guides/kit.html`);
  assert.equal(await tab.getByRole('link', { name: 'the notes' }).getAttribute('href'), `${pages.origin}/notes.html`);
  const entry = (await listed(tab)).find((a) => a.id === id);
  assert.equal(entry.source, '127.0.0.1');
  assert.equal((await stored(tab, `lectern.v1.article.${id}`)).data.source.url, source);

  // Highlightable like any article.
  const block = await blockOf(tab, 'narrow enough to jump');
  await dragSelect(tab, { block, text: 'narrow enough to jump' }, { block, text: 'narrow enough to jump' });
  await tab.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' }).click();
  await waitPainted(tab, 'yellow');
  await settled(tab);
  const doc = await storedDoc(tab, `lectern.v1.annotations.${id}`, id);
  assert.equal(doc.data.annotations[0].target.quote.exact, 'narrow enough to jump');
  await tab.reload();
  assert.equal(await paintedText(tab, 'yellow'), 'narrow enough to jump');
  assert.deepEqual(tab.errors, []);
  await context.close();
});

test('a hostile page runs nothing in Lectern, and its own script cannot slip another page in', async () => {
  const { context, page, bookmarklet } = await addPage();
  await page.close();
  const reading = await context.newPage();
  await reading.gotoOnly(`${pages.origin}/hostile.html`);
  const before = pages.served.length;
  const tab = await clickBookmarklet(context, reading, bookmarklet);
  // Every request the Lectern tab makes, from now on.
  const asked = [];
  tab.on('request', (r) => asked.push(r.url()));
  await tab.waitForURL(/#\/a\/[0-9a-f-]+$/, { timeout: 30_000 });
  await appReady(tab);
  await tab.getByRole('heading', { level: 1, name: 'A hostile page' }).waitFor();
  const article = tab.locator('#article');
  // Hover and click everything the page hoped would run.
  await article.getByText('Hover and click this paragraph').hover();
  await article.getByText('Hover and click this paragraph').click();
  await article.getByText('a script link').click();
  await tab.waitForTimeout(500);
  assert.equal(await tab.evaluate(() => window.pwned), undefined);
  const found = await tab.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('#article *')) {
      if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'SVG', 'STYLE', 'LINK', 'META', 'BASE', 'IMG'].includes(el.tagName.toUpperCase())) bad.push(el.tagName);
      for (const a of el.attributes) {
        if (a.name.startsWith('on') || /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
      }
    }
    return bad;
  });
  assert.deepEqual(found, []);
  const text = await article.innerText();
  assert.ok(text.includes("<script>window.pwned='text'</script> stays text."), text);
  // One page per tab: the page's own later message (another site's page) was not taken.
  assert.equal((await listed(tab)).filter((a) => a.title === 'Your bank').length, 0);
  assert.equal((await listed(tab)).filter((a) => a.title === 'A hostile page').length, 1);
  // The Lectern tab asked nothing of any other origin (the 1-pixel tracker is not even an
  // image here), and the page's server heard nothing more than the page's own loads.
  assert.deepEqual(asked.filter((u) => new URL(u).origin !== lectern.origin), []);
  assert.deepEqual(pages.served.slice(before), []);
  assert.equal(await reading.evaluate(() => window.pagePwned), 1, 'the page ran its own script in its own tab');
  assert.deepEqual(tab.errors, []);
  await context.close();
});

test('only the page that opened Lectern, about its own origin, is heard; without the token the reader decides', async () => {
  const { context, page } = await addPage();
  const articlesBefore = (await listed(page)).length;
  const sender = await context.newPage();
  await sender.gotoOnly(`${third.origin}/sender.html`);
  await sender.evaluate(({ lectern, html }) => {
    document.body.dataset.lectern = lectern;
    document.body.dataset.page = html;
  }, { lectern: app(), html: ARTICLE('Sent by a third origin') });
  const [tab] = await Promise.all([context.waitForEvent('page'), sender.click('#open')]);
  await appReady(tab);
  await tab.getByText('Receiving the page…').waitFor();
  await sender.waitForFunction(() => window.heard.includes('lectern:ready'));

  // A message that is not from the opener (here forged in Lectern's own tab) is not looked at.
  await tab.evaluate(({ origin, html }) => {
    window.dispatchEvent(new MessageEvent('message', {
      data: { type: 'lectern:page', v: 1, token: '', url: `${origin}/walk.html`, title: 'Forged', html }, origin, source: window,
    }));
  }, { origin: pages.origin, html: ARTICLE('Forged') });
  // The opener, on the third origin, claims the second origin's page: ignored.
  await sender.evaluate((url) => window.send(url, 'Claimed'), `${pages.origin}/walk.html`);
  await tab.waitForTimeout(1000);
  assert.equal(await tab.getByText('Receiving the page…').count(), 1);
  assert.equal(await tab.getByRole('alertdialog').count(), 0);
  assert.equal((await listed(tab)).length, articlesBefore);

  // Its own page, but without this Lectern's token (a site that opened Lectern by itself):
  // the reader is asked, and "Don't add" adds nothing.
  await sender.evaluate((url) => window.send(url, 'Sent by a third origin'), `${third.origin}/sender.html`);
  const dialog = tab.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /A page from 127\.0\.0\.1 is waiting to be added: “Sent by a third origin”/);
  await screenshot(tab, 'web-import-confirm');
  const results = await new AxeBuilder({ page: tab }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], 'the question');
  await dialog.getByRole('button', { name: 'Don’t add' }).click();
  await tab.getByText('The page was not added.').waitFor();
  assert.equal((await listed(tab)).length, articlesBefore);
  // Nothing more is taken in this tab.
  await sender.evaluate((url) => window.send(url, 'Again'), `${third.origin}/sender.html`);
  await tab.waitForTimeout(500);
  assert.equal(await tab.getByRole('alertdialog').count(), 0);

  // Opened without a page to receive (a bookmark of the address, a reload): says so.
  const alone = await context.newPage();
  await alone.goto(`${app()}#/receive`);
  await alone.getByText('This tab has no page to receive').waitFor();
  await context.close();
});

test('Share → Lectern: text is imported, once; a URL alone is kept to fetch, with the reason', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  const q = (o) => new URLSearchParams(o).toString();
  await page.goto(`${app()}?${q({ 'share-title': 'Words from a phone', 'share-text': 'Quoted words, shared from another app, long enough to read.\nhttps://news.example/quoted' })}`);
  await page.waitForURL(/#\/a\/[0-9a-f-]+$/);
  await page.getByRole('heading', { level: 1, name: 'Words from a phone' }).waitFor();
  assert.match(await page.locator('#article .reader__body').innerText(), /^Quoted words, shared from another app/);
  assert.equal(await page.locator('.reader__source a').getAttribute('href'), 'https://news.example/quoted');
  assert.equal(await page.evaluate(() => location.search), '', 'the share is taken out of the address');
  await page.reload();
  assert.equal((await listed(page)).filter((a) => a.title === 'Words from a phone').length, 1);

  // A URL alone (as Android's Chrome shares a page: in the text).
  await page.goto(`${app()}?${q({ 'share-title': 'A story', 'share-text': 'https://news.example/story' })}`);
  await page.waitForURL(/#\/add$/);
  const links = page.getByRole('region', { name: 'Links to fetch' });
  await links.waitFor();
  assert.equal(await links.getByRole('link', { name: 'A story' }).getAttribute('href'), 'https://news.example/story');
  const said = await links.innerText();
  assert.match(said, /The link you shared is kept here until you fetch it\./);
  assert.match(said, /Lectern cannot download them: it runs entirely in your browser, with no server of its own, and browsers do not let one site read another site’s pages\. Open each link and click the bookmarklet there\./);
  assert.ok(await page.getByRole('link', { name: 'Add to Lectern' }).isVisible(), 'the bookmarklet is offered');
  await page.goto(`${app()}?${q({ 'share-url': 'https://news.example/other' })}`);
  await page.waitForURL(/#\/add$/);
  await links.getByRole('link', { name: 'https://news.example/other' }).waitFor();
  await page.reload();
  assert.equal(await links.getByRole('listitem').count(), 2);
  await links.getByRole('button', { name: 'Remove: https://news.example/story' }).click();
  await page.reload();
  assert.equal(await links.getByRole('listitem').count(), 1);
  assert.equal((await stored(page, 'lectern.v1.web')).data.toFetch.length, 1);

  // Under a sub-path, the manifest's share target is the deployment's page, and works.
  const sub = `${lectern.origin}${SUBPATH}`;
  const manifest = await (await fetch(`${sub}manifest.webmanifest`)).json();
  assert.deepEqual(manifest.share_target, { action: './', method: 'GET', enctype: 'application/x-www-form-urlencoded', params: { title: 'share-title', text: 'share-text', url: 'share-url' } });
  assert.equal(new URL(manifest.share_target.action, `${sub}manifest.webmanifest`).href, sub);
  await page.goto(`${sub}?${q({ 'share-text': 'Shared under a sub-path, these words become an article.' })}`);
  await page.waitForURL(/#\/a\/[0-9a-f-]+$/);
  assert.match(await page.locator('#article .reader__body').innerText(), /^Shared under a sub-path/);
  const cdp = await context.newCDPSession(page);
  const { errors } = await cdp.send('Page.getAppManifest');
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe-core and screenshots of "Add from the web" (light, dark, phone)', async () => {
  for (const [name, options, theme] of [
    ['web-import-add', { viewport: { width: 1280, height: 900 } }, 'light'],
    ['web-import-add-dark', { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }, 'dark'],
    ['web-import-add-phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, 'light'],
  ]) {
    const { context, page } = await newPage(browser, options);
    await page.goto(`${app()}?share-title=${encodeURIComponent('A long read about rivers, shared from a phone')}&share-url=${encodeURIComponent('https://news.example/rivers/2024/a-long-read')}`);
    await page.waitForURL(/#\/add$/);
    await page.evaluate((t) => localStorage.setItem('lectern.v1.settings', JSON.stringify({ version: 1, data: { theme: t } })), theme);
    await page.reload();
    await page.getByRole('link', { name: 'Add to Lectern' }).waitFor();
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], name);
    await screenshot(page, name);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});
