#!/usr/bin/env node
// Where the first anchoring in a fresh page spends its time: opens the `?bench` page (a bench
// build) in a fresh Chromium context per repetition, records a trace of the `anchor` op (the
// peer corpus's 1,000 quotes, quote only) and sums, between the op's `lectern-anchor-start`
// and `lectern-anchor-end` marks: the functions V8 compiled on their first call on the main
// thread (`wasm.CompileLazy`: count, thread CPU, wall), the longest such compile, and the
// optimising compiler's time on worker threads (`wasm.TopTierCompilation`). A diagnostic, not
// a benchmark (tracing costs time too); docs/performance.md reports what it showed.
//   cargo xtask bench --sizes 10k --n 1000 --reps 1     # once: the corpus in target/peer
//   trunk build --release --features bench --public-url /app/ --dist target/bench-dist
//   node xtask/bench/trace-anchor.mjs [--dist target/bench-dist] [--size 10k] [--reps 7]
//        [--js-flags '...']
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(resolve(root, 'e2e/package.json'))('playwright-core');
const { startServer } = await import(resolve(root, 'e2e/lib.mjs'));
const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: resolve(root, 'target/bench-dist') },
    data: { type: 'string', default: resolve(root, 'target/peer/bench/peer/data') },
    size: { type: 'string', default: '10k' },
    reps: { type: 'string', default: '7' },
    'js-flags': { type: 'string', default: '' },
  },
});

const server = await startServer({ '/app/': resolve(values.dist), '/data/': resolve(values.data) });
const { origin } = server;

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
if (values['js-flags']) args.push(`--js-flags=${values['js-flags']}`);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const quotes = JSON.parse(readFileSync(resolve(values.data, `quotes-${values.size}-n1000.json`), 'utf8')).quotes;
const categories = ['v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'blink.user_timing', 'toplevel'];

for (let rep = 0; rep < Number(values.reps); rep++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${origin}/app/index.html?bench&text=${origin}/data/article-${values.size}.txt`);
  await page.waitForFunction(() => !!window.annotatorBench);
  await page.evaluate(() => window.annotatorBench.ready);
  await browser.startTracing(page, { categories });
  const r = await page.evaluate((q) => window.annotatorBench.run('anchor', { quotes: q, budgetMs: 20000 }), quotes);
  await new Promise((ok) => setTimeout(ok, 200));
  const trace = JSON.parse(await browser.stopTracing());
  await ctx.close();
  const events = trace.traceEvents ?? trace;
  const at = (name) => events.find((e) => e.name === name)?.ts;
  const [s, t] = [at('lectern-anchor-start'), at('lectern-anchor-end')];
  if (s === undefined || t === undefined) throw new Error('no lectern-anchor marks: not a bench build of this version?');
  const spans = events.filter((e) => e.ph === 'X' && e.dur !== undefined);
  const overlap = (e) => Math.max(0, Math.min(e.ts + e.dur, t) - Math.max(e.ts, s));
  const lazy = spans.filter((e) => e.name === 'wasm.CompileLazy' && e.ts >= s && e.ts <= t);
  const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0) / 1000;
  const top = sum(spans.filter((e) => e.name === 'wasm.TopTierCompilation'), overlap);
  const f = (x) => x.toFixed(2);
  console.log(`op ${f(r.ms)} ms (marks ${f((t - s) / 1000)}) | compiled on first call: ${lazy.length} functions,` +
    ` CPU ${f(sum(lazy, (e) => e.tdur ?? 0))} ms, wall ${f(sum(lazy, (e) => e.dur))} ms,` +
    ` longest ${f(Math.max(0, ...lazy.map((e) => e.dur)) / 1000)} ms | optimising compiler on workers ${f(top)} ms`);
}
await browser.close();
await server.close();
