// A CouchDB-compatible server for the sync tests (issue 17): pouchdb-server (pinned in
// package.json), in memory, on 127.0.0.1 at a free port, with an admin and a user. Started and
// stopped by the tests themselves; its config and log go to a temporary directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const BIN = join(ROOT, 'e2e', 'node_modules', '.bin', 'pouchdb-server');
export const ADMIN = { user: 'admin', password: 'admin-secret' };
export const USER = { user: 'alice', password: 'alice-pw' };

/** A port nothing listens on now. */
export async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

const basic = ({ user, password }) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Start pouchdb-server (on `port`, or a free one). Returns `{ url, port, stop, start, http,
 * setup }`: `http(method, path, body, who)` talks to it as `who` (ADMIN by default); `setup(db)`
 * makes the admin, the user and database `db` with the user as its member.
 */
export async function startCouch({ port } = {}) {
  port ??= await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'lectern-couch-'));
  let child = null;
  const url = `http://127.0.0.1:${port}/`;

  async function http(method, path, body, who = ADMIN) {
    const headers = { accept: 'application/json' };
    if (who) headers.authorization = basic(who);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, json, text };
  }

  async function start() {
    child = spawn(BIN, ['--in-memory', '--host', '127.0.0.1', '--port', String(port), '--config', join(dir, 'config.json'), '--no-stdout-logs'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        const r = await fetch(url);
        if (r.ok) break;
      } catch {}
      if (child.exitCode !== null) throw new Error(`pouchdb-server exited: ${stderr}`);
      if (Date.now() > until) throw new Error(`pouchdb-server did not answer on ${url}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The admin, the user, database `db` (members: the user), CORS for any origin. */
  async function setup(db = 'lectern') {
    // The first admin is made without credentials (an "admin party" until then).
    const made = await http('PUT', `_config/admins/${ADMIN.user}`, ADMIN.password, null);
    if (made.status >= 400 && made.status !== 401) throw new Error(`admin: ${made.text}`);
    await http('PUT', '_config/cors/origins', '*');
    const u = await http('PUT', `_users/org.couchdb.user:${USER.user}`, { name: USER.user, password: USER.password, roles: [], type: 'user' });
    if (u.status >= 400 && u.status !== 409) throw new Error(`user: ${u.text}`);
    const d = await http('PUT', db);
    if (d.status >= 400 && d.status !== 412) throw new Error(`db: ${d.text}`);
    const sec = await http('PUT', `${db}/_security`, { admins: { names: [], roles: [] }, members: { names: [USER.user], roles: [] } });
    if (sec.status >= 400) throw new Error(`security: ${sec.text}`);
  }

  /** Stop the server (its in-memory databases go with it). */
  async function stop() {
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await gone;
  }

  async function close() {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }

  await start();
  return { url, port, http, setup, start, stop, close };
}

/**
 * A pass-through in front of the server (a real HTTP hop on 127.0.0.1), to cut one exchange
 * the way a network or a dying server does. `cut(match, when)`: the next request whose
 * method and path `match(method, url)` accepts is either dropped before the server sees it
 * (`'before'`), or forwarded and its answer thrown away once the server has sent it
 * (`'after'`: the server did the work, the device never hears of it), `times` times in a row
 * (Chromium sends a request again, once, when a kept-alive connection closes without an
 * answer: two cuts make the page's `fetch` fail). Resolves `cut(…)`'s promise when the last
 * happened. Everything else is forwarded as it is.
 */
export async function startCutter(target) {
  const { createServer: createHttp, request } = await import('node:http');
  const to = new URL(target);
  let rule = null;
  const sockets = new Set();
  const server = createHttp((req, res) => {
    const hit = rule && rule.match(req.method, req.url) ? rule : null;
    if (hit && --hit.left === 0) rule = null;
    if (hit?.when === 'before') {
      req.socket.destroy();
      if (hit.left === 0) hit.done();
      return;
    }
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (hit) {
          answer.resume();
          answer.on('end', () => {
            req.socket.destroy();
            if (hit.left === 0) hit.done();
          });
          return;
        }
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    cut(match, when, times = 1) {
      return new Promise((done) => (rule = { match, when, done, left: times }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}
