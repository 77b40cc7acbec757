#!/usr/bin/env node
// Sync benchmark (issue 17; `cargo xtask bench-sync`): not a test, a measurement. Against
// pouchdb-server (in memory, 127.0.0.1, started here as the end-to-end tests start it:
// e2e/couch.mjs), with the release build served on 127.0.0.1 in headless Chromium:
//
//   push   device A holds a library of 200 articles and 10,000 highlights (restored from a
//          backup through the app first, not timed: the texts go to IndexedDB as any restore's
//          do) and turns sync on (Settings → Sync, "Save and sync"): time until it says
//          "synced" and the server holds every article's and every annotations document;
//   pull   an empty device B turns sync on against that database: time until "synced" with
//          every article listed, its annotations stored and its text in IndexedDB;
//   live   A highlights a sentence of the sample article: time from the click until B, open
//          on the sample article, paints it.
//
// Beside each, a floor measured in the same run by a plain script over HTTP from node:
//   push   the same documents (read back from the server, without `_rev`) sent to a fresh
//          database by `_bulk_docs` in batches of 50 (the app's batch size);
//   pull   `_changes` then `_all_docs?include_docs=true` of everything, in batches of 100 (the
//          app's);
//   live   a `_changes?feed=longpoll` listener and one document written: time until it hears.
//
// Where the time goes, without touching the app: every request each page makes to the server
// (the page's Resource Timing: start and end; its method from Playwright), grouped by kind, the time between
// them (the app's own work: reading storage, joining, serialising, writing), and the main
// thread's busy time (CDP `Performance.getMetrics`, TaskDuration, as wall time and as the
// thread's CPU time: on a shared machine the difference is time the thread waited for a CPU)
// over each timed span.
//
// Medians of --reps repetitions (default 5) with min–max; results in <out>/sync.json and
// <out>/sync.md. (Importing e2e/lib.mjs prints a line "TAP version 13": it registers the
// end-to-end tests' hooks; there are no tests here.)
//   node xtask/bench/sync.mjs --dist dist --out target/bench [--reps 5] [--articles 200]
//        [--per-article 50]
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { startServer, launch, newPage, dragSelect, waitPainted, settled, takeViolations } = await import(resolve(root, 'e2e/lib.mjs'));
const { startCouch, USER } = await import(resolve(root, 'e2e/couch.mjs'));

const { values } = parseArgs({
  strict: false,
  options: {
    dist: { type: 'string', default: resolve(root, 'dist') },
    out: { type: 'string', default: resolve(root, 'target/bench') },
    reps: { type: 'string', default: '5' },
    articles: { type: 'string', default: '200' },
    'per-article': { type: 'string', default: '50' },
  },
});
const DIST = resolve(values.dist);
const OUT = resolve(values.out);
const REPS = Number(values.reps);
const ARTICLES = Number(values.articles);
const PER = Number(values['per-article']);
if (!(REPS >= 1 && ARTICLES >= 1 && PER >= 1)) throw new Error('--reps, --articles and --per-article must be positive numbers');

// ---- The library: articles made of the sample's sentences, highlights on their sentences.
const SEED = readFileSync(resolve(root, 'assets/seed-article-ru.txt'), 'utf8');
const sentences = SEED.split('\n').slice(1).join(' ').split(/(?<=[.!?])\s+/).filter((s) => s.length > 20);

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 64 of the UTF-8 bytes, as lectern_core::annotation::text_hash writes it. */
function textHash(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `fnv1a64:${h.toString(16).padStart(16, '0')}`;
}

const uuid = (n, k) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;

