// The library benchmark of issue 15 ("A library of thousands"): a release build in headless
// Chromium on 127.0.0.1, with a browser profile on disk and the browser's default quota (no
// override), filled the way a reader fills it:
//
// 1. Capacity. Articles of 30,000 characters (Russian-like text, distinct per article) are
//    imported through the library's "Open file…" chooser, --batch files per choice, up to
//    --articles (texts go to IndexedDB; the list to localStorage). Then highlights with short
//    notes, --per-article on each article, are restored from Lectern backup files of
//    --chunk-articles articles each (the library's Export menu, "Restore a backup or import
//    annotations…"), newest articles first, until --highlights or until the app refuses for
//    storage full (then the refused articles are tried again in smaller files: 10 articles,
//    then one, so the figure is exact to one article's highlights). Reported: how many
//    articles and highlights were stored, how long it took, and what localStorage holds
//    (key + value lengths in UTF-16 code units; Chromium allows about 5.2 million).
// 2. With that library, each the median of --reps page loads with its spread (min–max), and a
//    floor measured in the same page right after it:
//    a. opening the library view from the reader (location.hash = '#/' → the first page of rows
//       in the DOM and laid out); floor: the same 50 titles as static HTML (innerHTML) + layout;
//    b. one keystroke in the library search (the input event → its results rendered and laid
//       out): the first letter of a word in a fresh page (the word index is built on it), a
//       further letter, and a first letter again once the index exists; floor: filtering the
//       library's titles in JS and rendering the first 50 + layout;
//    c. opening a 30,000-character article from the library (a click on its title → its text
//       painted: `#article [data-block]` present, `#article[aria-busy]` gone, its highlights
//       painted), an article never opened before (so without a localStorage copy), once the
//       library has settled (its storage usage shown), and apart half a second after the
//       library loaded; floor: a plain IndexedDB read of the same record (open the database,
//       get the key, JSON.parse).
//
// Times are performance.now() in the page, from the action until the DOM shows the result
// (checked at the start of each task, after the app's microtasks: its renders; past 50 ms at
// each DOM change or every 4 ms) and a forced layout returns.
// Budgets (issue 15): library open < 100 ms, keystroke < 16 ms, article open < 100 ms.
//
//   node xtask/bench/library.mjs [--dist target/bench-dist-app] [--out target/bench] [--reps 7]
//        [--articles 2000] [--highlights 20000] [--batch 100] [--per-article 10]
//        [--chunk-articles 100] [--profile DIR [--port 8097]]

import { mkdir, mkdtemp, rm, writeFile, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';

/** The resident memory of Chromium's renderer processes, MB (for the log). */
const rendererMB = () => {
  try {
    const out = execSync("ps -eo rss=,args= | grep -- '--type=renderer' | grep -v grep", { encoding: 'utf8' });
    return Math.round(out.trim().split('\n').reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0) / 1024);
  } catch {
    return 0;
  }
};

// playwright-core from the end-to-end tests' packages (`cargo xtask tools` installs them).
const { chromium } = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../../e2e/package.json'))('playwright-core');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const DIST = resolve(arg('--dist', join(ROOT, 'target/bench-dist-app')));
const OUT = resolve(arg('--out', join(ROOT, 'target/bench')));
const REPS = Number(arg('--reps', 7));
const ARTICLES = Number(arg('--articles', 2000));
const HIGHLIGHTS = Number(arg('--highlights', 20000));
const BATCH = Number(arg('--batch', 100));
const PER_ARTICLE = Number(arg('--per-article', 10));
const CHUNK_ARTICLES = Number(arg('--chunk-articles', 100));
// A browser profile to fill and keep (default: a temporary one, removed at the end). Given
// again with the same --port, its library is measured as it is, without importing anything.
const PROFILE = arg('--profile', null);
const PORT = Number(arg('--port', PROFILE ? 8097 : 0));
const CHARS = 30000;
const PAGE_ROWS = 50;
const BUDGET = { open: 100, key: 16, article: 100 };

// ---- The articles: seeded, deterministic ------------------------------------------------

