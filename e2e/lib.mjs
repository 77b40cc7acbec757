// Shared helpers for the end-to-end tests: a static server on loopback for the release
// builds, and Debian's Chromium driven by playwright-core.
import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after, afterEach } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');
export const DIST = process.env.LECTERN_DIST || join(ROOT, 'dist');
export const DIST_SUBPATH = process.env.LECTERN_DIST_SUBPATH || join(ROOT, 'target', 'e2e-subpath');
export const SUBPATH = process.env.LECTERN_SUBPATH || '/lectern/sub/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serve `mounts` ({'/': dir, '/sub/': dir2}) on 127.0.0.1 at a free port. A mount is a
 * directory, or `{ dir, headers }` to add response headers. `mount(prefix, m)` replaces one
 * while the server runs (a new deployment at the same URL); `served` lists the paths answered.
 */
export async function startServer(mounts) {
  mounts = { ...mounts };
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = Object.keys(mounts).sort((a, b) => b.length - a.length).find((p) => path.startsWith(p));
    if (!prefix) {
      res.writeHead(404).end('no mount');
      return;
    }
    const { dir: base, headers = {} } = typeof mounts[prefix] === 'string' ? { dir: mounts[prefix] } : mounts[prefix];
    let file = normalize(join(base, path.slice(prefix.length)));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store', ...headers });
      res.end(body);
      served.push(path);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    mount: (prefix, m) => { mounts[prefix] = m; },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/**
 * One test file's server and browser: `mounts` served on loopback and Chromium launched before
 * the file's tests, both closed after them. `ready({ server, browser, url })` receives them
 * once they are up (`url` is the server's root).
 */
export function suite(mounts, ready) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(mounts);
    browser = await launch();
    ready({ server, browser, url: `${server.origin}/` });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/** Chromium, with `args` added to the usual ones (e.g. `--ignore-certificate-errors` for a
 * test's own https server). */
export async function launch(args = []) {
  return chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args, ...args] });
}

// Content-Security-Policy violations (index.html), in any page of any test: each is also a
// console error, and the test in which it happens fails (below), whatever it checks itself.
const violations = [];
afterEach(() => {
  const seen = takeViolations();
  if (seen.length) throw new Error(`Content-Security-Policy violations:\n${seen.join('\n')}`);
});
/** The violations seen so far (and forget them): for a test that causes one on purpose. */
export function takeViolations() {
  return violations.splice(0);
}

/** A page whose console errors and uncaught exceptions are collected in `page.errors`. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', reducedMotion: 'reduce', ...options });
  const page = await watched(context, await context.newPage());
  return { context, page };
}

/**
 * A browser with a profile on disk in `dir` (a context that is not "incognito", as Chromium's
 * install checks require), and its first page, watched like `newPage`'s.
 */
export async function launchProfile(dir, options = {}) {
  const context = await chromium.launchPersistentContext(dir, { ...CHROMIUM, viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
  const page = await watched(context, context.pages()[0] ?? (await context.newPage()));
  return { context, page };
}

async function watched(context, page) {
  await context.exposeBinding('__lecternViolation', (_source, v) => violations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const v = `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} on ${location.href}`;
      window.__lecternViolation(v);
      console.error(`CSP violation: ${v}`);
    });
  });
  context.on('page', waitsForApp);
  waitsForApp(page);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  return page;
}

/** Resolves once the app's interface has loaded: the first paint (crates/lectern-boot) shows
 * the article before that, but selecting and clicking need the app. */
export function appReady(page) {
  return page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
}

/** `goto` and `reload` of `page` resolve only once the app is ready (as a person would wait
 * for the buttons to appear before using them); `gotoOnly` and `reloadOnly` do not wait. */
