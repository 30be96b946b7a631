// A real VS Code (code-server) on a free local port, with scratch HOME, user data and
// extensions folders, and the Chromium that drives it. Everything started here is put
// in its own process group and killed on stop(), on exit, and on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer, chromiumPath, root } from './tools.mjs';

export { root };

const live = new Set(); // process groups to kill if we exit without stop()

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}
process.on('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** A port nobody listens on right now (listen on 0, read it, close). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A scratch folder with home/, user-data/, extensions/ (and workspace/ when asked). */
export function scratch(prefix = 'blob-e2e-') {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  const s = {
    dir,
    home: join(dir, 'home'),
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
    remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
  for (const d of [s.home, s.userData, s.extensions]) mkdirSync(d, { recursive: true });
  return s;
}

/** Copies examples/ into a fresh workspace folder inside the scratch folder. */
export function workspaceCopy(s, from = join(root, 'examples')) {
  const ws = join(s.dir, 'workspace');
  mkdirSync(ws, { recursive: true });
  if (existsSync(from)) cpSync(from, ws, { recursive: true });
  // No schemas/ copy: the examples carry no "$schema" link; the extension's
  // `jsonValidation` (package.json) associates *.blobs.json with its schema.
  return ws;
}

export const baseSettings = {
  'workbench.startupEditor': 'none', // else a walkthrough opens after 1-2 s and steals focus
  'window.autoDetectColorScheme': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
};

export function writeSettings(s, settings = {}) {
  mkdirSync(join(s.userData, 'User'), { recursive: true });
  writeFileSync(join(s.userData, 'User', 'settings.json'), JSON.stringify({ ...baseSettings, ...settings }, null, 2));
}

function envFor(s, extra = {}) {
  return {
    ...process.env,
    HOME: s.home,
    XDG_CONFIG_HOME: join(s.home, '.config'),
    XDG_DATA_HOME: join(s.home, '.local/share'),
    XDG_CACHE_HOME: join(s.home, '.cache'),
    ...extra,
  };
}

/** `code-server --install-extension <vsix>` into the scratch extensions folder. */
export function installExtension(s, vsix) {
  const cs = ensureCodeServer();
  const r = spawnSync(
    process.execPath,
    [cs, '--install-extension', vsix, '--force', '--extensions-dir', s.extensions, '--user-data-dir', s.userData],
    { env: envFor(s), encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0 || /Failed|error/i.test(r.stderr ?? '')) {
    throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout.trim();
}

/**
 * Starts code-server on 127.0.0.1 (or `host`) and waits for /healthz.
 * Returns { port, base, url(folder, query), stop(), output() }.
 */
export async function startServer(s, { workspace, host = '127.0.0.1', port, settings, env = {}, timeoutMs = 60_000, quiet = true } = {}) {
  const cs = ensureCodeServer();
  port ??= await freePort(host);
  writeSettings(s, settings);
  const config = join(s.userData, 'config.yaml');
  writeFileSync(config, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);
  const args = [
    cs,
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--config', config,
    '--user-data-dir', s.userData,
    '--extensions-dir', s.extensions,
  ];
  if (workspace) args.push(workspace);
  let out = '';
  const child = spawn(process.execPath, args, {
    env: envFor(s, env),
    detached: true, // own process group: stop() kills code-server and all its children
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child.pid);
  const onData = (d) => {
    out += d;
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    if (!quiet) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
  let gone = false;
  exited.then(() => {
    gone = true;
  });

  const stop = async () => {
    if (!live.has(child.pid)) return;
    killGroup(child.pid, 'SIGTERM');
    const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    killGroup(child.pid, 'SIGKILL'); // stragglers (extension host, pty host, file watcher)
    live.delete(child.pid);
  };

  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) {
      await stop();
      throw new Error(`code-server exited before it was up:\n${out.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server not up after ${timeoutMs} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = (folder = workspace, query = {}) => {
    const q = new URLSearchParams();
    if (folder) q.set('folder', folder);
    for (const [k, v] of Object.entries(query)) q.set(k, v);
    return `${base}/?${q.toString().replace(/%2F/g, '/')}`;
  };
  return { port, host, base, url, stop, output: () => out, pid: child.pid };
}

/** Debian's Chromium through playwright-core, headless, with a scratch HOME. */
export async function launchBrowser(s) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    env: envFor(s),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