/** The backup file device A restores, and the ids of its articles. */
function library() {
  const rnd = mulberry32(17);
  const pick = () => sentences[Math.floor(rnd() * sentences.length)];
  const articles = [];
  const metas = [];
  const annotations = {};
  const t = (i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  for (let i = 0; i < ARTICLES; i++) {
    const id = uuid(i + 1, 0);
    const title = `Статья ${i + 1}: ${pick().slice(0, 40)}`;
    const blocks = [];
    for (let p = 0; p < 6; p++) blocks.push({ kind: 'paragraph', text: [pick(), pick()].join(' ') });
    const article = { id, title, lang: 'ru', dir: 'ltr', source: null, blocks };
    const text = blocks.map((b) => b.text).join('\n');
    const cps = Array.from(text);
    const hash = textHash(text);
    articles.push(article);
    metas.push({ id, title, source: null, lang: 'ru', added: t(i), words: text.split(/\s+/).length, hash, fileName: null });
    const list = [];
    for (let k = 0; k < PER; k++) {
      const len = 8 + Math.floor(rnd() * 30);
      const start = Math.floor(rnd() * (cps.length - len - 1));
      const end = start + len;
      list.push({
        id: uuid(i + 1, k + 1),
        articleId: id,
        target: {
          quote: { type: 'TextQuoteSelector', exact: cps.slice(start, end).join(''), prefix: cps.slice(Math.max(0, start - 32), start).join(''), suffix: cps.slice(end, end + 32).join('') },
          position: { type: 'TextPositionSelector', start, end },
          textHash: hash,
        },
        color: ['yellow', 'green', 'blue', 'pink', 'purple'][k % 5],
        note: k % 10 === 0 ? `Заметка ${k}` : '',
        tags: [],
        created: t(1000 + k),
        modified: t(1000 + k),
      });
    }
    annotations[id] = { annotations: list, tombstones: [] };
  }
  const json = JSON.stringify({ format: 'lectern-backup', version: 1, exported: t(0), library: { articles: metas }, articles, annotations, settings: {} });
  return { json, ids: articles.map((a) => a.id) };
}

// ---- Helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(f, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

/**
 * A device: its own browser context (its own storage). `device.requests()` lists every
 * request it made to the sync server ({ method, kind, bytes, start, end }, epoch ms); `device.busy()` is the main thread's TaskDuration so far (ms, wall
 * and CPU), `device.since(b)` since `b`;
 * `device.errors` the page's errors.
 */
async function device(browser, couch) {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1400 } });
  // Errors in the page, but the browser's note of the 404 a device's first sync gets for its
  // checkpoint (not there yet: what CouchDB's replicator meets too).
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const at = m.location()?.url ?? '';
    if (at.startsWith(couch.url) && at.includes('/_local/lectern-') && m.text().includes('404')) return;
    errors.push(m.text());
  });
  // Methods and the bytes a `_bulk_docs` sent, from Playwright; times from the page's own
  // Resource Timing (one clock with the page's other marks), matched in order per URL.
  const sent = [];
  page.on('request', (req) => {
    if (req.url().startsWith(couch.url)) sent.push({ url: req.url(), method: req.method(), bytes: req.url().includes('_bulk_docs') ? (req.postDataBuffer()?.length ?? 0) : 0 });
  });
  // In the page, on the wall clock (epoch ms, as the request timings): each click (with its
  // button's label) and each change of the sync status (`#sync-status[data-sync-status]`).
  await context.addInitScript(() => {
    const at = () => performance.timeOrigin + performance.now();
    performance.setResourceTimingBufferSize(100_000);
    const log = (window.__syncBench = { clicks: [], status: [] });
    addEventListener(
      'click',
      (e) => {
        const b = e.target.closest?.('button');
        log.clicks.push({ t: at(), label: (b?.getAttribute('aria-label') || b?.textContent || '').trim() });
      },
      true,
    );
    let last = null;
    new MutationObserver(() => {
      const s = document.getElementById('sync-status')?.dataset.syncStatus ?? null;
      if (s !== last) {
        last = s;
        log.status.push({ t: at(), s });
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-sync-status'] });
  });
  // The main thread's TaskDuration twice: as wall time (tasks running, also while the shared
  // machine gave the thread no CPU) and as the thread's CPU time.
  const sessions = [];
  for (const timeDomain of ['timeTicks', 'threadTicks']) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain });
    sessions.push(cdp);
  }
  const busy = async () => {
    const [wall, cpu] = await Promise.all(
      sessions.map(async (cdp) => 1000 * ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN)),
    );
    return { wall, cpu };
  };
  const since = async (b0) => {
    const b1 = await busy();
    return { wall: b1.wall - b0.wall, cpu: b1.cpu - b0.cpu };
  };
  /** Every request made to the server so far: { method, kind, bytes, start, end } (epoch ms). */
  const requests = async () => {
    const timed = await page.evaluate(
      (origin) =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.startsWith(origin))
          .map((e) => ({ url: e.name, start: performance.timeOrigin + e.startTime, end: performance.timeOrigin + e.responseEnd })),
      couch.url,
    );
    const queues = new Map();
    for (const r of sent) (queues.get(r.url) ?? queues.set(r.url, []).get(r.url)).push(r);
    return timed.map((t) => {
      const r = queues.get(t.url)?.shift() ?? { method: '?', bytes: 0 };
      return { method: r.method, kind: kindOf(r.method, t.url.slice(couch.url.length)), bytes: r.bytes, start: t.start, end: t.end };
    });
  };
  // CORS preflights (OPTIONS; neither Playwright nor Resource Timing lists them): when sent.
  const preflights = [];
  const net = await context.newCDPSession(page);
  await net.send('Network.enable');
  net.on('Network.requestWillBeSent', (e) => {
    if (e.request.method === 'OPTIONS' && e.request.url.startsWith(couch.url)) preflights.push(e.wallTime * 1000);
  });
  const log = () => page.evaluate(() => window.__syncBench);
  /** When the page saw the last click on a button labelled `label` (epoch ms). */
  const clicked = async (label) => {
    const c = (await log()).clicks.filter((x) => x.label === label).at(-1);
    if (!c) throw new Error(`no click on "${label}" seen in the page`);
    return c.t;
  };
  /** When the status first said `status` at or after `from` (epoch ms). */
  const statusAt = async (status, from) => (await log()).status.find((x) => x.s === status && x.t >= from)?.t;
  return { context, page, requests, preflights, busy, since, errors, clicked, statusAt };
}

