// Test tools installed on demand into git-ignored `.tools/` (never into the project's
// node_modules): code-server (a real VS Code 1.100.3 served to a browser) and the
// Chromium that drives it. See /work/shared/vscode-e2e-recipe.md for why this setup.
//
//   node scripts/e2e/tools.mjs          installs what is missing, prints the paths
//
// Idempotent: when `.tools/code-server` already holds the right version this returns
// in milliseconds without touching the network.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const toolsDir = join(root, '.tools');

/** code-server 4.100.x is the last line that runs on Node 20; its engine is VS Code 1.100.3. */
export const CODE_SERVER_VERSION = '4.100.3';
/** What code-server 4.100.3's VS Code pins (lib/vscode/npm-shrinkwrap.json) and what
 * that @vscode/ripgrep's postinstall downloads (lib/postinstall.js: VERSION). */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET_VERSION = 'v13.0.0-10';

const csDir = join(toolsDir, 'code-server');
const csPkg = join(csDir, 'node_modules', 'code-server');
export const codeServerBin = join(csPkg, 'out', 'node', 'entry.js');

function log(msg) {
  process.stderr.write(`[tools] ${msg}\n`);
}

function installedVersion() {
  try {
    const pkg = JSON.parse(readFileSync(join(csPkg, 'package.json'), 'utf8'));
    // The postinstall builds VS Code's native modules; without them the install is partial.
    const pty = join(csPkg, 'lib/vscode/node_modules/node-pty/build/Release/pty.node');
    const rg = join(csPkg, 'lib/vscode/node_modules/@vscode/ripgrep/bin/rg');
    if (!existsSync(pty) || !existsSync(rg) || !existsSync(join(csDir, '.complete'))) return null;
    return pkg.version;
  } catch {
    return null;
  }
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which these machines cannot
 * reach. It first looks in `${os.tmpdir()}/vscode-ripgrep-cache-<pkg version>/` for the
 * release asset, so seed that cache with the system's ripgrep (Debian: apt `ripgrep`).
 */
function seedRipgrepCache() {
  const target =
    { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch] ?? null;
  if (process.platform !== 'linux' || !target) return; // elsewhere the download usually works
  const cacheDir = join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const asset = join(cacheDir, `ripgrep-${RIPGREP_ASSET_VERSION}-${target}.tar.gz`);
  if (existsSync(asset) && statSync(asset).size > 0) return;
  const rg = which('rg');
  if (!rg) {
    log('no `rg` on PATH: @vscode/ripgrep will try to download it (apt-get install ripgrep when offline)');
    return;
  }
  const stage = join(toolsDir, 'rg-stage');
  mkdirSync(stage, { recursive: true });
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(rg, join(stage, 'rg'));
  const r = spawnSync('tar', ['czf', asset, '-C', stage, 'rg'], { stdio: 'inherit' });
  rmSync(stage, { recursive: true, force: true });
  if (r.status !== 0) throw new Error('could not seed the ripgrep download cache');
  log(`seeded ${asset} with ${rg}`);
}

function nodeHeaders() {
  if (process.env.npm_config_nodedir) return {};
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? { npm_config_nodedir: prefix } : {};
}

/** Installs code-server into .tools/code-server when missing; returns its entry script. */
export function ensureCodeServer() {
  if (installedVersion() === CODE_SERVER_VERSION) return codeServerBin;
  if (!process.versions.node.startsWith('20.')) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  }
  const t0 = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${csDir} (1-2 minutes, once)`);
  seedRipgrepCache();
  mkdirSync(csDir, { recursive: true });
  rmSync(join(csDir, '.complete'), { force: true });
  // Its own package.json, so the project's dependencies and lockfile stay untouched.
  writeFileSync(
    join(csDir, 'package.json'),
    JSON.stringify(
      { name: 'blob-classifier-test-tools', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION } },
      null,
      2,
    ) + '\n',
  );
  const env = {
    ...process.env,
    // As root, code-server's postinstall insists on unsafe-perm; node-pty's calls `npx node-gyp`.
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    // npm >= 11.x blocks dependencies' install scripts unless allowed. code-server's
    // postinstall runs a nested `npm install` in lib/vscode (native modules: node-pty,
    // kerberos, @parcel/watcher, spdlog, ripgrep, ...), which an `allowScripts` list here
    // cannot reach, and `--allow-scripts` is refused in project installs. This switch is
    // scoped to this pinned, shrinkwrapped tool install only; older npm ignores it.
    npm_config_dangerously_allow_all_scripts: 'true',
    // node-gyp builds against this Node's own headers when they are installed (Debian /
    // NodeSource: /usr/include/node) instead of downloading them from nodejs.org.
    ...nodeHeaders(),
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  const r = spawnSync('npm', ['install', '--no-package-lock', '--loglevel=error'], {
    cwd: csDir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    throw new Error(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status}). It builds native ` +
        'modules: it needs python3, make, g++ and libkrb5-dev (apt-get install -y python3 make g++ libkrb5-dev ripgrep).',
    );
  }
  writeFileSync(join(csDir, '.complete'), new Date().toISOString() + '\n');
  const v = installedVersion();
  if (v !== CODE_SERVER_VERSION) throw new Error(`code-server install incomplete in ${csDir}`);
  try {
    const rgv = JSON.parse(readFileSync(join(csPkg, 'lib/vscode/node_modules/@vscode/ripgrep/package.json'), 'utf8')).version;
    if (rgv !== RIPGREP_PACKAGE_VERSION) log(`note: @vscode/ripgrep is ${rgv}, the cache was seeded for ${RIPGREP_PACKAGE_VERSION}`);
  } catch {}
  log(`code-server ${v} installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return codeServerBin;
}

/** The Chromium playwright-core drives: $CHROMIUM_PATH, or Debian's (apt `chromium`). */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', which('chromium'), which('google-chrome')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH');
}

export function ensureTools() {
  const cs = ensureCodeServer();
  return { codeServer: cs, chromium: chromiumPath() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const t = ensureTools();
  console.log(`code-server: ${t.codeServer}\nchromium: ${t.chromium}\n(${Date.now() - t0} ms)`);
}
