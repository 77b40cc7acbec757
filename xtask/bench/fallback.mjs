#!/usr/bin/env node
// `cargo xtask bench` without the peer harness (../shared/bench): Lectern's `?bench` page and
// the static-HTML floor only, on texts generated like the harness's (see README "Performance"
// for the differences). Writes <out>/latest.json in the harness's shape, which summary.mjs reads.
//   node xtask/bench/fallback.mjs --seed-file assets/seed-article-ru.txt --app target/bench-dist
//        --out target/bench [--sizes 10k,100k,1m] [--n 100,1000] [--reps 3] [--budget-ms 20000]
import http from 'node:http';
import os from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve, dirname, extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(resolve(root, 'e2e/package.json'))('playwright-core');

const { values } = parseArgs({
  strict: false,
  options: {
    'seed-file': { type: 'string', default: resolve(root, 'assets/seed-article-ru.txt') },
    app: { type: 'string', default: resolve(root, 'target/bench-dist') },
    out: { type: 'string', default: resolve(root, 'target/bench') },
    sizes: { type: 'string', default: '10k,100k,1m' },
    n: { type: 'string', default: '100,1000' },
    reps: { type: 'string', default: '3' },
    'budget-ms': { type: 'string', default: '20000' },
  },
});
const sizes = values.sizes.split(',');
const ns = values.n.split(',').map(Number);
const reps = Number(values.reps);
const budgetMs = Number(values['budget-ms']);
const COPIES = { '10k': 1, '100k': 10, '1m': 100 };
const CONTEXT = 32;

// ---- Corpus: copy 1 is the seed's lines; further copies shuffle the words of each line.
function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const seedLines = readFileSync(values['seed-file'], 'utf8').replace(/\r\n?/g, '\n').split('\n')
  .map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean);
function article(size) {
  const rnd = mulberry32(42);
  const paras = [];
  for (let c = 0; c < (COPIES[size] ?? 1); c++) {
    for (const line of seedLines) {
      if (c === 0) { paras.push(line); continue; }
      const w = line.split(' ');
      for (let i = w.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [w[i], w[j]] = [w[j], w[i]];
      }
      paras.push(w.join(' '));
    }
  }
  return paras;
}
function quotes(text, n) {
  const rnd = mulberry32(42 + n);
  const words = [...text.matchAll(/\S+/g)].map((m) => [m.index, m.index + m[0].length]);
  const out = [];
  for (let id = 0; id < n; id++) {
    const len = 5 + Math.floor(rnd() * 56);
    const first = Math.floor(rnd() * Math.max(1, words.length - len));
    const start = words[first][0];
    const end = words[Math.min(words.length - 1, first + len - 1)][1];
    out.push({ id, start, end, words: len, exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT), start), suffix: text.slice(end, end + CONTEXT) });
  }
  return out;
}
function edited(text, qs) {
  const chars = [...text];
  for (const q of qs) {
    for (let i = (q.start + q.end) >> 1; i < q.end; i++) {
      if (/\p{L}/u.test(chars[i])) { chars[i] = chars[i] === 'а' ? 'о' : 'а'; break; }
    }
  }
  return chars.join('');
}
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const html = (paras) => '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>floor</title></head>' +
  `<body><article id="article">${paras.map((p) => `<p>${esc(p)}</p>`).join('\n')}</article></body></html>`;

const data = new Map();
const corpus = {};
for (const size of sizes) {
  const paras = article(size);
  const text = paras.join('\n');
  data.set(`article-${size}.txt`, text);
  data.set(`article-${size}.html`, html(paras));
  for (const n of ns) {
    const qs = quotes(text, n);
    corpus[`${size}:${n}`] = qs;
    data.set(`article-${size}-edited-n${n}.txt`, edited(text, qs));
  }
}

