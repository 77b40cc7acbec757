// The page's loader (docs/adr/0003-first-paint.md, docs/adr/0005-service-worker.md): the first
// paint, then the app, then offline support and storage persistence. A file rather than an
// inline script, so the page's Content-Security-Policy can forbid inline script (index.html).
// Trunk hashes and minifies it and gives it an integrity attribute. What it needs from the
// build is on `#lectern-loader` (Trunk.toml `pattern_script`): the public URL, the app's
// hashed file names, and the build id and service-worker mode written by the post-build hook
// (tools/precache.mjs).
const d = document.getElementById('lectern-loader').dataset;
// Files with fixed names carry the build, so that a page never gets another build's copy from
// the service worker or the HTTP cache (the preload in Trunk.toml asks for the same URL).
const v = `?build=${d.build}`;
const ru = () => (document.documentElement.lang || '').startsWith('ru');

// 1. The first paint. Whatever happens to it, the app loads after.
await new Promise((done) => {
  const s = document.createElement('script');
  s.src = `${d.base}lectern-boot.js${v}`;
  s.onload = () => wasm_bindgen({ module_or_path: `${d.base}lectern-boot_bg.wasm${v}` })
    .then(() => window.lecternBoot)
    .catch((e) => console.error('first paint:', e))
    .finally(done);
  s.onerror = done;
  document.head.append(s);
});

// 2. The app, after the first paint has reached the screen. If it cannot load, say so (the
// article the first paint shows stays readable).
await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
try {
  const app = await import(d.base + d.js);
  const wasm = await app.default({ module_or_path: d.base + d.wasm });
  dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
} catch (e) {
  console.error('Lectern could not load:', e);
  const box = document.createElement('div');
  box.className = 'notices';
  box.innerHTML = '<div class="notice" role="alert"><p class="notice__text"></p></div>';
  box.querySelector('p').textContent = ru()
    ? 'Не удалось загрузить Lectern целиком: статью можно читать, но не выделять. Обновите страницу, чтобы попробовать ещё раз.'
    : 'Lectern could not load completely: you can read the article but not highlight it. Reload the page to try again.';
  const bar = document.querySelector('#boot .app-bar');
  if (bar) bar.after(box); else document.body.prepend(box);
}

// 3. Offline and updates (docs/offline.md), once the app is up: a service worker keeps this
// build's files, and a new build is offered with "Reload", never mixed into an open page.
const sw = navigator.serviceWorker;
const scope = new URL(d.base, document.baseURI).href;
if (!sw) {
  // No service workers (an old browser, some private modes): Lectern works online only.
} else if (d.sw === 'precache' && !new URLSearchParams(location.search).has('bench')) {
  // (The benchmark page, `?bench`, measures the app, not the precache running beside it.)
  offline().catch((e) => console.warn('Lectern will not work offline here:', e));
} else if (d.sw === 'off') {
  // A development build (`cargo xtask serve`): no service worker. One left on this origin by a
  // release build is removed, so it cannot answer for the files being rebuilt. (The dev
  // build's sw.js removes itself too, for the load the old worker answered.)
  sw.getRegistration(scope)
    .then((r) => (r && r.scope === scope ? r.unregister() : false))
    .catch(() => {});
}

// 4. Once the reader has saved something of their own (a highlight, a note, an imported
// article), ask the browser to keep this site's storage when space runs short, rather than
// evict it: on each load, and when the tab is hidden after a save. Chromium decides without
// asking (it grants installed and often-used sites); Firefox asks the reader.
let persisting = false;
const persist = () => {
  if (persisting || !navigator.storage?.persist) return;
  try {
    if (!Object.keys(localStorage).some((k) => /^lectern\.v1\.(annotations|article)\.[^.]+$/.test(k))) return;
  } catch {
    return; // no storage at all
  }
  persisting = true;
  navigator.storage.persisted().then((yes) => yes || navigator.storage.persist()).catch(() => {});
};
persist();
document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && persist());

async function offline() {
  // After the page has loaded, so the precache never competes with the page's own downloads.
  if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r, { once: true }));
  const reg = await sw.register(new URL('sw.js', scope), { scope, updateViaCache: 'none' });
  if (!reg) return; // (a test harness that blocks service workers)
  // The worker answers this page's later requests (the import worker's files) from this page's
  // build, even after a newer build has taken over in another tab.
  const hello = () => sw.controller?.postMessage({ type: 'hello', build: d.build });
  hello();
  let controlled = !!sw.controller;
  let reloading = false;
  let waiting = null;
  sw.addEventListener('controllerchange', () => {
    hello();
    if (reloading) location.reload();
    // Another tab took the new version: this page still runs (and is served) the old one.
    else if (controlled) show();
    controlled = true;
  });
  const found = (w) => {
    if (!w) return;
    const ready = () => {
      // Installed while a worker controls this page: a new version, waiting for the reader.
      if (w.state === 'installed' && sw.controller) {
        waiting = w;
        show();
      }
    };
    ready();
    w.addEventListener('statechange', ready);
  };
  found(reg.waiting);
  found(reg.installing);
  reg.addEventListener('updatefound', () => found(reg.installing));
  // A tab left open for days looks for a new version when the reader comes back to it (the
  // browser looks on every load).
  let looked = Date.now();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - looked > 3600e3) {
      looked = Date.now();
      reg.update().catch(() => {});
    }
  });

  // "A new version of Lectern is ready — Reload": outside the app's tree (the app owns #app),
  // in the notices' style, polite (role=status), in the interface's language.
  function show() {
    if (document.getElementById('lectern-update')) return;
    const box = document.createElement('div');
    box.id = 'lectern-update';
    box.className = 'notices notices--floating';
    box.innerHTML = '<div class="notice notice--info" role="status"><p class="notice__text"></p>'
      + '<button type="button" class="button"></button></div>';
    const [text, button] = [box.querySelector('p'), box.querySelector('button')];
    const words = () => {
      text.textContent = ru() ? 'Готова новая версия Lectern.' : 'A new version of Lectern is ready.';
      button.textContent = ru() ? 'Обновить' : 'Reload';
    };
    button.addEventListener('click', () => {
      reloading = true;
      button.disabled = true;
      if (waiting && waiting.state === 'installed') {
        // The new worker takes over (every tab is then served by it), and this tab reloads on
        // `controllerchange`; should that never come, reload anyway: the page and its files
        // still come from one build, whichever worker answers.
        waiting.postMessage({ type: 'skip-waiting' });
        setTimeout(() => location.reload(), 3000);
      } else {
        location.reload();
      }
    });
    document.body.append(box);
    // Filled after it is in the document, so screen readers announce it.
    requestAnimationFrame(words);
    new MutationObserver(words).observe(document.documentElement, { attributeFilter: ['lang'] });
  }
}
