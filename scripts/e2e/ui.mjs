// Layer 3: UI end-to-end tests (test/e2e/*.test.mjs, node:test + playwright-core).
// Packages the extension (unless --no-package and dist/blob-classifier.vsix exists),
// installs it once into a scratch extensions folder that every test file copies, then
// runs the files one at a time (each starts its own code-server + Chromium).
//
//   node scripts/e2e/ui.mjs [--no-package] [files or name filters...]
//   BLOB_E2E_KEEP=1 keeps the scratch folders; screenshots: test-results/e2e/
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root, scratch, installExtension } from './server.mjs';
import { ensureTools } from './tools.mjs';
import { packageVsix, defaultVsix } from '../package.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'no-package': { type: 'boolean', default: false }, vsix: { type: 'string' } },
});

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (m) => console.log(`[ui ${since()}] ${m}`);

async function main() {
  ensureTools();
  let vsix = opts.vsix ?? defaultVsix;
  if (!opts.vsix && !(opts['no-package'] && existsSync(vsix))) {
    say('packaging the extension (production build + vsce)');
    vsix = packageVsix({ quiet: true }).file;
  }
  const ext = scratch('blob-ui-extensions-');
  say(`installing ${vsix.slice(root.length + 1)} into a scratch extensions folder`);
  installExtension(ext, vsix);

  const all = readdirSync(join(root, 'test/e2e')).filter((f) => f.endsWith('.test.mjs')).sort();
  const files = (positionals.length ? all.filter((f) => positionals.some((p) => f.includes(p.replace(/^test\/e2e\//, '')))) : all).map((f) =>
    join('test/e2e', f),
  );
  say(`running ${files.length} file(s): ${files.join(' ')}`);

  let out = '';
  const code = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-timeout=900000', ...files],
      { cwd: root, env: { ...process.env, BLOB_VSIX: vsix, BLOB_E2E_EXTENSIONS: ext.extensions }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const tee = (d) => {
      out += d;
      process.stdout.write(d);
    };
    child.stdout.on('data', tee);
    child.stderr.on('data', tee);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  ext.remove();
  const num = (k) => Number(out.match(new RegExp(`^ℹ ${k} (\\d+)`, 'm'))?.[1] ?? 0);
  const passed = num('pass');
  const failed = num('fail') + num('cancelled') || (code === 0 ? 0 : 1);
  console.log(`\ne2e: ${passed} passed, ${failed} failed (${since()}; screenshots in test-results/e2e/)`);
  return code === 0 && failed === 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(`e2e: ${e.message ?? e}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