/** A deterministic pseudo-random generator (mulberry32), as e2e/tests/library-scale.test.mjs. */
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A vocabulary with the shape of a language's: a few hundred common words and thousands of
// rarer ones (Zipf-like frequencies), so that the word index and the search's prefixes are
// those of real texts rather than of a couple of dozen words. The words are Russian ones and
// made-up ones of Russian syllables.
const COMMON = (
  'и в не на я что он с как а то это по к но из у за от так же вы бы мы до вот ты о для уже ' +
  'город река мост дорога утро вечер письмо окно дом ветер снег поле лес книга слово время ' +
  'человек работа вода небо земля свет голос память год день жизнь рука глаз дело раз место ' +
  'страна мир вопрос сторона отношение решение история общество государство закон право'
).split(' ');
const VOCABULARY = (() => {
  const r = rng(20260115);
  const onsets = ['б', 'в', 'г', 'д', 'ж', 'з', 'к', 'л', 'м', 'н', 'п', 'р', 'с', 'т', 'ф', 'х', 'ц', 'ч', 'ш', 'щ', 'бр', 'вл', 'гр', 'др', 'кр', 'пл', 'пр', 'ст', 'тр', 'сл', 'зв', 'сп'];
  const vowels = ['а', 'о', 'у', 'ы', 'и', 'е', 'я', 'ю', 'ё'];
  const codas = ['', '', '', 'н', 'р', 'л', 'м', 'с', 'т', 'к', 'й', 'ст', 'нь', 'ль'];
  const endings = ['', 'а', 'ы', 'ой', 'ами', 'ение', 'ость', 'ный', 'ного', 'ать', 'ил', 'ала', 'ого', 'ему', 'ах'];
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const seen = new Set(COMMON);
  const words = [...COMMON];
  while (words.length < 12000) {
    const n = 1 + Math.floor(r() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += pick(onsets) + pick(vowels) + pick(codas);
    w += pick(endings);
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
})();
// Cumulative Zipf weights (1/rank) for drawing words.
const CUMULATIVE = (() => {
  const c = [];
  let s = 0;
  for (let i = 0; i < VOCABULARY.length; i++) c.push((s += 1 / (i + 1)));
  return c.map((x) => x / s);
})();
function word(r) {
  const x = r();
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo];
}
/** A word of its own for article `i`, found in no other (as library-scale.test.mjs's marker). */
const marker = (i) => `кварц${[...String(i)].map((d) => 'абвгдежзик'[d]).join('')}`;

/** Article `i`: its title and paragraphs of ~1,000 characters, `CHARS` characters in all. */
function longText(i) {
  const r = rng(i + 1);
  const paras = [];
  let n = 0;
  while (n < CHARS) {
    const sentences = [];
    let len = 0;
    while (len < 1000) {
      const k = 6 + Math.floor(r() * 12);
      const ws = Array.from({ length: k }, () => word(r));
      if (paras.length === 0 && sentences.length === 0) ws.splice(3, 0, marker(i));
      const s = ws.join(' ');
      sentences.push(`${s[0].toUpperCase()}${s.slice(1)}.`);
      len += s.length + 2;
    }
    const p = sentences.join(' ');
    paras.push(p);
    n += p.length;
  }
  return { title: `Статья номер ${i}`, paras };
}
const fileOf = (i) => {
  const a = longText(i);
  return { name: `article-${String(i).padStart(4, '0')}.txt`, title: a.title, text: `${a.title}\n\n${a.paras.join('\n\n')}` };
};

/** Folded as the app folds (lectern_core::search::fold): lower case, ё = е. */
const fold = (s) => s.toLowerCase().replaceAll('ё', 'е');
/** The folded words of `text` (runs of letters and digits), as lectern_core::word_index. */
const wordsOf = (text) => new Set(fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean));

// ---- Highlights and backups -------------------------------------------------------------

const uuid = (r) => {
  const h = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(r() * 16)]);
  h[12] = '4';
  h[16] = '89ab'[Math.floor(r() * 4)];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
};
const NOTE_WORDS = 'важно проверить цитата мысль спорно вернуться интересно пример вывод довод'.split(' ');

/**
 * `PER_ARTICLE` highlights of word spans spread over article `id`'s text (the stored record's
 * blocks joined by "\n", as the app's text), each with a short note, described as the app
 * describes a selection: code-point positions (the texts are all in the BMP, so the string's
 * indices), 32 code points of context, the text's hash.
 */
function highlightsOf(id, record, k) {
  const article = JSON.parse(record).data;
  const text = article.blocks.map((b) => b.text).join('\n');
  const hash = textHashOf(text);
  const r = rng(1000 + k);
  const out = [];
  for (let j = 0; j < PER_ARTICLE; j++) {
    let start = Math.floor(((j + 0.5) * text.length) / PER_ARTICLE);
    while (start > 0 && !/[\s]/.test(text[start - 1])) start--;
    let end = Math.min(text.length, start + 25 + Math.floor(r() * 35));
    while (end < text.length && /[\p{L}\p{N}]/u.test(text[end])) end++;
    // One block: no line break inside a highlight.
    const nl = text.indexOf('\n', start);
    if (nl >= 0 && nl < end) end = nl;
    const created = new Date(Date.UTC(2026, 11, 1, 9) + k * 3_600_000 + j * 60_000).toISOString();
    const note = `${NOTE_WORDS[j % NOTE_WORDS.length][0].toUpperCase()}${NOTE_WORDS[j % NOTE_WORDS.length].slice(1)}: ${Array.from({ length: 3 + Math.floor(r() * 3) }, () => word(r)).join(' ')}.`;
    out.push({
      id: uuid(r),
      articleId: id,
      target: {
        quote: { type: 'TextQuoteSelector', exact: text.slice(start, end), prefix: text.slice(Math.max(0, start - 32), start), suffix: text.slice(end, end + 32) },
        position: { type: 'TextPositionSelector', start, end },
        textHash: hash,
      },
      color: ['yellow', 'green', 'blue', 'pink', 'purple'][j % 5],
      note,
      tags: [],
      created,
      modified: created,
    });
  }
  return out;
}

