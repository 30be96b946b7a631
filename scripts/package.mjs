// `npm run package`: a production build, then dist/blob-classifier.vsix with @vscode/vsce.
// Everything the extension runs is bundled by esbuild, so the vsix carries no
// node_modules (`--no-dependencies`). The native TensorFlow packages stay esbuild
// externals that the trainer loads only when present: from the vsix it uses the WASM
// backend (dist/wasm/*.wasm) or plain JS.
//   node scripts/package.mjs [--no-build] [--out <file>]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultVsix = join(root, 'dist', 'blob-classifier.vsix');

export function packageVsix({ build = true, out = defaultVsix, quiet = false } = {}) {
  const stdio = quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit';
  if (build) {
    // (Leftover sourcemaps of a development build are kept out by .vscodeignore.)
    const b = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`production build failed:\n${b.stdout ?? ''}${b.stderr ?? ''}`);
  }
  for (const f of ['dist/extension.js', 'package.json']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing`);
  }
  rmSync(out, { force: true });
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // No public repository yet: README links stay relative (VS Code's extension page
  // resolves them inside the installed extension, which ships media/).
  const args = ['package', '--no-dependencies', '--no-update-package-json', '--no-git-tag-version', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out];
  const r = spawnSync(process.execPath, [vsce, ...args], {
    cwd: root,
    stdio,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return { file: out, bytes: statSync(out).size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, out: { type: 'string' } } });
  const t0 = Date.now();
  try {
    const { file, bytes } = packageVsix({ build: !values['no-build'], out: values.out ? resolve(values.out) : defaultVsix });
    console.log(`\n${relative(process.cwd(), file) || file}: ${(bytes / 1024).toFixed(0)} KiB (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    console.log('install it: code --install-extension ' + file);
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