function waitsForApp(page) {
  if (page.waitsForApp) return;
  page.waitsForApp = true;
  for (const name of ['goto', 'reload']) {
    const original = page[name].bind(page);
    page[`${name}Only`] = original;
    page[name] = async (...args) => {
      const response = await original(...args);
      await appReady(page);
      return response;
    };
  }
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export const SEED_TITLE = 'МИД выразил сожаление по поводу инцидента с дипмиссией Азербайджана в Киеве';

/**
 * Viewport coordinates of a point just inside the character at `offset` (UTF-16) of block
 * `block`'s text: its left edge + 1 px, or with `end` its right edge - 1 px. Found through a
 * DOM Range, so marks inside the block do not matter.
 */
export async function charPoint(page, block, offset, end = false) {
  return page.evaluate(
    ({ block, offset, end }) => {
      const el = document.querySelector(`[data-block="${block}"]`);
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let node;
      let at = offset;
      while ((node = walker.nextNode())) {
        if (at < node.length) break;
        at -= node.length;
      }
      const r = document.createRange();
      r.setStart(node, at);
      r.setEnd(node, at + 1);
      const rect = r.getClientRects()[0];
      return { x: end ? rect.right - 1 : rect.left + 1, y: rect.top + rect.height / 2 };
    },
    { block, offset, end },
  );
}

/** Offset of `needle` in block `block`'s text (throws if absent). */
export async function offsetOf(page, block, needle) {
  const text = await page.locator(`[data-block="${block}"]`).textContent();
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not in block ${block}`);
  return i;
}

/**
 * Select with a real mouse drag, from the first character of `from.text` in block
 * `from.block` to the last character of `to.text` in block `to.block`.
 */
export async function dragSelect(page, from, to) {
  const s = await offsetOf(page, from.block, from.text);
  const e = (await offsetOf(page, to.block, to.text)) + to.text.length - 1;
  // Scroll the start to the top (below the sticky bar), then measure both ends.
  await page.evaluate((block) => {
    document.querySelector(`[data-block="${block}"]`).scrollIntoView({ block: 'start' });
    window.scrollBy(0, -80);
  }, from.block);
  const a = await charPoint(page, from.block, s);
  const b = await charPoint(page, to.block, e, true);
  if (b.y > (page.viewportSize()?.height ?? 900) - 5) {
    throw new Error('selection end is off screen; use a taller viewport');
  }
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** The index of the first block whose text contains `needle`. */
export async function blockOf(page, needle) {
  const i = await page.evaluate(
    (needle) => [...document.querySelectorAll('[data-block]')].find((b) => b.textContent.includes(needle))?.dataset.block,
    needle,
  );
  if (i === undefined) throw new Error(`no block contains "${needle}"`);
  return Number(i);
}

// Highlights are painted with the CSS Custom Highlight API (no elements in the text): these
// read what is painted from `CSS.highlights`, in document order. A style is a colour (its
// fill), `under-<colour>`, `fuzzy` or `cursor`; no style means every fill.
const COLLECT = `(style) => {
  const names = style ? ['lectern-' + style] : ['yellow', 'green', 'blue', 'pink', 'purple'].map((c) => 'lectern-' + c);
  const out = [];
  for (const n of names) {
    const h = CSS.highlights.get(n);
    if (h) for (const r of h) if (!r.collapsed) out.push([n, r]);
  }
  out.sort((a, b) => a[1].compareBoundaryPoints(Range.START_TO_START, b[1]));
  return out;
}`;

/** Every painted range of `style` as `{style, text}`, in document order. */
export async function paintedRanges(page, style = null) {
  return page.evaluate(`(${COLLECT})(${JSON.stringify(style)}).map(([n, r]) => ({ style: n.slice(8), text: r.toString() }))`);
}
export const paintedTexts = async (page, style = null) => (await paintedRanges(page, style)).map((r) => r.text);
/** The painted text of `style`, pieces joined in document order. */
export const paintedText = async (page, style = null) => (await paintedTexts(page, style)).join('');
export const paintedCount = async (page, style = null) => (await paintedRanges(page, style)).length;
// (A function, not an expression: Playwright evaluates an expression again on every poll, which
// the page's Content-Security-Policy refuses after the first; a function it evaluates once.)
export async function waitPainted(page, style = null) {
  await page.waitForFunction(new Function('style', `return (${COLLECT})(style).length > 0`), style);
}
export async function waitUnpainted(page, style = null) {
  await page.waitForFunction(new Function('style', `return (${COLLECT})(style).length === 0`), style);
}
/** Click, with the mouse, the middle of the `nth` painted range of `style` (negative: from the end). */
export async function clickPainted(page, style = null, nth = 0) {
  const p = await page.evaluate(`(() => {
    const rs = (${COLLECT})(${JSON.stringify(style)});
    const r = rs.at(${nth})[1];
    r.startContainer.parentElement.scrollIntoView({ block: 'center' });
    const rect = r.getClientRects()[0];
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  })()`);
  await page.mouse.click(p.x, p.y);
}

/**
 * Resolves after the app's queued writes: the open article's annotations are written by a
 * zero-delay timer right after each action (a later zero-delay timer runs after it).
 */
export async function settled(page) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** Holds back the app's interface (its JS module) until `release()`, so a test sees the first
 * paint alone. */
export async function holdApp(page) {
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(/\/lectern-[0-9a-f]+\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

// Annotations are stored compactly (schema version 2: lectern_core::annotations_doc::v2). This
// reads a stored value back in the shape of version 1 (every annotation whole), with contexts
// read from the article's text — what the tests compare against. (Decoded here in node: the
// page's Content-Security-Policy refuses code evaluated from strings.)
export function decodeAnnotations(raw, articleId, text) {
  if (!raw) return null;
  const env = JSON.parse(raw);
  if (env.version !== 2) return env;
  const d = env.data;
  const cps = text == null ? null : Array.from(text);
  const iso = (t, from) => (typeof t === 'number' ? new Date(from === undefined ? t : from + t).toISOString() : t);
  const colors = ['yellow', 'green', 'blue', 'pink', 'purple'];
  const ctx = (c, at, before) =>
    typeof c === 'string' ? c : cps == null ? '' : before ? cps.slice(Math.max(0, at - c), at).join('') : cps.slice(at, at + c).join('');
  const annotations = (d.a || []).map(([id, created, modified, color, note, tags, t]) => ({
    id,
    articleId,
    target: t && {
      quote: { type: 'TextQuoteSelector', exact: t[2], prefix: ctx(t[4], t[0], true), suffix: ctx(t[5], t[1], false) },
      position: { type: 'TextPositionSelector', start: t[0], end: t[1] },
      textHash: (d.h || [])[t[3]],
    },
    color: colors[color],
    note,
    tags,
    created: iso(created),
    modified: typeof created === 'number' && typeof modified === 'number' ? iso(modified, created) : iso(modified),
  }));
  const tombstones = (d.t || []).map(([id, deleted]) => ({ id, deleted: iso(deleted) }));
  return { version: env.version, data: { annotations, tombstones } };
}

/** The stored value of `key` and the article's text as `page` shows it. */
export async function storedRaw(page, key) {
  return page.evaluate((k) => ({
    raw: localStorage.getItem(k),
    text: [...document.querySelectorAll('#article [data-block]')].map((b) => b.textContent).join('\n'),
  }), key);
}

/** The annotations stored under `key` (for article `articleId`, shown on `page`), decoded. */
export async function storedDoc(page, key, articleId = 'seed') {
  const { raw, text } = await storedRaw(page, key);
  return decodeAnnotations(raw, articleId, text);
}