/** What a request to the server is, by its method and path (the database's name left out). */
function kindOf(method, path) {
  const [p, q = ''] = path.split('?');
  const parts = p.split('/');
  if (p === '') return `${method} / (welcome)`;
  const rest = parts.slice(1).join('/');
  if (rest === '') return `${method} /db (probe)`;
  if (rest.startsWith('_local/')) return `${method} /db/_local (checkpoint)`;
  if (rest === '_changes') return q.includes('feed=longpoll') ? `${method} /db/_changes (live feed)` : `${method} /db/_changes`;
  if (rest.startsWith('_')) return `${method} /db/${rest}`;
  return `${method} /db/<doc>`;
}

/** The requests of `dev` that started in [from, to] (epoch ms), but the live feed's. */
const within = async (dev, from, to) => {
  const reqs = (await dev.requests()).filter((r) => r.start >= from && r.start <= to && !r.kind.includes('live feed'));
  reqs.preflights = dev.preflights.filter((t) => t >= from && t <= to).length;
  return reqs;
};

/**
 * Where a span's time went: each kind of request (count, total ms, as the page waited for
 * it), the time the page had no request out to the server (its own work), and the first
 * request's start and the last one's end from the span's start.
 */
function phases(reqs, from, to) {
  const by = {};
  for (const r of reqs) {
    const k = (by[r.kind] ??= { n: 0, ms: 0 });
    k.n += 1;
    k.ms += r.end - r.start;
  }
  // The union of the requests' intervals: the page waiting on the server.
  let waiting = 0;
  let reach = from;
  for (const r of [...reqs].sort((a, b) => a.start - b.start)) {
    const s = Math.max(r.start, reach);
    if (r.end > s) {
      waiting += r.end - s;
      reach = r.end;
    }
  }
  return {
    // Each request: its kind, when it started and was answered (ms from the span's start), and
    // for a `_bulk_docs` the bytes it sent.
    timeline: [...reqs].sort((a, b) => a.start - b.start).map((r) => [r.kind, Math.round(r.start - from), Math.round(r.end - from), ...(r.bytes ? [r.bytes] : [])]),
    total: to - from,
    requests: reqs.length,
    // CORS preflights sent in the span (each inside its request's time above).
    preflights: reqs.preflights,
    waiting,
    between: to - from - waiting,
    firstRequest: reqs.length ? Math.min(...reqs.map((r) => r.start)) - from : null,
    lastAnswer: reqs.length ? Math.max(...reqs.map((r) => r.end)) - from : null,
    byKind: by,
  };
}

