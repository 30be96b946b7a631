// `npm test`: every layer of the test suite, in order, stopping at the first failure.
//   1. type checks (extension + engine, webview)
//   2. build (esbuild bundles)
//   3. unit tests (node:test on the engine and the pure parts of extension and webview)
// Later stages (integration in a real extension host, UI end-to-end, packaging) are
// added in scripts/e2e/. Pass stage names to run only some: `npm test -- unit`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

const unitFiles = () =>
  readdirSync(join(root, 'test/unit'), { recursive: true })
    .filter((f) => String(f).endsWith('.test.ts'))
    .map((f) => join('test/unit', String(f)))
    .sort();

const stages = [
  ['typecheck', () => run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) || run('npx', ['tsc', '-p', 'webview/tsconfig.json', '--noEmit'])],
  ['build', () => run(process.execPath, ['scripts/build.mjs'])],
  ['unit', () => run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...unitFiles()])],
  // A tiny run of the benchmark so it never rots (its numbers mean nothing); no PyTorch needed.
  ['bench-smoke', () => run(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--smoke', '--no-torch'])],
];

for (const [name, fn] of stages) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name}`);
  const t0 = Date.now();
  const code = fn();
  console.log(`=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0) process.exit(code);
}
