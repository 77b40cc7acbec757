// Articles' images (issue 16, docs/web-import.md): an imported page records its images
// (https only) and shows placeholders with their captions; no request reaches the images'
// origin until "Show images"; then they appear (no referrer, lazily) and the service worker
// keeps those it may read for offline reading, within the budget the library shows; offline
// they are still shown. Highlights across an image keep their offsets. Screenshots and axe.
//
// The images' origin is a second local server on https: a certificate made for the test with
// openssl, and Chromium told to accept it (`--ignore-certificate-errors`), so the https-only
// rule is the one a real deployment meets, with nothing relaxed in the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync, crc32 } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import {
  startServer, launch, newPage, appReady, dragSelect, blockOf, storedRaw, decodeAnnotations, settled, screenshot, DIST,
} from '../lib.mjs';

const run = promisify(execFile);

let browser;
let lectern;
let plain; // an http origin: its image must never be asked for
let images; // the https origin of the images
let imagesOrigin;
const heard = []; // every request the image server received
let tmp;

/** A PNG of `w`×`h` pixels in stripes of two colours. */
function png(w, h, a, b) {
  const row = w * 3 + 1;
  const raw = Buffer.alloc(row * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = (Math.floor(x / 16) + Math.floor(y / 16)) % 2 ? a : b;
      raw.set(c, y * row + 1 + x * 3);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const PICTURES = {
  // Readable across origins (Access-Control-Allow-Origin): kept for offline reading.
  '/cors/lock.png': { body: png(480, 320, [40, 90, 160], [220, 230, 240]), cors: true },
  '/cors/meadow.png': { body: png(400, 300, [60, 140, 70], [235, 240, 220]), cors: true },
  // Not readable across origins: shown online, not kept.
  '/plain/bridge.png': { body: png(320, 240, [150, 90, 40], [240, 230, 215]), cors: false },
};

const FILLER = 'The path follows the river past locks and meadows, and a walker can go for hours without '
  + 'meeting anyone, which is the whole point of walking it in winter, when the light is low.';

const PAGE = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Locks of the upper Thames</title>
<link rel="canonical" href="https://photos.example/essays/locks"></head>
<body><article><h1>Locks of the upper Thames</h1>
<p>Before the first lock, a sentence to highlight across the picture. ${FILLER}</p>
<figure><img src="${imagesOrigin}/cors/lock.png" alt="A lock gate, half open" width="480" height="320">
<figcaption>St John’s Lock, the highest on the river.</figcaption></figure>
<p>After the lock the river bends. ${FILLER}</p>
<figure><img src="${imagesOrigin}/cors/meadow.png" alt="" width="400" height="300"><figcaption>Meadows below Lechlade.</figcaption></figure>
<p>The bridge is older than the lock. ${FILLER}</p>
<figure><img src="${imagesOrigin}/plain/bridge.png" alt="A stone bridge" width="320" height="240"><figcaption>Halfpenny Bridge.</figcaption></figure>
<p>An image over plain http is never recorded: <img src="${plain.origin}/never.png" alt="Not over https" width="200" height="100"></p>
<p>The end of the walk, for now. ${FILLER}</p>
</article></body></html>`;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lectern-images-'));
  const [key, cert] = [join(tmp, 'key.pem'), join(tmp, 'cert.pem')];
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  images = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    const path = new URL(req.url, 'https://x').pathname;
    heard.push({ path, referer: req.headers.referer, cookie: req.headers.cookie, origin: req.headers.origin, mode: req.headers['sec-fetch-mode'] });
    const picture = PICTURES[path];
    if (!picture) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store', ...(picture.cors ? { 'access-control-allow-origin': '*' } : {}) });
    res.end(picture.body);
  });
  await new Promise((ok) => images.listen(0, '127.0.0.1', ok));
  imagesOrigin = `https://127.0.0.1:${images.address().port}`;
  lectern = await startServer({ '/': DIST });
  plain = await startServer({ '/': tmp });
  browser = await launch(['--ignore-certificate-errors']);
});