async function openSync(page) {
  if (await page.locator('#sync-panel').count()) return;
  await page.locator('#settings-button').click();
  await page.locator('#open-sync').click();
  await page.locator('#sync-panel').waitFor();
}

/** Fill Settings → Sync; returns a function that clicks "Save and sync" and returns when. */
async function fillSync(page, couch, db) {
  await openSync(page);
  await page.locator('#sync-server').fill(couch.url);
  await page.locator('#sync-database').fill(db);
  await page.locator('#sync-user').fill(USER.user);
  await page.locator('#sync-password').fill(USER.password);
  const save = page.getByRole('button', { name: 'Save and sync' });
  await save.waitFor();
  return save;
}

async function closeSync(page) {
  if (await page.locator('#sync-panel').count()) await page.keyboard.press('Escape');
  await page.locator('#sync-panel').waitFor({ state: 'detached' });
}

async function synced(page, ms = 600_000) {
  await page.locator('#sync-status[data-sync-status="synced"]').waitFor({ timeout: ms });
}

/** Ids of `wanted` the server does not hold (or holds deleted), as the admin reads them. */
async function missingOnServer(couch, db, wanted) {
  const rows = (await couch.http('POST', `${db}/_all_docs`, { keys: wanted })).json?.rows ?? [];
  const there = new Set(rows.filter((r) => r.value && !r.value.deleted).map((r) => r.key));
  return wanted.filter((id) => !there.has(id));
}

