#!/usr/bin/env node
// Trunk's post-build hook (Trunk.toml `[[hooks]]`): writes the build's service worker and
// stamps the page with its build id. Node's standard library only, so it runs wherever the
// build runs (docs/offline.md).
//
//   node tools/precache.mjs                          as a hook: TRUNK_STAGING_DIR, TRUNK_PUBLIC_URL,
//                                                    TRUNK_PROFILE, TRUNK_SOURCE_DIR from Trunk
//   node tools/precache.mjs --dist DIR [--public-url /x/] [--profile release]
//                                                    again over a finished build (the tests do)
//
// 1. Every file of the build but sw.js is listed with its SHA-384 (subresource integrity)
//    digest; the page is listed as the scope URL "./". The list is the build: nothing is named
//    by hand, and a file that is added to the build is cached by the next build's worker.
// 2. The build id is a digest of that list (the page with its own stamps taken out) and of
//    web/sw.js, so the same files give the same id and any change gives a new one.
// 3. index.html: the loader's `data-build` and `data-sw` (and the `?build=` of the files with
//    fixed names) get their values; every `integrity` attribute is checked against its file;
//    a release page with an inline script, or without its Content-Security-Policy, fails the
//    build. A debug build (`trunk serve`) allows inline script, for the live-reload script
//    Trunk's server injects and rewrites on each request (so no hash of it can be known here).
// 4. sw.js = `self.LECTERN = {build, dev, files}` + web/sw.js. A debug build's worker only
//    removes itself (`dev`): no cache between a developer and a rebuild.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`precache: error: ${message}`);
  process.exit(1);
}

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (!key.startsWith('--') || value === undefined) fail(`usage: precache.mjs [--dist DIR] [--public-url URL] [--profile release|debug]; got ${argv.join(' ')}`);
    out[key.slice(2)] = value;
  }
  return out;
}

const opts = args(process.argv.slice(2));
const dist = opts.dist ?? process.env.TRUNK_STAGING_DIR;
const publicUrl = opts['public-url'] ?? process.env.TRUNK_PUBLIC_URL ?? '/';
const profile = opts.profile ?? process.env.TRUNK_PROFILE ?? 'release';
const source = process.env.TRUNK_SOURCE_DIR ?? ROOT;
if (!dist) fail('no build directory: run as a Trunk hook (TRUNK_STAGING_DIR) or with --dist DIR');
const release = profile === 'release';

const sha384 = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** Every file under `dir`, as URL paths relative to it ("lectern-1a2b.js", "icons/icon-192.png"). */
function files(dir, under = dir) {
  return readdirSync(dir).flatMap((name) => {
    if (name.startsWith('.')) return []; // Trunk's staging and lock files
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, under) : [relative(under, path).split(sep).join('/')];
  }).sort();
}

const PAGE = 'index.html';
const WORKER = 'sw.js';
const names = files(dist);
if (!names.includes(PAGE)) fail(`${dist} has no ${PAGE}`);
let html = readFileSync(join(dist, PAGE), 'utf8');

// The loader's data element (Trunk.toml pattern_script), minified or not: its stamps are either
// the placeholders Trunk wrote or the values of an earlier run of this script.
const STAMP = /(data-(build|sw)=)(["']?)(__LECTERN_BUILD__|__LECTERN_SW__|[0-9a-f]{16}|precache|off)\3/g;
const BUILD_QUERY = /\?build=(__LECTERN_BUILD__|[0-9a-f]{16})/g;
const unstamped = html.replace(STAMP, '$1$3$3').replace(BUILD_QUERY, '?build=');
if (!/data-build=/.test(html) || !/data-sw=/.test(html)) fail(`${PAGE} has no #lectern-loader with data-build and data-sw (Trunk.toml pattern_script)`);

// Subresource integrity in the page must describe the files the worker will cache.
const fileOf = (ref) => {
  const path = ref.split(/[?#]/)[0];
  return path.startsWith(publicUrl) ? path.slice(publicUrl.length) : null;
};
for (const [, attrs] of html.matchAll(/<(?:link|script)\b([^>]*\bintegrity=[^>]*)>/g)) {
  const ref = /\b(?:href|src)=(["']?)([^"' >]+)\1/.exec(attrs)?.[2];
  const integrity = /\bintegrity=(["']?)([^"' >]+)\1/.exec(attrs)?.[2];
  if (!ref || !integrity) continue;
  const name = fileOf(ref);
  if (!names.includes(name)) fail(`${PAGE} refers to ${ref}, which is not a file of the build under ${publicUrl}`);
  const [alg] = integrity.split('-');
  const actual = `${alg}-${createHash(alg).update(readFileSync(join(dist, name))).digest('base64')}`;
  if (actual !== integrity) fail(`${ref}: the page's integrity ${integrity} does not match the file (${actual})`);
}

// Inline script and the Content-Security-Policy (index.html).
if (!/http-equiv=(["']?)Content-Security-Policy\1/i.test(html)) fail(`${PAGE} has no Content-Security-Policy <meta>`);
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => {
  const type = /\btype=(["']?)([^"' >]+)\1/.exec(attrs)?.[2]?.toLowerCase();
  const data = type && !['module', 'text/javascript', 'application/javascript'].includes(type);
  return !/\bsrc=/.test(attrs) && !data && body.trim() !== '';
});
if (release && inline.length) {
  fail(`the page has ${inline.length} inline script(s), which its Content-Security-Policy forbids: move them to files (web/)`);
}
if (!release) {
  html = html.replace(/(http-equiv="Content-Security-Policy"\s+content="[^"]*script-src 'self')(?! 'unsafe-inline')/, "$1 'unsafe-inline'");
}

// The build id: the files, the page without its stamps, and the worker's code.
const template = readFileSync(join(source, 'web', WORKER), 'utf8');
const listed = names.filter((n) => n !== WORKER && n !== PAGE);
const digests = new Map(listed.map((n) => [n, sha384(readFileSync(join(dist, n)))]));
const id = createHash('sha256')
  .update(JSON.stringify([profile, [...digests], sha384(unstamped), sha384(template)]))
  .digest('hex')
  .slice(0, 16);

// A service worker serves its own origin only: a public URL on another host gets none.
const sameOrigin = !/^[a-z][a-z0-9+.-]*:/i.test(publicUrl) && !publicUrl.startsWith('//');
if (!sameOrigin) console.warn(`precache: the public URL ${publicUrl} is on another host: no service worker (no offline use)`);
const mode = release && sameOrigin ? 'precache' : 'off';
html = html
  .replace(STAMP, (_, attr, name, q) => `${attr}${q}${name === 'build' ? id : mode}${q}`)
  .replace(BUILD_QUERY, `?build=${id}`);
writeFileSync(join(dist, PAGE), html);

const list = [{ url: './', integrity: sha384(html) }, ...listed.map((n) => ({ url: `./${n}`, integrity: digests.get(n) }))];
const header = `// Written by tools/precache.mjs for build ${id}: do not edit.\n`
  + `self.LECTERN = ${JSON.stringify({ build: id, dev: mode !== 'precache', files: mode === 'precache' ? list : [] }, null, 1)};\n`;
writeFileSync(join(dist, WORKER), header + template);
console.log(`precache: build ${id} (${profile}): ${mode === 'precache' ? `${list.length} files` : 'no precache: the worker removes itself'}, ${WORKER} for ${publicUrl}`);
