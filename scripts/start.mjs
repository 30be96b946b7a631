// `npm start`: the extension in a real VS Code in your browser, from a fresh clone.
// Installs what is missing (npm dependencies, code-server into .tools/), builds,
// packages dist/blob-classifier.vsix, installs it into a local code-server, opens the
// examples/ workspace and prints the URL. Ctrl-C stops everything.
//
//   npm start                      http://127.0.0.1:8080 (or a free port when 8080 is taken)
//   npm start -- --port 3000       or PORT=3000 npm start
//   npm start -- --host 0.0.0.0    listen on other interfaces too (no password: see the warning)
//   npm start -- --no-build        reuse dist/blob-classifier.vsix
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'no-build': { type: 'boolean', default: false },
    workspace: { type: 'string', default: join(root, 'examples') },
  },
});
const t0 = Date.now();
const step = (m) => console.log(`\x1b[1m[start ${((Date.now() - t0) / 1000).toFixed(1)} s]\x1b[0m ${m}`);

function portFree(port, host) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

async function main() {
  if (!existsSync(join(root, 'node_modules', '.bin', 'esbuild')) || !existsSync(join(root, 'node_modules', '@vscode', 'vsce'))) {
    step('installing npm dependencies (npm ci)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm ci failed');
  }
  const { ensureCodeServer } = await import('./e2e/tools.mjs');
  step('checking code-server (installs into .tools/ the first time, 1-2 minutes)');
  ensureCodeServer();

  const { packageVsix, defaultVsix } = await import('./package.mjs');
  let vsix = defaultVsix;
  if (!(opts['no-build'] && existsSync(vsix))) {
    step('building and packaging the extension');
    vsix = packageVsix({ quiet: true }).file;
  }

  const { installExtension, startServer, freePort } = await import('./e2e/server.mjs');
  // A persistent, git-ignored profile: your settings and open editors survive restarts.
  const dir = join(root, '.tools', 'start');
  const s = { dir, home: join(dir, 'home'), userData: join(dir, 'user-data'), extensions: join(dir, 'extensions') };
  for (const d of [s.home, s.userData, s.extensions]) mkdirSync(d, { recursive: true });
  step(`installing ${vsix.slice(root.length + 1)} into code-server`);
  installExtension(s, vsix);

  const host = opts.host;
  let port = opts.port ? Number(opts.port) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port: ${opts.port}`);
  if (!(await portFree(port, host))) {
    if (opts.port) throw new Error(`port ${port} is in use (choose another with --port or PORT)`);
    const p = await freePort(host);
    step(`port ${port} is in use; using ${p}`);
    port = p;
  }
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    console.warn(
      `\x1b[33mWARNING: listening on ${host}:${port} without a password. Anyone who can reach this machine on that\n` +
        'port gets a VS Code with a terminal running as you. Use it only on a trusted network (or an SSH tunnel).\x1b[0m',
    );
  }
  step('starting code-server');
  const server = await startServer(s, {
    workspace: opts.workspace,
    host,
    port,
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });
  const url = server.url(opts.workspace);
  const elsewhere = server.base.includes(`//${host}:`) ? '' : `\n    (listening on ${host}:${port}: from another machine, use this machine's address)\n`;
  console.log(
    `\n  Blob Classifier is running in VS Code (code-server) at:\n\n    \x1b[1;36m${url}\x1b[0m\n${elsewhere}\n` +
      '  Open notebook.blobs.json and click "▶ Train" above the first line.\n  Press Ctrl-C to stop.\n',
  );
  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: stopping code-server…`);
    await server.stop();
    process.exit(0);
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // code-server exiting on its own ends this too.
  const poll = setInterval(async () => {
    try {
      process.kill(server.pid, 0);
    } catch {
      clearInterval(poll);
      console.error('code-server exited:\n' + server.output().slice(-2000));
      process.exit(1);
    }
  }, 1000);
}

main().catch((e) => {
  console.error(`npm start: ${e.message ?? e}`);
  process.exit(1);
});