/** Device B's library: listed ids, annotations keys and texts in IndexedDB. */
function deviceHolds(page) {
  return page.evaluate(async () => {
    const listed = JSON.parse(localStorage.getItem('lectern.v1.library') ?? '{"data":{"articles":[]}}').data.articles.map((m) => m.id);
    const annotated = Object.keys(localStorage).filter((k) => k.startsWith('lectern.v1.annotations.')).map((k) => k.slice('lectern.v1.annotations.'.length));
    let texts = [];
    if ((await indexedDB.databases()).some((d) => d.name === 'lectern')) {
      const idb = await new Promise((ok, ko) => {
        const r = indexedDB.open('lectern');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      try {
        if (idb.objectStoreNames.contains('articles')) {
          texts = await new Promise((ok, ko) => {
            const q = idb.transaction('articles').objectStore('articles').getAllKeys();
            q.onsuccess = () => ok(q.result);
            q.onerror = () => ko(q.error);
          });
        }
      } finally {
        idb.close();
      }
    }
    return { listed, annotated, texts };
  });
}

// ---- Floors: the same work as a plain HTTP client does it.

async function floorPush(couch, from, to) {
  const all = (await couch.http('GET', `${from}/_all_docs?include_docs=true`)).json.rows.map((r) => {
    const { _rev, ...doc } = r.doc;
    return doc;
  });
  await couch.setup(to);
  const started = now();
  for (let i = 0; i < all.length; i += 50) {
    const r = await couch.http('POST', `${to}/_bulk_docs`, { docs: all.slice(i, i + 50) }, USER);
    if (r.status !== 201) throw new Error(`floor _bulk_docs: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const ms = now() - started;
  let bytes = 0;
  for (let i = 0; i < all.length; i += 50) bytes += Buffer.byteLength(JSON.stringify({ docs: all.slice(i, i + 50) }));
  return { ms, docs: all.length, bytes };
}

async function floorPull(couch, db) {
  const started = now();
  let since = 0;
  let docs = 0;
  for (;;) {
    const c = (await couch.http('GET', `${db}/_changes?style=all_docs&since=${encodeURIComponent(since)}&limit=100`, undefined, USER)).json;
    if (!c.results.length) break;
    const keys = c.results.map((r) => r.id);
    const got = (await couch.http('POST', `${db}/_all_docs?include_docs=true&conflicts=true`, { keys }, USER)).json;
    docs += got.rows.length;
    since = c.last_seq;
    if (c.results.length < 100) break;
  }
  return { ms: now() - started, docs };
}

async function floorLive(couch, db) {
  const since = (await couch.http('GET', db, undefined, USER)).json.update_seq;
  const heard = couch.http('GET', `${db}/_changes?feed=longpoll&since=${encodeURIComponent(since)}&timeout=25000&limit=1`, undefined, USER);
  await sleep(200); // the listener is waiting
  const started = now();
  await couch.http('PUT', `${db}/floor-${Date.now()}`, { x: 1 }, USER);
  const r = await heard;
  if (!r.json?.results?.length) throw new Error(`floor live feed heard nothing: ${r.text.slice(0, 200)}`);
  return now() - started;
}

// ---- Run

const { json: backup, ids } = library();
const wanted = ids.flatMap((id) => [`article.${id}`, `annotations.${id}`]);
console.log(`library: ${ARTICLES} articles, ${ARTICLES * PER} highlights, backup ${(backup.length / 1e6).toFixed(2)} M characters`);
const couch = await startCouch();
await couch.setup('warmup');
const server = await startServer({ '/': DIST });
const url = `${server.origin}/`;
const browser = await launch();
const rows = { push: [], pushFloor: [], pull: [], pullFloor: [], live: [], liveFloor: [] };
const detail = [];
const errors = [];
try {
  for (let rep = 1; rep <= REPS; rep++) {
    const db = `bench${rep}`;
    await couch.setup(db);
    const info = { rep };
    // A: the library, restored from the backup (not timed).
    const a = await device(browser, couch);
    await a.page.goto(`${url}#/`);
    await a.page.getByText('Export the library').click();
    const chooser = a.page.waitForEvent('filechooser');
    await a.page.getByRole('button', { name: 'Restore a backup or import annotations…' }).click();
    await (await chooser).setFiles([{ name: 'bench.json', mimeType: 'application/json', buffer: Buffer.from(backup) }]);
    await a.page.getByRole('status').filter({ hasText: 'Backup restored' }).waitFor({ timeout: 300_000 });
    await settled(a.page);
    await sleep(500);

    // push
    let save = await fillSync(a.page, couch, db);
    let busy0 = await a.busy();
    await save.click();
    let from = await a.clicked('Save and sync');
    await synced(a.page);
    let busy = await a.since(busy0);
    let to = await a.statusAt('synced', from);
    // Every document is there when "synced" shows (else the time until it is, polled).
    const allThere = async () => (await missingOnServer(couch, db, wanted)).length === 0;
    if (!(await allThere())) {
      await until(allThere, 120_000, 'every document on the server');
      to = Date.now();
    }
    rows.push.push(to - from);
    const pushed = await within(a, from, to);
    info.push = { ...phases(pushed, from, to), mainThread: busy };
    info.push.bulkBytes = pushed.reduce((n, r) => n + r.bytes, 0);
    info.push.lastBulkDocs = Math.max(...pushed.filter((r) => r.kind.includes('_bulk_docs')).map((r) => r.end)) - from;
    info.push.status = (await a.page.evaluate(() => window.__syncBench.status)).filter((x) => x.t >= from).map((x) => `${x.s} at ${Math.round(x.t - from)}`);
    const onServer = (await couch.http('GET', `${db}/_all_docs`)).json.rows.map((r) => r.id);
    info.serverDocs = onServer.length;
    info.serverOthers = onServer.filter((id) => !wanted.includes(id));
    const fp = await floorPush(couch, db, `${db}floor`);
    rows.pushFloor.push(fp.ms);
    info.pushFloor = fp;

    // pull
    const b = await device(browser, couch);
    await b.page.goto(`${url}#/a/seed`);
    await b.page.locator('article h1').waitFor();
    save = await fillSync(b.page, couch, db);
    busy0 = await b.busy();
    await save.click();
    from = await b.clicked('Save and sync');
    await synced(b.page);
    busy = await b.since(busy0);
    to = await b.statusAt('synced', from);
    const bHolds = async () => {
      const h = await deviceHolds(b.page);
      return ids.every((id) => h.listed.includes(id) && h.annotated.includes(id) && h.texts.includes(id));
    };
    if (!(await bHolds())) {
      await until(bHolds, 120_000, 'every article, its annotations and its text on B');
      to = Date.now();
    }
    rows.pull.push(to - from);
    info.pull = { ...phases(await within(b, from, to), from, to), mainThread: busy };
    info.pull.status = (await b.page.evaluate(() => window.__syncBench.status)).filter((x) => x.t >= from).map((x) => `${x.s} at ${Math.round(x.t - from)}`);
    info.pullFloor = await floorPull(couch, db);
    rows.pullFloor.push(info.pullFloor.ms);

    // live: one highlight on A (on the sample article) reaching B (open on it).
    await closeSync(a.page);
    await closeSync(b.page);
    await a.page.evaluate(() => {
      location.hash = '#/a/seed';
    });
    await a.page.locator('article h1').waitFor();
    await synced(a.page);
    await synced(b.page);
    await sleep(2000); // the rounds the two first syncs caused have ended; both wait on the live feed
    await synced(a.page);
    await synced(b.page);
    await dragSelect(a.page, { block: 0, text: 'активный диалог' }, { block: 0, text: 'активный диалог' });
    const button = a.page.getByRole('toolbar').getByRole('button', { name: 'Highlight in yellow' });
    await button.waitFor();
    // B watches for the yellow highlight each frame and says when it came (epoch ms).
    const painted = b.page.evaluate(
      () =>
        new Promise((ok, ko) => {
          const until = performance.now() + 60_000;
          const tick = () => {
            if (CSS.highlights.get('lectern-yellow')?.size > 0) ok(performance.timeOrigin + performance.now());
            else if (performance.now() > until) ko(new Error('not painted on B within 60 s'));
            else requestAnimationFrame(tick);
          };
          tick();
        }),
    );
    await button.click();
    from = await a.clicked('Highlight in yellow');
    to = await painted;
    rows.live.push(to - from);
    const heard = (await b.requests()).filter((r) => r.kind.includes('live feed') && r.end >= from && r.end <= to).map((r) => r.end - from);
    info.live = {
      a: phases(await within(a, from, to), from, to),
      b: phases(await within(b, from, to), from, to),
      bHeardAfter: heard.length ? Math.min(...heard) : null,
    };
    rows.liveFloor.push(await floorLive(couch, db));
    await settled(a.page);
    for (const d of [a, b]) errors.push(...d.errors.map((e) => `rep ${rep}: ${e}`));
    detail.push(info);
    console.log(
      `rep ${rep}: push ${rows.push.at(-1).toFixed(0)} ms (floor ${rows.pushFloor.at(-1).toFixed(0)}), pull ${rows.pull.at(-1).toFixed(0)} ms (floor ${rows.pullFloor.at(-1).toFixed(0)}), live ${rows.live.at(-1).toFixed(0)} ms (floor ${rows.liveFloor.at(-1).toFixed(0)})`,
    );
    await a.context.close();
    await b.context.close();
  }
} finally {
  await browser.close();
  await server.close();
  await couch.close();
}
errors.push(...takeViolations().map((v) => `CSP: ${v}`));

// ---- Results

const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), all: xs });
const ratios = (xs, fs) => stat(xs.map((x, i) => x / fs[i]));
const result = {
  articles: ARTICLES,
  highlights: ARTICLES * PER,
  reps: REPS,
  date: new Date().toISOString(),
  push: stat(rows.push),
  pushFloor: stat(rows.pushFloor),
  pushRatio: ratios(rows.push, rows.pushFloor),
  pull: stat(rows.pull),
  pullFloor: stat(rows.pullFloor),
  pullRatio: ratios(rows.pull, rows.pullFloor),
  live: stat(rows.live),
  liveFloor: stat(rows.liveFloor),
  liveRatio: ratios(rows.live, rows.liveFloor),
  detail,
  errors,
};
mkdirSync(OUT, { recursive: true });
writeFileSync(resolve(OUT, 'sync.json'), JSON.stringify(result, null, 2));

