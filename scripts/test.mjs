// `npm test`: every layer of the test suite, in order, stopping at the first failure.
//   1. type checks (extension + engine, webview)
//   2. build (esbuild bundles)
//   3. unit tests (node:test on the engine and the pure parts of extension and webview)
//      then `notebook`: exported PyTorch notebooks against blobs train (needs Debian's python3-torch)
//      then `native`: the native CPU backend from a tensorflow-cpu wheel (skips without one)
//   4. package: the vsix (scripts/package.mjs) and what is inside it
//   5. integration: mocha inside a real VS Code extension host (code-server)
//   6. e2e: UI end-to-end in code-server driven by Chromium (screenshots in test-results/)
// Stages 5-6 install code-server into .tools/ on first use (scripts/e2e/tools.mjs).
// Pass stage names to run only some: `npm test -- unit`. The last line is always
// `N passed, N failed` over every test that ran (CI reads it).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

// A stage that runs past its limit is killed (its whole process group: code-server,
// Chromium, trainers) and fails with a message, so a hang costs minutes, not CI's 90.
const limitsMin = { typecheck: 5, build: 5, unit: 15, notebook: 8, native: 8, 'bench-smoke': 3, package: 8, integration: 15, e2e: 25 };
let stageName = '';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', timeout: limitsMin[stageName] * 60_000, killSignal: 'SIGKILL', ...opts });
  if (r.error?.code === 'ETIMEDOUT') console.error(`\n=== ${stageName}: killed after its limit of ${limitsMin[stageName]} min`);
  return r.status ?? 1;
}

// Test counts of every stage, for the summary.
const counts = { passed: 0, failed: 0 };
const summary = [];

/** Runs a test stage, streaming its output, and counts its tests from what it prints. */
function runCounted(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'], detached: true, ...opts });
    const limit = limitsMin[stageName];
    const watchdog = setTimeout(() => {
      console.error(`\n=== ${stageName}: killed after its limit of ${limit} min (a hang?)`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limit * 60_000);
    // The stage has a process group of its own (for the watchdog): pass Ctrl+C and kills on.
    const forward = (sig) => () => {
      try {
        process.kill(-child.pid, sig);
      } catch {}
      process.exit(130);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.once('SIGINT', onInt).once('SIGTERM', onTerm);
    let out = '';
    const tee = (stream) => (d) => {
      out += d;
      stream.write(d);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => {
      clearTimeout(watchdog);
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      const text = out.replace(/\x1b\[[0-9;]*m/g, '');
      // Our runners end with "<layer>: N passed, N failed"; node:test prints "ℹ pass N".
      const own = [...text.matchAll(/^[\w-]+: (\d+) passed, (\d+) failed/gm)].at(-1);
      const nt = (k) => [...text.matchAll(new RegExp(`^(?:ℹ|#) ${k} (\\d+)`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
      let passed = own ? Number(own[1]) : nt('pass');
      let failed = own ? Number(own[2]) : nt('fail') + nt('cancelled');
      if (code !== 0 && failed === 0) failed = 1; // crashed before reporting
      counts.passed += passed;
      counts.failed += failed;
      resolve({ code: code ?? 1, passed, failed });
    });
  });
}

const unitFiles = () =>
  readdirSync(join(root, 'test/unit'), { recursive: true })
    .filter((f) => String(f).endsWith('.test.ts'))
    .map((f) => join('test/unit', String(f)))
    .sort();

const stages = [
  ['typecheck', () => run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) || run('npx', ['tsc', '-p', 'webview/tsconfig.json', '--noEmit'])],
  ['build', () => run(process.execPath, ['scripts/build.mjs'])],
  ['unit', () => runCounted(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...unitFiles()])],
  // The notebook round trip: `blobs export`ed notebooks run by /usr/bin/python3's PyTorch,
  // scikit-learn and matplotlib print blobs train's log lines. Skips where those are
  // missing (fails under CI=true: .ci/run installs them).
  ['notebook', () => runCounted(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/notebook/roundtrip.test.ts'])],
  // The native CPU backend end to end from TensorFlow's own wheel (`blobs doctor --native-from`,
  // into a scratch project; compiles tfjs-node's binding): skips where no wheel is reachable.
  ['native', () => runCounted(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/native/native.test.ts'])],
  // A tiny run of the benchmark so it never rots (its numbers mean nothing); no PyTorch needed.
  ['bench-smoke', () => run(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--smoke', '--no-torch'])],
  // Layer 4: production build + vsce, then the vsix's contents.
  ['package', () => runCounted(process.execPath, ['--test', '--test-reporter=spec', 'scripts/e2e/package.test.mjs'])],
  // Layer 2: mocha inside the real extension host (the production build `package` made).
  ['integration', () => runCounted(process.execPath, ['scripts/e2e/integration.mjs', '--no-build'])],
  // Layer 3: UI end-to-end with the vsix `package` made.
  ['e2e', () => runCounted(process.execPath, ['scripts/e2e/ui.mjs', '--no-package'])],
];

function finish(code) {
  console.log('\n=== summary');
  for (const r of summary) console.log(`  ${r.name.padEnd(12)} ${r.ok ? 'ok    ' : 'FAILED'} ${r.s.padStart(7)} s${r.tests ? `  ${r.tests}` : ''}`);
  console.log(`\n${counts.passed} passed, ${counts.failed} failed`);
  process.exit(code);
}

for (const [name, fn] of stages) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name}`);
  stageName = name;
  const t0 = Date.now();
  const r = await fn();
  const code = typeof r === 'number' ? r : r.code;
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${s} s`);
  summary.push({ name, ok: code === 0, s, tests: typeof r === 'number' ? '' : `${r.passed} passed, ${r.failed} failed` });
  if (code !== 0) finish(code);
}
finish(0);