after(async () => {
  await browser?.close();
  await lectern?.close();
  await plain?.close();
  await new Promise((ok) => (images ? images.close(ok) : ok()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const controlled = (page) => page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
const placeholders = (page) => page.locator('#article figure.image');
const shownImages = (page) => page.locator('#article figure.image img');
/** Every image in the article has finished loading (or failed). */
const settledImages = (page) => page.waitForFunction(() => [...document.querySelectorAll('#article figure.image img')].every((i) => i.complete));
const loaded = (page) => page.evaluate(() => [...document.querySelectorAll('#article figure.image')].map((f) => {
  const img = f.querySelector('img');
  return { src: f.dataset.src, shown: !!img && img.complete && img.naturalWidth > 0, failed: f.classList.contains('image--failed') };
}));
const keptCount = (page) => page.evaluate(async () => ((await caches.has('lectern-images-v1')) ? (await (await caches.open('lectern-images-v1')).keys()).length : 0));

/** Import the test page as a saved file, in the library. */
async function importPage(page) {
  await page.goto(`${lectern.origin}/#/`);
  await page.getByRole('heading', { level: 1, name: 'Your articles' }).waitFor();
  await page.locator('#file-input').setInputFiles({ name: 'locks.html', mimeType: 'text/html', buffer: Buffer.from(PAGE()) });
  await page.waitForURL(/#\/a\/[0-9a-f-]+$/);
  await page.getByRole('heading', { level: 1, name: 'Locks of the upper Thames' }).waitFor();
  return page.url().split('#/a/')[1];
}

test('no request reaches the images\' origin until "Show images"; then they appear and are kept for offline reading', async () => {
  const opened = await newPage(browser, { viewport: { width: 1280, height: 1100 } });
  const { context } = opened;
  let { page } = opened;
  await page.goto(`${lectern.origin}/`);
  await controlled(page);
  const id = await importPage(page);

  // Placeholders with their captions, https images only; nothing asked of the image server,
  // even with every placeholder scrolled into view and after a reload.
  assert.equal(await placeholders(page).count(), 3);
  assert.equal(await shownImages(page).count(), 0);
  const captions = await page.locator('#article figure.image + .figure').allInnerTexts();
  assert.deepEqual(captions, ['A lock gate, half open', 'Meadows below Lechlade.', 'A stone bridge']);
  assert.ok((await page.locator('#article .reader__body').innerText()).includes('Halfpenny Bridge.'));
  assert.match(await page.locator('.images-bar').innerText(), /This article has 3 images from 127\.0\.0\.1\. Nothing is loaded from there unless you ask\./);
  for (let i = 0; i < 3; i++) await placeholders(page).nth(i).scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await page.reload();
  await page.waitForTimeout(500);
  assert.deepEqual(heard, [], 'no request before "Show images"');
  await screenshot(page, 'images-placeholders');

  await page.getByRole('button', { name: 'Show images' }).click();
  for (let i = 0; i < 3; i++) await placeholders(page).nth(i).scrollIntoViewIfNeeded();
  await settledImages(page);
  const imgs = await page.evaluate(() => [...document.querySelectorAll('#article figure.image img')].map((i) => ({ referrerpolicy: i.getAttribute('referrerpolicy'), loading: i.getAttribute('loading'), alt: i.alt })));
  assert.deepEqual(imgs.map((i) => [i.referrerpolicy, i.loading]), [['no-referrer', 'lazy'], ['no-referrer', 'lazy'], ['no-referrer', 'lazy']]);
  // The alt text is the text block under the image (read once), so the image's own is empty.
  assert.deepEqual(imgs.map((i) => i.alt), ['', '', '']);
  assert.deepEqual((await loaded(page)).map((l) => l.shown), [true, true, true]);
  // What reached the image server: the three pictures, without a referrer or cookies.
  const paths = [...new Set(heard.map((h) => h.path))].sort();
  assert.deepEqual(paths, ['/cors/lock.png', '/cors/meadow.png', '/plain/bridge.png']);
  assert.deepEqual(heard.filter((h) => h.referer || h.cookie), []);
  assert.equal(plain.served.length, 0, 'the http image was never asked for');
  // Kept: the two it may read; the space shows in the library.
  await page.waitForFunction(async () => (await (await caches.open('lectern-images-v1')).keys()).length === 2);
  assert.equal(await keptCount(page), 2);
  await screenshot(page, 'images-shown');
  await page.goto(`${lectern.origin}/#/`);
  const usage = page.locator('[data-images-bytes]');
  await usage.waitFor();
  const bytes = Number(await usage.getAttribute('data-images-bytes'));
  assert.equal(bytes, PICTURES['/cors/lock.png'].body.length + PICTURES['/cors/meadow.png'].body.length);
  assert.match(await usage.innerText(), /Images kept for offline reading: .* in 2 images \(at most 50 MB; the oldest go first\)\./);

  // Offline, the reader's choice and the kept images are still there; the one that could not
  // be kept says so, honestly.
  // (In a new tab: a document of its own, with nothing of the first one's in memory.)
  const heardOnline = heard.length;
  const errors = page.errors;
  await page.close();
  await context.setOffline(true);
  page = await context.newPage();
  await page.goto(`${lectern.origin}/#/a/${id}`);
  await appReady(page);
  for (let i = 0; i < 3; i++) await placeholders(page).nth(i).scrollIntoViewIfNeeded();
  await settledImages(page);
  const offline = await loaded(page);
  assert.deepEqual(offline.map((l) => [l.shown, l.failed]), [[true, false], [true, false], [false, true]]);
  assert.equal(await page.locator('#article figure.image--failed').getAttribute('data-failed'), 'The image could not be loaded.');
  assert.equal(heard.length, heardOnline);
  await screenshot(page, 'images-offline');
  await context.setOffline(false);
  page.errors = errors;

  // A highlight across a picture: offsets count the text alone.
  const from = await blockOf(page, 'a sentence to highlight across');
  const to = await blockOf(page, 'After the lock the river bends');
  await dragSelect(page, { block: from, text: 'a sentence to highlight across' }, { block: to, text: 'After the lock' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await settled(page);
  const { raw, text } = await storedRaw(page, `lectern.v1.annotations.${id}`);
  const t = decodeAnnotations(raw, id, text).data.annotations[0].target;
  const start = text.indexOf('a sentence to highlight across');
  const end = text.indexOf('After the lock') + 'After the lock'.length;
  assert.equal(t.quote.exact, text.slice(start, end));
  assert.deepEqual([t.position.start, t.position.end], [Array.from(text.slice(0, start)).length, Array.from(text.slice(0, end)).length]);
  assert.ok(t.quote.exact.includes('A lock gate, half open\nSt John’s Lock, the highest on the river.\n'), t.quote.exact);

  // "Never": the images go, and nothing more is asked.
  await page.locator('#settings-button').click();
  await page.getByRole('radio', { name: 'Never' }).check();
  await page.locator('.images-bar[data-images="off"]').waitFor();
  assert.equal(await shownImages(page).count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('"Always" loads as the article is read; "Remove kept images" empties the cache; axe and screenshots', async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await page.goto(`${lectern.origin}/`);
  await controlled(page);
  await page.evaluate(() => localStorage.setItem('lectern.v1.settings', JSON.stringify({ version: 1, data: { images: 'always' } })));
  await page.reload();
  await importPage(page);
  await placeholders(page).first().scrollIntoViewIfNeeded();
  await page.locator('#article figure.image--loaded').first().waitFor();
  assert.equal(await page.locator('.images-bar').count(), 0);
  await page.waitForFunction(async () => (await caches.keys()).includes('lectern-images-v1'));
  await page.goto(`${lectern.origin}/#/`);
  await page.locator('[data-images-bytes]').waitFor();
  await page.getByRole('button', { name: 'Remove kept images' }).click();
  await page.locator('[data-images-bytes]').waitFor({ state: 'detached' });
  assert.equal(await keptCount(page), 0);
  await context.close();

  // Placeholders (light, dark, phone): axe finds nothing serious.
  for (const [name, options, theme] of [
    ['images-placeholders-light', { viewport: { width: 1280, height: 1000 } }, 'light'],
    ['images-placeholders-dark', { viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' }, 'dark'],
    ['images-placeholders-phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, 'light'],
  ]) {
    const { context, page } = await newPage(browser, options);
    await page.goto(`${lectern.origin}/`);
    await page.evaluate((t) => localStorage.setItem('lectern.v1.settings', JSON.stringify({ version: 1, data: { theme: t } })), theme);
    await page.reload();
    await importPage(page);
    await placeholders(page).first().scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -160));
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], name);
    await screenshot(page, name);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});