/** `fnv1a64:<hex>` of the UTF-8 bytes of `text` (lectern_core::annotation::text_hash). */
function textHashOf(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `fnv1a64:${h.toString(16).padStart(16, '0')}`;
}

// ---- Serving and the browser (as xtask/bench/notebook.mjs) ---------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.png': 'image/png', '.svg': 'image/svg+xml' };

async function startServer(dir, port) {
  const server = createServer(async (req, res) => {
    let file = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs });
const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const int = (n) => n.toLocaleString('en-US');
const log = (s) => console.log(`[${((performance.now() - T0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const T0 = performance.now();

// ---- In the page --------------------------------------------------------------------------

/**
 * Helpers defined by an init script (CDP-injected: the page's CSP refuses code from strings):
 * `wait(check)` resolves, once `check()` holds at the start of a task (after the app's
 * microtasks: its renders and its effects' outcomes) and a forced layout has returned, with
 * the ms since it was called.
 */
function pageHelpers() {
  const nextTask = () =>
    new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(0);
    });
  window.__bench = {
    nextTask,
    // For the first 50 ms the check runs at the start of every task; after that at a DOM
    // change or every 4 ms (a check at every task would keep the main thread busy for
    // seconds, beside the app's own work, when a figure takes that long).
    async wait(check, t0 = performance.now(), describe = () => '') {
      let wake = null;
      const changes = new MutationObserver(() => wake?.());
      changes.observe(document.body, { subtree: true, childList: true, attributes: true });
      try {
        for (;;) {
          if (performance.now() - t0 < 50) await nextTask();
          else
            await new Promise((resolve) => {
              wake = resolve;
              setTimeout(resolve, 4);
            });
          wake = null;
          if (check()) {
            void document.body.offsetHeight;
            return performance.now() - t0;
          }
          if (performance.now() - t0 > 120_000) throw new Error(`not done within 120 s ${describe()}`);
        }
      } finally {
        changes.disconnect();
      }
    },
    painted() {
      let n = 0;
      for (const c of ['yellow', 'green', 'blue', 'pink', 'purple']) {
        const h = CSS.highlights.get(`lectern-${c}`);
        if (h) for (const r of h) if (!r.collapsed) n++;
      }
      return n;
    },
    /** The records of `ids` in the app's IndexedDB (id → record string). */
    async records(ids) {
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('lectern');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      try {
        const store = db.transaction('articles').objectStore('articles');
        const get = (q) => new Promise((ok, ko) => { q.onsuccess = () => ok(q.result); q.onerror = () => ko(q.error); });
        const values = await Promise.all(ids.map((id) => get(store.get(id))));
        return Object.fromEntries(ids.map((id, i) => [id, values[i]]));
      } finally {
        db.close();
      }
    },
    /** localStorage in UTF-16 code units (key + value), in all and by kind of key. */
    localUsage() {
      const by = {};
      let total = 0;
      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i);
        const n = k.length + localStorage.getItem(k).length;
        total += n;
        const kind = k.replace(/^(lectern\.v1\.[a-z]+)\..*$/, '$1');
        by[kind] = (by[kind] || 0) + n;
      }
      return { total, by };
    },
  };
}

/** 1. Capacity: import the articles, then restore the highlights (see the top of the file). */
async function fill(page, ready) {
  const capacity = { articles: { asked: ARTICLES, stored: 0, batch: BATCH, chars: CHARS, batches: [] } };
  let refused = null;
  const importStarted = performance.now();
  for (let n = 0; n < ARTICLES && !refused; n += BATCH) {
    const files = Array.from({ length: Math.min(BATCH, ARTICLES - n) }, (_, k) => fileOf(n + k));
    const t0 = performance.now();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Open file…' }).click();
    await (await chooser).setFiles(files.map((f) => ({ name: f.name, mimeType: 'text/plain', buffer: Buffer.from(f.text) })));
    // The report of this batch: a line for each file, "Added: <title>" or "<name> …".
    const lines = await page.waitForFunction(
      (expect) => {
        const report = document.querySelector('.import-report');
        if (!report) return false;
        const got = [...report.querySelectorAll('li')].map((li) => li.textContent);
        const mine = expect.every(([name, title]) => got.some((l) => l === `Added: ${title}` || l.startsWith(`${name} `)));
        return got.length === expect.length && mine && got;
      },
      files.map((f) => [f.name, f.title]),
      { timeout: 600_000, polling: 200 },
    );
    const got = await lines.jsonValue();
    const wall = performance.now() - t0;
    const failed = got.filter((l) => !l.startsWith('Added: '));
    capacity.articles.stored += files.length - failed.length;
    capacity.articles.batches.push(wall);
    if (failed.length) refused = failed[0];
    log(`imported ${capacity.articles.stored} articles (${files.length} in ${(wall / 1000).toFixed(1)} s; renderers ${rendererMB()} MB)${failed.length ? `; refused: ${failed[0]}` : ''}`);
  }
  capacity.articles.seconds = (performance.now() - importStarted) / 1000;
  capacity.articles.refused = refused;
  await page.reload();
  await ready();
  await page.locator('[data-content-bytes]').waitFor({ timeout: 120_000 });
  capacity.articles.estimate = await page.evaluate(() => navigator.storage.estimate().then((e) => ({ usage: e.usage, quota: e.quota })));
  capacity.articles.contentBytes = Number(await page.locator('[data-content-bytes]').getAttribute('data-content-bytes'));
  capacity.articles.local = await page.evaluate(() => window.__bench.localUsage());
  log(`storage estimate: ${int(capacity.articles.estimate.usage)} of ${int(capacity.articles.estimate.quota)} bytes; localStorage ${int(capacity.articles.local.total)} code units`);

  // ---- 1. Capacity: highlights -----------------------------------------------------------
  const library = await page.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library')).data);
  const settings = await page.evaluate(() => {
    const s = localStorage.getItem('lectern.v1.settings');
    return s ? JSON.parse(s).data : {};
  });
  const metas = library.articles.filter((m) => m.id !== 'seed'); // newest first
  const hl = { asked: HIGHLIGHTS, perArticle: PER_ARTICLE, stored: 0, files: [], refusals: [] };
  const wanted = metas.slice(0, Math.ceil(HIGHLIGHTS / PER_ARTICLE));
  let at = 0;
  let size = CHUNK_ARTICLES;
  let fileNo = 0;
  const restoreStarted = performance.now();
  const exportMenu = page.locator('.library details.export');
  while (at < wanted.length) {
    const chunk = wanted.slice(at, at + size);
    const records = await page.evaluate((ids) => window.__bench.records(ids), chunk.map((m) => m.id));
    const annotations = {};
    for (const [k, m] of chunk.entries()) annotations[m.id] = { annotations: highlightsOf(m.id, records[m.id], at + k), tombstones: [] };
    const backup = { format: 'lectern-backup', version: 1, exported: new Date().toISOString(), library: { articles: chunk }, articles: [], annotations, settings };
    const name = `highlights-${String(++fileNo).padStart(3, '0')}.json`;
    if (!(await exportMenu.evaluate((d) => d.open))) await exportMenu.locator('summary').click();
    const t0 = performance.now();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
    await (await chooser).setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(backup)) });
    const status = await (
      await page.waitForFunction((name) => {
        const s = document.querySelector('.export__status');
        return s && s.textContent.startsWith(`${name}:`) && s.textContent;
      }, name, { timeout: 600_000, polling: 100 })
    ).jsonValue();
    const wall = performance.now() - t0;
    const count = chunk.length * PER_ARTICLE;
    if (status.includes('Backup restored:')) {
      hl.stored += count;
      hl.files.push({ name, articles: chunk.length, highlights: count, ms: wall, bytes: JSON.stringify(backup).length });
      at += chunk.length;
      log(`${name}: ${count} highlights restored in ${(wall / 1000).toFixed(1)} s; ${int(hl.stored)} in all`);
    } else {
      hl.refusals.push({ name, articles: chunk.length, highlights: count, status });
      log(`${name} (${count} highlights) refused: ${status}`);
      if (size === 1) break;
      size = Math.max(1, Math.floor(size / 10));
    }
  }
  hl.seconds = (performance.now() - restoreStarted) / 1000;
  hl.local = await page.evaluate(() => window.__bench.localUsage());
  log(`highlights stored: ${int(hl.stored)}; localStorage ${int(hl.local.total)} code units`);
  capacity.highlights = hl;
  return capacity;
}

async function main() {
  const server = await startServer(DIST, PORT);
  const profile = PROFILE ? resolve(PROFILE) : await mkdtemp(join(tmpdir(), 'lectern-bench-library-'));
  await mkdir(profile, { recursive: true });
  // A profile on disk, as a reader's browser (an incognito context keeps IndexedDB in memory,
  // with a quota of its own); no service worker: every load is served by this server.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    serviceWorkers: 'block',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await context.addInitScript(pageHelpers);
  const url = `${server.origin}/`;
  const ready = () => page.waitForFunction(() => document.documentElement.dataset.app === 'ready', null, { timeout: 120_000 });
  const contentReady = () => page.waitForFunction(() => ['database', 'local-storage'].includes(document.documentElement.dataset.content), null, { timeout: 120_000 });
  const results = {};
  try {
    await page.goto(`${url}#/`);
    await ready();
    const where = await (await contentReady(), page.evaluate(() => document.documentElement.dataset.content));
    if (where !== 'database') throw new Error(`article texts are kept in ${where}, not IndexedDB`);

    const present = await page.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library') || '{"data":{"articles":[]}}').data.articles.length);
    if (PROFILE && present > ARTICLES) {
      log(`the profile's library lists ${present} articles: measuring it as it is`);
    } else {
      results.capacity = await fill(page, ready);
    }
    // The highlights each article has, as stored.
    const highlightsOfId = new Map(
      await page.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.startsWith('lectern.v1.annotations.'))
          .map((k) => {
            const d = JSON.parse(localStorage.getItem(k)).data;
            return [k.slice('lectern.v1.annotations.'.length), (d.a || d.annotations || []).filter((a) => (Array.isArray(a) ? a[6] : a.target)).length];
          })
          .filter(([, n]) => n > 0),
      ),
    );
    log(`${int([...highlightsOfId.values()].reduce((a, b) => a + b, 0))} highlights in ${highlightsOfId.size} articles`);
    const metas = await page.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library')).data.articles.filter((m) => m.id !== 'seed'));

    // ---- 2. With that library ---------------------------------------------------------------
    // The search's word: a first letter in no title (so the titles alone match nothing and the
    // list changes when the text search answers), and one more letter.
    const seedText = await readFile(join(ROOT, 'assets/seed-article-ru.txt'), 'utf8');
    const texts = new Map();
    texts.set('seed', wordsOf(seedText));
    for (const m of metas) {
      const i = Number(/^Статья номер (\d+)$/.exec(m.title)?.[1]);
      if (!Number.isInteger(i)) throw new Error(`an article the benchmark did not make: ${m.title}`);
      const f = fileOf(i);
      texts.set(f.title, wordsOf(f.text.slice(f.title.length)));
    }
    const listed = await page.evaluate(() => JSON.parse(localStorage.getItem('lectern.v1.library')).data.articles.map((m) => [m.id, m.title, m.source]));
    const expected = (q) => {
      const fq = fold(q);
      let n = 0;
      for (const [id, title, source] of listed) {
        if (fold(title).includes(fq) || (source && fold(source).includes(fq))) n++;
        else if ([...(texts.get(id === 'seed' ? 'seed' : title) || [])].some((w) => w.startsWith(fq))) n++;
      }
      return n;
    };
    const QUERY = ['г', 'гр'];
    const totals = QUERY.map(expected);
    log(`search: "${QUERY[0]}" → ${totals[0]} articles, "${QUERY[1]}" → ${totals[1]} (of ${listed.length})`);
    results.search = { queries: QUERY, totals, listed: listed.length };

    // The reader's article at the start of each repetition (the newest); the articles opened
    // from the library: each a different one, never opened before, from the first page.
    const readerId = metas[0].id;
    const targets = metas.slice(5, 5 + 2 * (REPS + 1));
    const series = { open: [], openFloor: [], counts: [], key1: [], key1Floor: [], readAll: [], key2: [], key2Floor: [], key1Warm: [], key1WarmFloor: [], key1Built: [], key1Soon: [], article: [], articleFloor: [], articleLocal: [], articleEarly: [] };
    // One keystroke: the input event, until the list shows the expected number of matches and
    // its page of rows. (The app renders in microtasks: at the start of the next task the list
    // shows at least the titles' matches; none has the letter, so before the text search has
    // answered the list's total differs from the expected one, unless the matches of the
    // previous query, still shown until the new ones come, are already the same.)
    const type = (value) =>
      page.evaluate(
        ({ value, total }) => {
          const input = document.querySelector('#library-search');
          const t0 = performance.now();
          input.value = value;
          input.dispatchEvent(new InputEvent('input', { bubbles: true, data: value.slice(-1) || null, inputType: value ? 'insertText' : 'deleteContentBackward' }));
          return window.__bench.wait(
            () => {
              const l = document.querySelector('.library__list');
              return l && l.dataset.total === String(total) && l.querySelectorAll('.library__item').length === Math.min(50, total);
            },
            t0,
            () => `(typed "${value}": total ${document.querySelector('.library__list')?.dataset.total}, expected ${total})`,
          );
        },
        { value, total: expected(value) },
      );
    // Floor: the library's titles filtered in JS (folded, as the app folds) and the first 50
    // rendered as static HTML, laid out.
    const typeFloor = (value) =>
      page.evaluate((value) => {
        const titles = JSON.parse(localStorage.getItem('lectern.v1.library')).data.articles.map((m) => m.title);
        const esc = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
        const box = document.createElement('ul');
        box.className = 'library__list';
        document.querySelector('.library').append(box);
        const t0 = performance.now();
        const q = value.toLowerCase().replaceAll('ё', 'е');
        const found = titles.filter((t) => t.toLowerCase().replaceAll('ё', 'е').includes(q));
        box.innerHTML = found.slice(0, 50).map((t) => `<li class="library__item"><a class="library__title" href="#">${esc(t)}</a></li>`).join('');
        void document.body.offsetHeight;
        const t = performance.now() - t0;
        box.remove();
        return t;
      }, value);

    /** Reload on the library, click `target`'s title; the time until it is painted, and the floor. */
    const openArticle = async (target, settled) => {
      await page.goto(`${url}#/`);
      await page.reload();
      await ready();
      await page.locator('.library__item').nth(Math.min(PAGE_ROWS, listed.length) - 1).waitFor({ timeout: 120_000 });
      if (settled) await page.locator('[data-content-bytes]').waitFor({ timeout: 120_000 });
      await page.waitForTimeout(500);
      const local = await page.evaluate((id) => localStorage.getItem(`lectern.v1.article.${id}`) !== null, target.id);
      const want = highlightsOfId.get(target.id) || 0;
      const article = await page.evaluate(
        async ({ id, title, want }) => {
          const link = document.querySelector(`.library__item[data-article="${id}"] a.library__title`);
          if (!link) throw new Error(`${id} is not on the library's first page`);
          const t0 = performance.now();
          link.click();
          return window.__bench.wait(() => {
            const a = document.querySelector('#article');
            return (
              a &&
              !a.hasAttribute('aria-busy') &&
              a.querySelector('[data-block]') &&
              a.querySelector('h1')?.textContent === title &&
              window.__bench.painted() >= want
            );
          }, t0);
        },
        { id: target.id, title: target.title, want },
      );
      await page.waitForTimeout(300);
      const articleFloor = await page.evaluate(async (id) => {
        const t0 = performance.now();
        const db = await new Promise((ok, ko) => {
          const r = indexedDB.open('lectern');
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ko(r.error);
        });
        const record = await new Promise((ok, ko) => {
          const q = db.transaction('articles').objectStore('articles').get(id);
          q.onsuccess = () => ok(q.result);
          q.onerror = () => ko(q.error);
        });
        const parsed = JSON.parse(record);
        const t = performance.now() - t0;
        db.close();
        if (!parsed.data.blocks.length) throw new Error('empty record');
        return t;
      }, target.id);
      return { article, articleFloor, local, want };
    };

    for (let rep = -1; rep < REPS; rep++) {
      // rep -1 is a warm-up, not counted.
      // (a) The library view, opened from the reader in a fresh page.
      await page.goto(`${url}#/a/${readerId}`);
      await page.reload();
      await ready();
      await page.locator('#article [data-block]').first().waitFor({ timeout: 120_000 });
      await page.waitForTimeout(500);
      const [open, counts] = await page.evaluate(async ({ n, marked }) => {
        const t0 = performance.now();
        location.hash = '#/';
        const t = await window.__bench.wait(() => document.querySelectorAll('.library__item').length === n, t0);
        // Then until every row of the page shows its highlight count (read after the list).
        const c = await window.__bench.wait(() => {
          const rows = [...document.querySelectorAll('.library__item')];
          return rows.length === n && rows.every((r) => !marked.includes(r.dataset.article) || !r.querySelector('.library__meta').textContent.includes(' 0 highlights'));
        }, t0);
        return [t, c];
      }, { n: Math.min(PAGE_ROWS, listed.length), marked: [...highlightsOfId.keys()] });
      await page.waitForTimeout(300);
      const openFloor = await page.evaluate(() => {
        const esc = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
        const html = [...document.querySelectorAll('.library__item .library__title')].map((a) => `<li class="library__item"><a class="library__title" href="#">${esc(a.textContent)}</a></li>`).join('');
        const box = document.createElement('ul');
        box.className = 'library__list';
        document.querySelector('.library').append(box);
        const t0 = performance.now();
        box.innerHTML = html;
        void document.body.offsetHeight;
        const t = performance.now() - t0;
        box.remove();
        return t;
      });
      // (b) The search: a first letter (the word index is built on it), a further letter, and
      // a first letter again with the index built.
      const key1 = await type(QUERY[0]);
      await page.waitForTimeout(300);
      const key1Floor = await typeFloor(QUERY[0]);
      await page.waitForTimeout(200);
      // What the first letter cannot do with less, as the app keeps texts: read every record
      // from IndexedDB (getAll) and JSON.parse each.
      const readAll = await page.evaluate(async () => {
        const t0 = performance.now();
        const db = await new Promise((ok, ko) => {
          const r = indexedDB.open('lectern');
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ko(r.error);
        });
        const all = await new Promise((ok, ko) => {
          const q = db.transaction('articles').objectStore('articles').getAll();
          q.onsuccess = () => ok(q.result);
          q.onerror = () => ko(q.error);
        });
        let blocks = 0;
        for (const r of all) blocks += JSON.parse(r).data.blocks.length;
        const t = performance.now() - t0;
        db.close();
        if (!blocks) throw new Error('no records');
        return t;
      });
      await page.waitForTimeout(200);
      const key2 = await type(QUERY[1]);
      await page.waitForTimeout(300);
      const key2Floor = await typeFloor(QUERY[1]);
      await page.waitForTimeout(200);
      await type('');
      await page.waitForTimeout(300);
      const key1Warm = await type(QUERY[0]);
      await page.waitForTimeout(300);
      const key1WarmFloor = await typeFloor(QUERY[0]);
      await type('');

      // (c) An article opened from the library, in a fresh page: once the library has settled
      // (its storage usage shown: reading it reads every text), and, not counted against the
      // budget, half a second after the page loaded (that read still running).
      const { article, articleFloor, local, want } = await openArticle(targets[2 * (rep + 1)], true);
      const { article: articleEarly } = await openArticle(targets[2 * (rep + 1) + 1], false);
      // (d) The first letter in a fresh page with no kept word index (it is built from every
      // text, as on the first search ever, or after a restore), then kept again.
      await page.goto(`${url}#/`);
      await page.reload();
      await ready();
      await page.evaluate(() => new Promise((ok, ko) => {
        const r = indexedDB.deleteDatabase('lectern-search');
        r.onsuccess = ok;
        r.onerror = () => ko(r.error);
        r.onblocked = () => ko(new Error('lectern-search is held open'));
      }));
      await page.reload();
      await ready();
      await page.locator('.library__item').nth(Math.min(PAGE_ROWS, listed.length) - 1).waitFor({ timeout: 120_000 });
      await page.waitForTimeout(500);
      const key1Built = await type(QUERY[0]);
      // Until the index is kept again (written half a second after the answer).
      const keptChars = await page.evaluate(async () => {
        for (let i = 0; i < 600; i++) {
          const raw = await new Promise((ok) => {
            const r = indexedDB.open('lectern-search');
            r.onsuccess = () => {
              const db = r.result;
              if (!db.objectStoreNames.contains('articles')) return (db.close(), ok(null));
              const q = db.transaction('articles').objectStore('articles').get('words');
              q.onsuccess = () => (db.close(), ok(q.result ?? null));
              q.onerror = () => (db.close(), ok(null));
            };
            r.onerror = () => ok(null);
          });
          if (raw) return raw.length;
          await new Promise((ok) => setTimeout(ok, 100));
        }
        throw new Error('the word index was not kept');
      });
      await type('');
      // (e) The first letter typed as soon as the library's rows show in a fresh page: the
      // kept index is read a moment after the library opens, and the letter may wait for it.
      await page.reload();
      await ready();
      await page.locator('.library__item').nth(Math.min(PAGE_ROWS, listed.length) - 1).waitFor({ timeout: 120_000 });
      const key1Soon = await type(QUERY[0]);
      await type('');
      const painted = await page.evaluate(() => window.__bench.painted());
      if (rep < 0) {
        log(`warm-up: library ${ms(open)} ms, "${QUERY[0]}" ${ms(key1)} ms, article ${ms(article)} ms (${painted} ranges painted, ${want} highlights)`);
        continue;
      }
      series.open.push(open);
      series.counts.push(counts);
      series.openFloor.push(openFloor);
      series.key1.push(key1);
      series.key1Floor.push(key1Floor);
      series.readAll.push(readAll);
      series.key2.push(key2);
      series.key2Floor.push(key2Floor);
      series.key1Warm.push(key1Warm);
      series.key1WarmFloor.push(key1WarmFloor);
      series.key1Built.push(key1Built);
      series.key1Soon.push(key1Soon);
      results.keptIndexChars = keptChars;
      series.article.push(article);
      series.articleFloor.push(articleFloor);
      series.articleLocal.push(local);
      series.articleEarly.push(articleEarly);
      log(`rep ${rep + 1}/${REPS}: library ${ms(open)} ms (floor ${ms(openFloor)}), "${QUERY[0]}" ${ms(key1)} ms, "${QUERY[1]}" ${ms(key2)} ms, "${QUERY[0]}" again ${ms(key1Warm)} ms, "${QUERY[0]}" as soon as the rows show ${ms(key1Soon)} ms, "${QUERY[0]}" with no kept index ${ms(key1Built)} ms (kept again: ${keptChars} chars), article ${ms(article)} ms (floor ${ms(articleFloor)}; ${painted} ranges painted), 0.5 s after load ${ms(articleEarly)} ms`);
    }
    results.timings = Object.fromEntries(Object.entries(series).filter(([k]) => k !== 'articleLocal').map(([k, v]) => [k, stats(v)]));
    results.articleHadLocalCopy = series.articleLocal;
    results.localEnd = await page.evaluate(() => window.__bench.localUsage());
  } finally {
    await context.close();
    await server.close();
    if (!PROFILE) await rm(profile, { recursive: true, force: true });
  }
  if (errors.length) console.warn(`page errors:\n${errors.join('\n')}`);
  await report(results, errors);
}