const s = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const range = (st) => `${s(st.median)} (${s(st.min)}–${s(st.max)})`;
const ratio = (a, f, r) => `${(a.median / f.median).toFixed(1)}× (per repetition ${r.min.toFixed(1)}–${r.max.toFixed(1)}×)`;
const med = (f) => median(detail.map(f));
const kinds = (pick) => {
  const names = [...new Set(detail.flatMap((d) => Object.keys(pick(d).byKind)))];
  return names
    .map((k) => ({ k, n: med((d) => pick(d).byKind[k]?.n ?? 0), ms: med((d) => pick(d).byKind[k]?.ms ?? 0) }))
    .sort((x, y) => y.ms - x.ms)
    .map(({ k, n, ms }) => `${k} ×${n} ${s(ms)}`)
    .join('; ');
};
const where = (name, pick) =>
  `- ${name}: ${s(med((d) => pick(d).total))}; the page waited on the server ${s(med((d) => pick(d).waiting))} (${med((d) => pick(d).requests)} requests, and ${med((d) => pick(d).preflights)} CORS preflights (OPTIONS) in the same time: ${kinds(pick)}) and worked between requests ${s(med((d) => pick(d).between))}, of which ${s(med((d) => pick(d).firstRequest))} before the first request and ${s(med((d) => pick(d).total - pick(d).lastAnswer))} after the last answer; until "synced" showed, the page's main thread ran tasks for ${s(med((d) => pick(d).mainThread.wall))} (wall clock) using ${s(med((d) => pick(d).mainThread.cpu))} of CPU.`;