// ---- Server on 127.0.0.1: /data/ from memory, /app/ from the bench build.
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8' };
const HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
const appDir = resolve(values.app);
const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, 'http://x').pathname;
    let body;
    let type;
    if (path.startsWith('/data/') && data.has(path.slice(6))) {
      body = Buffer.from(data.get(path.slice(6)));
      type = TYPES[extname(path)];
    } else if (path === '/blank.html') {
      body = Buffer.from('<!doctype html><title>blank</title>');
      type = TYPES['.html'];
    } else if (path.startsWith('/app/')) {
      let file = normalize(resolve(appDir, decodeURIComponent(path.slice(5)) || '.'));
      if (file !== appDir && !file.startsWith(appDir + sep)) throw new Error('forbidden');
      if ((await stat(file)).isDirectory()) file = resolve(file, 'index.html');
      body = await readFile(file);
      type = TYPES[extname(file)] ?? 'application/octet-stream';
    } else throw new Error('not found');
    res.writeHead(200, { 'Content-Type': type, ...HEADERS });
    res.end(body);
  } catch {
    res.writeHead(404, HEADERS);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const metrics = async (cdp) => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
async function open(url, bench) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.goto(`${origin}/blank.html`);
  const m0 = await metrics(cdp);
  await page.goto(url, { waitUntil: 'load', timeout: 180_000 });
  let ready = null;
  if (bench) {
    await page.waitForFunction(() => !!window.annotatorBench, null, { timeout: 180_000 });
    ready = await page.evaluate(() => window.annotatorBench.ready);
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const m1 = await metrics(cdp);
  const d = (k) => ((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000;
  return { ctx, page, load: { ready, taskMs: d('TaskDuration'), layoutMs: d('LayoutDuration'), styleMs: d('RecalcStyleDuration'), jsHeapMB: (m1.JSHeapUsedSize ?? 0) / 1e6 } };
}

const result = {
  env: { date: new Date().toISOString(), chromium: browser.version(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGB: Math.round(os.totalmem() / 2 ** 30), harness: 'fallback (xtask/bench/fallback.mjs)' },
  config: { sizes, ns, reps, budgetMs },
  floor: {}, loads: {}, ops: { app: {} }, textCheck: {},
};
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);
const appUrl = (file) => `${origin}/app/index.html?bench&text=${encodeURIComponent(`${origin}/data/${file}`)}`;
async function runOp(page, size, n, variant, op, tol) {
  const qs = corpus[`${size}:${n}`];
  const r = await page.evaluate(([name, p]) => window.annotatorBench.run(name, p), [op.name, { quotes: qs, budgetMs }]);
  const entry = { ms: r.ms, done: r.done, extra: r.extra ?? null };
  if (r.results) {
    entry.anchored = r.results.filter(Boolean).length;
    entry.correct = r.results.filter((x, i) => x && Math.abs(x.start - qs[i].start) <= tol && Math.abs(x.end - qs[i].end) <= tol).length;
  }
  ((((result.ops.app[size] ??= {})[n] ??= {})[variant] ??= {})[op.name] ??= []).push(entry);
  log(`rep ${size} n${n} ${variant} ${op.name}: ${r.ms.toFixed(1)} ms (${r.done}/${n})${entry.correct !== undefined ? ` ok ${entry.correct}` : ''}`);
}
for (let rep = 0; rep < reps; rep++) {
  for (const size of sizes) {
    const floor = await open(`${origin}/data/article-${size}.html`, false);
    (result.floor[size] ??= []).push(floor.load);
    await floor.ctx.close();
    log(`rep ${rep} ${size} floor: task ${floor.load.taskMs.toFixed(1)} ms`);
    const main = await open(appUrl(`article-${size}.txt`), true);
    (result.loads.app ??= {})[size] = [...(result.loads.app[size] ?? []), main.load];
    log(`rep ${rep} ${size} app load: ready ${main.load.ready.readyMs.toFixed(0)} ms, task ${main.load.taskMs.toFixed(1)} ms`);
    result.textCheck[`app:article-${size}`] = (await main.page.evaluate(() => window.annotatorBench.articleText())) === data.get(`article-${size}.txt`);
    const ops = await main.page.evaluate(() => window.annotatorBench.ops());
    for (const n of ns) for (const op of ops.filter((o) => !o.mutates)) await runOp(main.page, size, n, 'original', op, 0);
    await main.ctx.close();
    for (const n of ns) {
      for (const op of ops.filter((o) => o.mutates)) {
        const p = await open(appUrl(`article-${size}.txt`), true);
        await runOp(p.page, size, n, 'original', op, 0);
        await p.ctx.close();
      }
      const e = await open(appUrl(`article-${size}-edited-n${n}.txt`), true);
      for (const op of ops.filter((o) => o.kind === 'anchor')) await runOp(e.page, size, n, 'edited', op, 3);
      await e.ctx.close();
    }
  }
}
await browser.close();
server.close();
mkdirSync(values.out, { recursive: true });
writeFileSync(resolve(values.out, 'latest.json'), JSON.stringify(result, null, 1) + '\n');
log(`wrote ${resolve(values.out, 'latest.json')}`);
