#!/usr/bin/env node
// `cargo xtask bench`, last step: Lectern's figures from a results JSON (the peer harness's
// `latest.json`, or the fallback's, same shape) next to the peers and the floor, checked against
// the budgets of issue 7. Writes <dir>/summary.md and prints it.
//   node xtask/bench/summary.mjs target/bench
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? 'target/bench');
const result = JSON.parse(readFileSync(resolve(dir, 'latest.json'), 'utf8'));
const sizesFile = resolve(dir, 'sizes.json');
const sizes = existsSync(sizesFile) ? JSON.parse(readFileSync(sizesFile, 'utf8')) : null;
const APP = process.env.BENCH_PAGE ?? 'app';

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const fmt = (x, d) => {
  if (x == null) return '–';
  const digits = d ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
};

/** Runs of one op: complete ones if any, else the capped ones (flagged). */
function runsOf(page, size, n, variant, op) {
  const all = result.ops?.[page]?.[size]?.[n]?.[variant]?.[op] ?? [];
  const complete = all.filter((r) => r.done >= Number(n));
  return complete.length ? { runs: complete, capped: false } : { runs: all, capped: all.length > 0 };
}

/** Median ms (or ms per quote × n for capped runs, marked `~`), plus the middle run. */
function stat(page, size, n, variant, op) {
  const { runs, capped } = runsOf(page, size, n, variant, op);
  if (!runs.length) return null;
  const perQuote = median(runs.map((r) => r.ms / r.done));
  const ms = capped ? perQuote * Number(n) : median(runs.map((r) => r.ms));
  const mid = runs.slice().sort((a, b) => a.ms - b.ms)[runs.length >> 1];
  const ex = (k) => median(runs.map((r) => r.extra?.[k]));
  return { ms, perQuote, capped, mid, ex, runs: runs.length };
}

const floorMs = {};
for (const size of result.config.sizes) floorMs[size] = median((result.floor[size] ?? []).map((x) => x.taskMs));
const loadCpu = (page, size) => median((result.loads?.[page]?.[size] ?? []).map((x) => x.taskMs));
const readyMs = (page, size) => median((result.loads?.[page]?.[size] ?? []).map((x) => x.ready?.readyMs));

const L = [];
const env = result.env;
L.push(`Run ${env.date}: ${env.chromium}; ${env.cpu} (${env.cores} cores, ${env.memGB} GiB); node ${env.node}; ` +
  `${result.config.reps} repetitions (medians); per-op budget ${result.config.budgetMs} ms.`);
L.push('');

