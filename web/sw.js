// Lectern's service worker (docs/offline.md, docs/adr/0005-service-worker.md). Plain JavaScript:
// a wasm worker would fetch and compile its module on every wake.
//
// tools/precache.mjs, Trunk's post-build hook, writes `self.LECTERN` above this file into the
// build's sw.js: the build id, and every file of the build (relative to this script, so a
// deployment under a sub-path works as it is) with its subresource-integrity digest.
//
// - Install: the build's files go into the cache `lectern <scope path> <build>`, each
//   revalidated with the server and its digest checked by the browser (or copied from an older
//   cache when its bytes match), so the cache holds exactly this build, or the install fails.
// - A new version waits until the reader clicks "Reload" (web/loader.js), then takes over.
// - The page (the scope URL, index.html, any query) comes from this worker's cache; every other
//   file from the cache of the build the requesting page runs: the `?build=` of its URL, else
//   the page's own build (recorded when this worker served it, or told by the page), else
//   this worker's. Two builds never meet in one page.
// - Old caches are deleted when a new worker activates, except those of builds still open in
//   a tab; those go once the tab has reloaded or closed.
// - A development build's sw.js (`dev`) only removes itself and its caches.
// - Articles' images the reader chose to see are kept in a cache of their own for offline
//   reading, within a budget, across updates (the end of this file; docs/web-import.md).
'use strict';

const { build: BUILD, files: FILES, dev: DEV } = self.LECTERN;
const SCOPE = self.registration.scope;
const SCOPE_PATH = new URL(SCOPE).pathname;
// Cache Storage is shared by the whole origin: names carry the scope, so two deployments on one
// origin (`/` and `/sub/`) never touch each other's caches.
const PREFIX = `lectern ${SCOPE_PATH} `;
const CACHE = PREFIX + BUILD;
// Which build each open page runs: client id → build, kept across the worker's restarts.
const CLIENTS = `lectern-clients ${SCOPE_PATH}`;
const BUILD_ID = /^[0-9a-f]{16}$/;

if (DEV) {
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(retire()));
} else {
  self.addEventListener('install', (event) => event.waitUntil(precache()));
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim().then(cleanup)));
  self.addEventListener('fetch', onFetch);
  self.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'skip-waiting') {
      self.skipWaiting();
    } else if (data.type === 'hello' && BUILD_ID.test(data.build) && event.source) {
      event.waitUntil(remember(event.source.id, data.build).then(cleanup));
    }
  });
}

/** Fills this build's cache, or fails (and the browser keeps the worker it has). */
async function precache() {
  const cache = await caches.open(CACHE);
  const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
  await Promise.all(FILES.map(async ({ url, integrity }) => {
    const key = new URL(url, SCOPE).href;
    // Kept from an install that failed half-way, or unchanged since an older build.
    const have = await cache.match(key);
    if (have && (await matches(have, integrity))) return;
    for (const name of older) {
      const old = await (await caches.open(name)).match(key);
      if (old && (await matches(old.clone(), integrity))) {
        await cache.put(key, old);
        return;
      }
    }
    // Revalidated with the server (a 304 costs nothing), and checked against the digest by the
    // browser: a stale copy from the HTTP cache or another build on the server fails here.
    const response = await fetch(new Request(key, { cache: 'no-cache', integrity, credentials: 'same-origin' }));
    if (!response.ok) throw new Error(`${key}: HTTP ${response.status}`);
    // A response that followed a redirect cannot answer a navigation: keep its body only.
    await cache.put(key, response.redirected ? await unredirected(response) : response);
  }));
}

async function unredirected(response) {
  const { status, statusText, headers } = response;
  return new Response(await response.blob(), { status, statusText, headers });
}

const ALGORITHMS = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** Whether `response`'s body has the digest `integrity` ("sha384-<base64>"). */
async function matches(response, integrity) {
  const [alg, expected] = [integrity.slice(0, integrity.indexOf('-')), integrity.slice(integrity.indexOf('-') + 1)];
  if (!ALGORITHMS[alg]) return false;
  const digest = new Uint8Array(await crypto.subtle.digest(ALGORITHMS[alg], await response.arrayBuffer()));
  return btoa(String.fromCharCode(...digest)) === expected;
}

function onFetch(event) {
  const request = event.request;
  if (keptImage(event)) return; // an article's image (issue 16, at the end of this file)
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    // The app's page, whatever its query and hash route; other pages in scope: the network.
    if (url.pathname === SCOPE_PATH || url.pathname === `${SCOPE_PATH}index.html`) {
      event.respondWith(page(event));
    }
    return;
  }
  event.respondWith(file(event, url));
}

async function page(event) {
  const cached = await (await caches.open(CACHE)).match(SCOPE);
  if (!cached) return fetch(event.request);
  if (event.resultingClientId) event.waitUntil(remember(event.resultingClientId, BUILD));
  return cached;
}

async function file(event, url) {
  const asked = url.searchParams.get('build');
  const build = (asked && BUILD_ID.test(asked) ? asked : null) ?? (await buildOf(event.clientId)) ?? BUILD;
  const name = PREFIX + build;
  if (await caches.has(name)) {
    url.searchParams.delete('build');
    const cached = await (await caches.open(name)).match(url.href);
    if (cached) return cached;
  }
  // Not a file of that build (or its cache is gone): what the network has.
  return fetch(event.request);
}