async function report(results, errors) {
  const { capacity, timings: s, search } = results;
  const rows = [
    ['library: open from the reader (#/ → first 50 rows in the DOM, laid out)', s.open, s.openFloor, 'static HTML list of the same 50 titles (innerHTML + layout)', BUDGET.open],
    ['… until every row of the first page shows its highlight count', s.counts, null, '', null],
    [`search: first letter "${search.queries[0]}" in a fresh page, the library open for a second (the word index kept by an earlier page, read as the library opened)`, s.key1, s.key1Floor, 'filter the titles in JS + render 50 (innerHTML + layout)', BUDGET.key],
    [`… the same typed as soon as the library's rows show (the kept index still being read)`, s.key1Soon, null, '', BUDGET.key],
    [`… the same with no kept index (built from every text, as on the first search ever or after a restore)`, s.key1Built, null, '', null],
    ['… of which at least (no kept index): reading every text from IndexedDB (getAll + JSON.parse of each record), in the same page', s.readAll, null, '', null],
    [`search: a further letter ("${search.queries[0]}" → "${search.queries[1]}")`, s.key2, s.key2Floor, 'same', BUDGET.key],
    [`search: first letter "${search.queries[0]}" again, index built`, s.key1Warm, s.key1WarmFloor, 'same', BUDGET.key],
    ['article: open a 30,000-character article from the library (click → text and highlights painted), the library settled', s.article, s.articleFloor, 'IndexedDB read of the same record (open, get, JSON.parse)', BUDGET.article],
    ['… the same, clicked 0.5 s after the library loaded (the storage usage and the kept word index being read)', s.articleEarly, null, '', null],
  ];
  const fmt = (st) => `${ms(st.median)} (${ms(st.min)}–${ms(st.max)})`;
  const table = [
    '| figure | median ms | min–max ms | floor median ms (min–max) | ratio | budget | met? |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows.map(([name, st, fl, , budget]) =>
      `| ${name} | ${ms(st.median)} | ${ms(st.min)}–${ms(st.max)} | ${fl ? fmt(fl) : '–'} | ${fl ? `${(st.median / fl.median).toFixed(1)}×` : '–'} | ${budget ? `< ${budget} ms` : '–'} | ${budget ? (st.median < budget ? 'met' : '**missed**') : '–'} |`,
    ),
  ];
  const kinds = (by) => Object.entries(by).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${int(n)}`).join(', ');
  const md = [
    `Library benchmark (issue 15): ${REPS} repetitions (a page load each), medians with min–max, ms; floors measured in the same page right after each figure.`,
    '',
    ...(capacity ? capacityLines(capacity, kinds) : ['**Capacity**: not measured (a profile filled before was measured as it was).']),
    `- the word index kept in IndexedDB (lectern-search): ${int(results.keptIndexChars)} characters`,
    `- localStorage at the end (the articles opened above kept for the first paint): ${int(results.localEnd.total)} UTF-16 code units (${kinds(results.localEnd.by)})`,
    '',
    `**With that library** (${int(search.listed)} articles listed; the search "${search.queries[0]}" matches ${int(search.totals[0])}, "${search.queries[1]}" ${int(search.totals[1])}):`,
    '',
    ...table,
    '',
  ].join('\n');
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'library.json'), JSON.stringify({ date: new Date().toISOString(), reps: REPS, ...results, errors }, null, 2));
  await writeFile(join(OUT, 'library.md'), md);
  console.log(`\n${md}`);
}

function capacityLines(capacity, kinds) {
  const a = capacity.articles;
  const h = capacity.highlights;
  return [
    '**Capacity** (a browser profile on disk, the default quota):',
    '',
    `- articles: ${int(a.stored)} of ${int(a.asked)} stored (${int(a.chars)} characters each, ${a.batch} files per "Open file…"), in ${a.seconds.toFixed(0)} s (${(a.seconds * 1000 / Math.max(1, a.stored)).toFixed(0)} ms an article; batches ${ms(median(a.batches) / 1000)} s median, ${ms(Math.min(...a.batches) / 1000)}–${ms(Math.max(...a.batches) / 1000)} s)${a.refused ? `; then refused: ${a.refused}` : ''}`,
    `- storage: the app reports ${int(a.contentBytes)} bytes of texts in IndexedDB; navigator.storage.estimate(): usage ${int(a.estimate.usage)} of a quota of ${int(a.estimate.quota)} bytes`,
    `- localStorage with the articles and no highlights: ${int(a.local.total)} UTF-16 code units (${kinds(a.local.by)})`,
    `- highlights (${h.perArticle} an article, each with a short note): ${int(h.stored)} of ${int(h.asked)} stored, through ${h.files.length} backup files in ${h.seconds.toFixed(0)} s${h.refusals.length ? `; refused: ${h.refusals.map((r) => `${r.name} (${int(r.highlights)} highlights): "${r.status}"`).join('; ')}` : ''}`,
    `- localStorage then: ${int(h.local.total)} UTF-16 code units (${kinds(h.local.by)}); ${h.stored ? `${((h.local.by['lectern.v1.annotations'] || 0) / h.stored).toFixed(0)} code units a stored highlight` : ''}`,
  ];
}

await main();