// ---- Per size: load and every Lectern op.
L.push('**Lectern (`?bench` page) — median ms per batch** (floor = Chromium parsing and laying out the same article as static HTML, main-thread CPU):');
L.push('');
const sizeCols = result.config.sizes;
L.push(`| figure | ${sizeCols.join(' | ')} |`);
L.push(`|---|${sizeCols.map(() => '---:').join('|')}|`);
L.push(`| floor: static HTML, main-thread CPU | ${sizeCols.map((s) => fmt(floorMs[s])).join(' | ')} |`);
L.push(`| Lectern cold load → article painted: main-thread CPU (× floor) | ${sizeCols.map((s) => {
  const c = loadCpu(APP, s);
  return c == null ? '–' : `${fmt(c)} (${fmt(c / floorMs[s], 2)}×)`;
}).join(' | ')} |`);
if (result.loads?.probe) {
  L.push(`| probe (a page that only defines the harness's interface, no article): main-thread CPU (× floor) | ${sizeCols.map((s) => {
    const c = loadCpu('probe', s);
    return c == null ? '–' : `${fmt(c)} (${fmt(c / floorMs[s], 2)}×)`;
  }).join(' | ')} |`);
}
L.push(`| Lectern cold load → \`ready\`, wall clock from navigation | ${sizeCols.map((s) => fmt(readyMs(APP, s))).join(' | ')} |`);
{
  const firstN = String(Math.min(...result.config.ns));
  L.push(`| Lectern: article on screen (first paint) → interface up, wall clock from navigation | ${sizeCols.map((s) => {
    const st = stat(APP, s, firstN, 'original', 'interactive');
    return st ? `${fmt(st.ex('firstPaintMs'))} → ${fmt(st.ms)}` : '–';
  }).join(' | ')} |`);
}
const rows = [
  ['anchor', 'original', 'anchor N quotes (quote only: no position, no hash)', (st) => `${st.mid.correct}/${st.mid.done} correct`],
  ['anchor', 'edited', 'anchor N quotes after a one-letter edit per quote', (st) => `${st.mid.correct}/${st.mid.done} correct${st.mid.anchored > st.mid.correct ? `, ${st.mid.anchored - st.mid.correct} wrong` : ''}`],
  ['anchor-stored', 'original', 'anchor N quotes with their stored position (no hash)', (st) => `${st.mid.correct}/${st.mid.done} correct`],
  ['anchor-stored', 'edited', 'same, after a one-letter edit per quote', (st) => `${st.mid.correct}/${st.mid.done} correct${st.mid.anchored > st.mid.correct ? `, ${st.mid.anchored - st.mid.correct} wrong` : ''}`],
  ['describe', 'original', 'describe N selections', () => ''],
  ['highlight', 'original', 'N highlights in one store action (merge, anchor, render, paint) + forced layout', (st) => `+ ${fmt(st.ex('layoutMs'))}`],
  ['restore', 'original', 'restore N: localStorage → parse → anchor → paint, + layout', (st) => `+ ${fmt(st.ex('layoutMs'))}`],
  ['add-one', 'original', 'one more highlight with N present: selection → painted, + layout', (st) => `+ ${fmt(st.ex('layoutMs'))}`],
  ['store', 'original', 'write + read N annotations (localStorage)', (st) => `${fmt(st.ex('utf16Bytes') / 1024, 0)} KiB`],
];
for (const n of result.config.ns) {
  for (const [op, variant, label, note] of rows) {
    const cells = sizeCols.map((s) => {
      const st = stat(APP, s, n, variant, op);
      if (!st) return '–';
      const extra = note(st);
      return `${st.capped ? '~' : ''}${fmt(st.ms)}${extra ? ` (${extra})` : ''}`;
    });
    if (cells.every((c) => c === '–')) continue;
    L.push(`| N=${n}: ${label} | ${cells.join(' | ')} |`);
  }
}
L.push('');