const known = new Map();
const clientKey = (id) => `${SCOPE}.lectern-client/${encodeURIComponent(id)}`;

async function remember(id, build) {
  if (!id || known.get(id) === build) return;
  known.set(id, build);
  await (await caches.open(CLIENTS)).put(clientKey(id), new Response(build));
}

async function buildOf(id) {
  if (!id) return null;
  if (!known.has(id)) {
    const saved = await (await caches.open(CLIENTS)).match(clientKey(id));
    known.set(id, saved ? await saved.text() : null);
  }
  return known.get(id);
}

/** Deletes the caches of builds no open page runs, and the records of closed pages. */
async function cleanup() {
  // A newer worker is installing or waiting: its cache is not ours to judge; it cleans up
  // when it activates.
  if (self.registration.installing || self.registration.waiting) return;
  const open = new Set((await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).map((c) => c.id));
  const store = await caches.open(CLIENTS);
  const live = new Set([BUILD]);
  for (const request of await store.keys()) {
    const id = decodeURIComponent(request.url.slice(clientKey('').length));
    if (open.has(id)) {
      live.add(await (await store.match(request)).text());
    } else {
      known.delete(id);
      await store.delete(request);
    }
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && !live.has(name.slice(PREFIX.length))) await caches.delete(name);
  }
}

/** The development build's worker: removes itself, its caches and any release build's. */
async function retire() {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) || name === CLIENTS) await caches.delete(name);
  }
  await self.registration.unregister();
  // Pages the old worker answered load again from the development server.
  for (const client of await self.clients.matchAll({ type: 'window' })) client.navigate(client.url).catch(() => {});
}

// --- Images kept for offline reading (issue 16; docs/web-import.md) ---------------------------
//
// The app puts an <img referrerpolicy="no-referrer"> in an article's placeholder only when the
// reader asks for images (or chose "always"); nothing here asks for an image by itself. Such a
// request, for an https: image from another origin, is answered from the cache `IMAGES` when
// the image is kept there; otherwise it goes to the network:
// - first as a CORS request without credentials or referrer: if the image's site allows it
//   (`Access-Control-Allow-Origin`), its bytes are readable, counted, and kept;
// - else again as the page asked (no-cors, still without credentials or referrer): shown, but
//   not kept (its size cannot be read, and Chromium counts every such opaque response as
//   megabytes of padding against the site's quota).
// The cache holds at most IMAGE_BUDGET bytes (each entry's size in `x-lectern-bytes`); the
// oldest kept go first; an image over IMAGE_MAX is never kept. Its name carries no build, so
// an update never deletes it (cleanup() and retire() only touch caches named PREFIX…). The
// app reads the same headers to show the space used (lectern_dom::images), and the budget
// is lectern_core::web::IMAGE_BUDGET_BYTES (a test checks that they agree).
const IMAGES = 'lectern-images-v1';
const IMAGE_BUDGET = 50000000;
const IMAGE_MAX = 10000000;

function keptImage(event) {
  const request = event.request;
  if (DEV || request.method !== 'GET' || request.destination !== 'image') return false;
  const url = new URL(request.url);
  if (url.protocol !== 'https:' || url.origin === self.location.origin) return false;
  event.respondWith(image(event, url));
  return true;
}

async function image(event, url) {
  url.hash = '';
  const key = url.href;
  const cache = await caches.open(IMAGES);
  const kept = await cache.match(key);
  if (kept) return kept;
  const init = { credentials: 'omit', referrerPolicy: 'no-referrer' };
  try {
    const response = await fetch(key, { ...init, mode: 'cors' });
    if (response.ok && response.type === 'cors') {
      event.waitUntil(keep(cache, key, response.clone()).catch(() => {}));
    }
    return response;
  } catch {
    // Not allowed across origins (or no network): as the page asked.
    return fetch(key, { ...init, mode: 'no-cors' });
  }
}

async function keep(cache, key, response) {
  const blob = await response.blob();
  if (blob.size > IMAGE_MAX || !/^image\//.test(blob.type || response.headers.get('content-type') || '')) return;
  const headers = new Headers({
    'content-type': response.headers.get('content-type') || blob.type,
    'x-lectern-bytes': String(blob.size),
    'x-lectern-kept': String(Date.now()),
  });
  await cache.put(key, new Response(blob, { status: 200, headers }));
  // Within the budget: the oldest kept go first.
  const entries = [];
  for (const request of await cache.keys()) {
    const r = await cache.match(request);
    if (r) entries.push({ request, bytes: Number(r.headers.get('x-lectern-bytes')) || 0, at: Number(r.headers.get('x-lectern-kept')) || 0 });
  }
  let total = entries.reduce((n, e) => n + e.bytes, 0);
  entries.sort((a, b) => a.at - b.at);
  for (const e of entries) {
    if (total <= IMAGE_BUDGET) break;
    await cache.delete(e.request);
    total -= e.bytes;
  }
}