const md = `Sync benchmark: ${ARTICLES} articles, ${ARTICLES * PER} highlights (backup ${(backup.length / 1e6).toFixed(2)} M characters; ${med((d) => d.serverDocs)} documents on the server, ${(med((d) => d.pushFloor.bytes) / 1e6).toFixed(2)} MB of JSON), ${REPS} repetitions, ${result.date.slice(0, 10)}.

| figure | Lectern, median (min–max) | plain HTTP floor, median (min–max) | ratio of medians |
|---|---:|---:|---:|
| first sync, device with the library → empty database | ${range(result.push)} | ${range(result.pushFloor)} | ${ratio(result.push, result.pushFloor, result.pushRatio)} |
| first sync, empty device ← that database | ${range(result.pull)} | ${range(result.pullFloor)} | ${ratio(result.pull, result.pullFloor, result.pullRatio)} |
| one new highlight, device A → painted on device B | ${range(result.live)} | ${range(result.liveFloor)} | ${ratio(result.live, result.liveFloor, result.liveRatio)} |

Where the time goes (medians over the repetitions; request times as the page waited for them):
${where('push (A)', (d) => d.push)} The last \`_bulk_docs\` was answered at ${s(med((d) => d.push.lastBulkDocs))}; the app's \`_bulk_docs\` sent ${(med((d) => d.push.bulkBytes) / 1e6).toFixed(2)} MB, the floor's ${(med((d) => d.pushFloor.bytes) / 1e6).toFixed(2)} MB.
${where('pull (B)', (d) => d.pull)}
- live: A's first request ${s(med((d) => d.live.a.firstRequest))} after the click, its last answer at ${s(med((d) => d.live.a.lastAnswer))} (${med((d) => d.live.a.requests)} requests, ${med((d) => d.live.a.preflights)} preflights: ${kinds((d) => d.live.a)}); B's live feed answered at ${s(med((d) => d.live.bHeardAfter))}, B's round's last answer at ${s(med((d) => d.live.b.lastAnswer))} (${med((d) => d.live.b.requests)} requests, ${med((d) => d.live.b.preflights)} preflights: ${kinds((d) => d.live.b)}); painted on B at ${s(result.live.median)}.
${errors.length ? `\nPage errors (${errors.length}): ${errors.slice(0, 5).join(' | ')}\n` : ''}`;
writeFileSync(resolve(OUT, 'sync.md'), md);
console.log(`\n${md}`);
process.exit(0);