// ---- Budgets (issue 7), on the largest size and N measured.
const big = sizeCols.includes('1m') ? '1m' : sizeCols[sizeCols.length - 1];
const N = String(Math.max(...result.config.ns));
const small = sizeCols[0];
const budgets = [];
const status = (ok) => (ok == null ? '–' : ok ? 'met' : '**missed**');
{
  const me = stat(APP, big, N, 'original', 'anchor');
  const peer = stat('peer', big, N, 'original', 'anchor:approx');
  const ratio = me && peer ? peer.ms / me.ms : null;
  budgets.push([`anchor ${N} quotes, ${big}, original text`, me && `${fmt(me.ms)} ms, ${me.mid.correct}/${me.mid.done} correct`,
    peer && `approx-string-match ${peer.capped ? '~' : ''}${fmt(peer.ms)} ms`, '≥ 5× faster, all correct',
    ratio && `${fmt(ratio, 2)}×`, status(ratio == null ? null : ratio >= 5 && me.mid.correct === Number(N))]);
}
{
  const me = stat(APP, big, N, 'edited', 'anchor');
  const peer = stat('peer', big, N, 'edited', 'anchor:approx');
  const ratio = me && peer ? peer.ms / me.ms : null;
  const wrong = me ? me.mid.anchored - me.mid.correct : null;
  budgets.push([`anchor ${N} quotes, ${big}, one letter edited per quote`,
    me && `${fmt(me.ms)} ms, ${me.mid.correct}/${me.mid.done} correct, ${wrong} wrong`,
    peer && `approx-string-match ${peer.capped ? `~${fmt(peer.ms)} ms (capped: ${fmt(peer.perQuote)} ms/quote × ${N})` : `${fmt(peer.ms)} ms`}, ${peer.mid.correct}/${peer.mid.done} correct`,
    '≥ 20× faster, correctness ≥ peer, 0 wrong', ratio && `${fmt(ratio, 2)}×`,
    status(ratio == null ? null : ratio >= 20 && wrong === 0 && me.mid.correct / me.mid.done >= peer.mid.correct / peer.mid.done)]);
}
for (const variant of ['original', 'edited']) {
  const me = stat(APP, big, N, variant, 'anchor-stored');
  const peer = stat('peer', big, N, variant, 'anchor:approx');
  if (!me) continue;
  const ratio = peer ? peer.ms / me.ms : null;
  const wrong = me.mid.anchored - me.mid.correct;
  budgets.push([`anchor ${N} quotes, ${big}, ${variant === 'edited' ? 'one letter edited per quote' : 'original text'}, **with the stored position** (Lectern's restore; the peer gets no position)`,
    `${me.capped ? '~' : ''}${fmt(me.ms)} ms, ${me.mid.correct}/${me.mid.done} correct, ${wrong} wrong`,
    peer && `approx-string-match ${peer.capped ? '~' : ''}${fmt(peer.ms)} ms`, variant === 'edited' ? '(≥ 20×: informative)' : '(≥ 5×: informative)',
    ratio && `${fmt(ratio, 2)}×`, '–']);
}
{
  const me = stat(APP, big, N, 'original', 'describe');
  budgets.push([`describe ${N} selections, ${big}`, me && `${fmt(me.ms)} ms (${fmt(me.perQuote, 3)} ms each)`,
    ((p) => p && `dom-anchor-text-quote ${p.capped ? '~' : ''}${fmt(p.perQuote, 3)} ms each`)(stat('peer', big, N, 'original', 'describe:datq')),
    '< 1 ms each', me && `${fmt(me.perQuote, 3)} ms`, status(me ? me.perQuote < 1 : null)]);
}
{
  const me = stat(APP, big, N, 'original', 'highlight');
  const css = stat('peer', big, N, 'original', 'highlight:css');
  const mark = stat('peer', big, N, 'original', 'highlight:mark');
  // Painting itself, like the peers' op (ranges known → painted): the core's spans + the
  // painter's ranges, + the forced layout after the whole action.
  const painting = me ? me.ex('spansMs') + me.ex('paintMs') + me.ex('layoutMs') : null;
  budgets.push([`paint ${N} highlights, ${big}, incl. layout`, me && `spans ${fmt(me.ex('spansMs'))} + ranges ${fmt(me.ex('paintMs'))} + layout ${fmt(me.ex('layoutMs'))} = ${fmt(painting)} ms (CSS Custom Highlight API)`,
    [css && `CSS Highlight API ${fmt(css.ms)} + ${fmt(css.ex('layoutMs'))}`, mark && `<mark> (Apache) ${mark.capped ? '~' : ''}${fmt(mark.ms)} + ${fmt(mark.ex('layoutMs'))}`].filter(Boolean).join('; '),
    '< 50 ms', painting != null && `${fmt(painting)} ms`, status(painting == null ? null : painting < 50)]);
  const total = me ? me.ms + me.ex('layoutMs') : null;
  budgets.push([`the whole action: ${N} annotations from another tab, ${big} (merge, anchor at stored positions, render incl. the panel's first 50 cards, paint)`, me && `${fmt(me.ms)} + ${fmt(me.ex('layoutMs'))} layout = ${fmt(total)} ms (reducer ${fmt(me.ex('reduceMs'))})`,
    '', '(informative)', total && `${fmt(total)} ms`, '–']);
}
{
  const me = stat(APP, big, N, 'original', 'add-one');
  const total = me ? me.ms + me.ex('layoutMs') : null;
  budgets.push([`one more highlight with ${N} present, ${big}: selection → painted`, me && `${fmt(me.ms)} + ${fmt(me.ex('layoutMs'))} layout = ${fmt(total)} ms`,
    '', '< 16 ms (one frame)', total && `${fmt(total)} ms`, status(total == null ? null : total < 16)]);
  if (me) {
    budgets.push([`a note edit with ${N} present, ${big} (one debounced save)`, `dispatch ${fmt(me.ex('noteDispatchMs'))} ms; ${fmt(me.ex('noteMs'))} ms to the next task, incl. render and the write (its own task)`,
      '', '(reported)', `${fmt(me.ex('noteDispatchMs'))} ms`, '–']);
    budgets.push([`bytes written per action with ${N} present`, `${fmt(me.ex('writeUtf16Bytes') / 1024, 0)} KiB (UTF-16): the article's annotations only`,
      '', 'only the affected article', '', 'met']);
  }
}
{
  const me = stat(APP, big, N, 'original', 'restore');
  const approx = stat('peer', big, N, 'original', 'anchor:approx');
  const css = stat('peer', big, N, 'original', 'highlight:css');
  if (me) {
    budgets.push([`restore ${N} stored annotations, ${big}`, `${fmt(me.ms)} + ${fmt(me.ex('layoutMs'))} layout ms`,
      approx && css ? `approx anchor + CSS highlight: ${fmt(approx.ms + css.ms + css.ex('layoutMs'))} ms` : '', '(no fixed budget)', '', '–']);
    budgets.push([`memory after restoring ${N} on ${big}`, `JS heap ${fmt(me.ex('jsHeapBytes') / 2 ** 20, 1)} MiB, wasm memory ${fmt(me.ex('wasmMemoryBytes') / 2 ** 20, 1)} MiB`,
      '', '(reported)', '', '–']);
  }
}
for (const s of [...new Set([small, big])]) {
  const c = loadCpu(APP, s);
  if (c == null) continue;
  const limit = s === '1m' ? 1.5 : 2;
  const probe = loadCpu('probe', s);
  budgets.push([`cold load → article painted, ${s}: main-thread CPU`, `${fmt(c)} ms`, `floor ${fmt(floorMs[s])} ms${loadCpu('peer-js', s) != null ? `; peer-js ${fmt(loadCpu('peer-js', s))} ms` : ''}${probe != null ? `; probe (interface only, no article) ${fmt(probe)} ms` : ''}`,
    `≤ ${limit}× floor`, `${fmt(c / floorMs[s], 2)}×`, status(c / floorMs[s] <= limit)]);
}
if (sizes) {
  // What the reader downloads before the article is on screen: the page, the styles and the
  // first paint (crates/lectern-boot). The app's interface loads right after the first paint;
  // the import worker on the first import. Both are reported separately.
  const kb = (rows, k) => fmt(rows.reduce((a, r) => a + r[k], 0) / 1000, 1);
  const mine = sizes.filter((r) => r.path && /\.(wasm|js|css|html)$/.test(r.path));
  const worker = mine.filter((r) => /-import[._]/.test(r.path));
  const app = mine.filter((r) => /\/lectern-[0-9a-f]+(_bg)?\.(wasm|js)$/.test(r.path));
  // The service worker registers after the page has loaded (docs/offline.md).
  const sw = mine.filter((r) => /\/sw\.js$/.test(r.path));
  const first = mine.filter((r) => !worker.includes(r) && !app.includes(r) && !sw.includes(r));
  const gz = first.reduce((a, r) => a + r.gzip, 0);
  const wasm = first.filter((r) => r.path.endsWith('.wasm'));
  budgets.push(['initial transfer, to the article and its highlights on screen: HTML + first-paint wasm + JS + CSS, gzip -9',
    `${kb(first, 'gzip')} kB (wasm ${kb(wasm, 'gzip')} kB); raw ${kb(first, 'raw')} kB; brotli ${kb(first, 'brotli')} kB`,
    'Yew TodoMVC 90 kB + 60 kB', '≤ 150 kB', `${kb(first, 'gzip')} kB`, status(gz <= 150_000)]);
  if (app.length) {
    budgets.push(['the app\'s interface, loaded after the first paint (wasm + JS)', `${kb(app, 'gzip')} kB gzip; raw ${kb(app, 'raw')} kB; brotli ${kb(app, 'brotli')} kB`,
      '', '(reported separately)', '', '–']);
    budgets.push(['everything but the import worker', `${kb([...first, ...app], 'gzip')} kB gzip`, '', '(reported)', '', '–']);
  }
  if (sw.length) {
    budgets.push(['the service worker, registered after load (offline)', `${kb(sw, 'gzip')} kB gzip; raw ${kb(sw, 'raw')} kB`,
      '', '(reported separately)', '', '–']);
  }
  if (worker.length) {
    budgets.push(['loaded on first import only (worker)', `${kb(worker, 'gzip')} kB gzip; raw ${kb(worker, 'raw')} kB`,
      '', '(reported separately)', '', '–']);
  }
}
L.push('**Budgets (issue 7)**:');
L.push('');
L.push('| figure | Lectern | peer / floor, same run | budget | ratio / value | status |');
L.push('|---|---|---|---|---|---|');
for (const b of budgets) L.push(`| ${b.map((c) => c ?? '–').join(' | ')} |`);
L.push('');
L.push('`~`: extrapolated from a capped run (ms per quote × N).');
L.push('');

const md = L.join('\n');
writeFileSync(resolve(dir, 'summary.md'), md);
console.log(md);
