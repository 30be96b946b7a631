// Layer 4: the packaged extension. Builds dist/blob-classifier.vsix (production build +
// vsce, scripts/package.mjs) unless BLOB_VSIX names one, then checks what is inside.
//   node --test scripts/e2e/package.test.mjs
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageVsix, defaultVsix } from '../package.mjs';
import { zipEntries } from './zip.mjs';

let vsix;
let entries = [];
let names = [];

describe('vsix package', () => {
  before(() => {
    const t0 = Date.now();
    vsix = process.env.BLOB_VSIX ? { file: process.env.BLOB_VSIX } : packageVsix({ build: process.env.BLOB_PACKAGE_NO_BUILD !== '1', out: defaultVsix, quiet: true });
    entries = zipEntries(vsix.file);
    names = entries.map((e) => e.name);
    const bytes = entries.reduce((a, e) => a + e.size, 0);
    console.log(`# ${vsix.file}: ${entries.length} files, ${(vsix.bytes ?? 0) / 1024 | 0} KiB packed, ${(bytes / 1024) | 0} KiB unpacked (${Date.now() - t0} ms)`);
  });

  it('contains the bundles, the webview, the schema and the WASM binaries', () => {
    for (const f of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/trainer.js',
      'extension/dist/exporter.js',
      'extension/dist/trainWorker.js',
      'extension/dist/webview/webview.js',
      'extension/schemas/blobs.schema.json',
    ]) {
      assert.ok(names.includes(f), `${f} missing from the vsix`);
    }
    assert.ok(names.some((n) => /^extension\/dist\/wasm\/[^/]+\.wasm$/.test(n)), 'no extension/dist/wasm/*.wasm');
    assert.ok(names.some((n) => /^extension\/LICENSE/.test(n)), 'no LICENSE');
  });

  it('leaves out sources, tests, sourcemaps and node_modules', () => {
    const bad = names.filter(
      (n) =>
        /^extension\/(src|test|webview|scripts|bench|out|\.tools|test-results|node_modules)\//.test(n) ||
        /\.ts$|\.map$|\.vsix$|tsconfig/.test(n) ||
        n === 'extension/dist/cli.js', // the `blobs` CLI bundle: not used by the extension
    );
    assert.deepEqual(bad, []);
  });

  it("its manifest points at the bundled entry and only needs what's bundled", () => {
    const pkg = JSON.parse(entries.find((e) => e.name === 'extension/package.json').read().toString('utf8'));
    assert.equal(pkg.main, './dist/extension.js');
    assert.ok(names.includes(`extension/${pkg.main.replace(/^\.\//, '')}`));
    assert.match(pkg.engines.vscode, /^\^1\.(\d+)\./);
    assert.ok(Number(pkg.engines.vscode.match(/^\^1\.(\d+)/)[1]) <= 100, 'engines.vscode must stay <= 1.100 (code-server 4.100.3)');
  });

  it('keeps TensorFlow.js out of the extension host bundle; native backends stay optional externals', () => {
    const ext = entries.find((e) => e.name === 'extension/dist/extension.js').read().toString('utf8');
    assert.ok(!/tfjs-core|@tensorflow\/tfjs"/.test(ext), 'dist/extension.js bundles TensorFlow.js');
    const trainer = entries.find((e) => e.name === 'extension/dist/trainer.js').read().toString('utf8');
    // Loaded only when installed (no node_modules in the vsix): a require() of the name, never bundled code.
    if (trainer.includes('@tensorflow/tfjs-node')) assert.match(trainer, /require\(\s*["'`]@tensorflow\/tfjs-node|["'`]@tensorflow\/tfjs-node["'`]/);
  });

  // The packaged trainer as the extension runs it (a child process with IPC), from the
  // vsix's own files only: its worker threads must find dist/trainWorker.js and dist/wasm.
  const temps = [];
  const children = [];
  after(() => {
    children.forEach((c) => c.kill('SIGKILL')); // a failed or timed-out test leaves no trainer behind
    temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  it("the packaged trainer trains on 2 threads from the vsix's files alone", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blobs-vsix-'));
    temps.push(dir);
    for (const e of entries.filter((e) => /^extension\/dist\/(trainer\.js|trainWorker\.js|wasm\/)/.test(e.name))) {
      const to = join(dir, e.name);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, e.read());
    }
    const spec = {
      name: 'vsix workers', seed: 42, device: 'wasm',
      data: { generator: 'make_blobs', n_samples: 4000, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 },
      model: { hidden_units: [16, 16], activation: 'relu' },
      training: { epochs: 3, optimizer: 'sgd', lr: 0.1, batch_size: 'full', log_every: 100 },
    };
    const specPath = join(dir, 'w.blobs.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const child = fork(join(dir, 'extension/dist/trainer.js'), [], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const events = [];
    // The trainer is a warm one: it stays for the next run until its host lets go of the
    // IPC channel, so the test lets go once the run's terminal event has come.
    const exited = new Promise((r) => child.on('exit', r));
    const terminal = (e) => e.type === 'done' || e.type === 'error' || e.type === 'cancelled';
    const over = new Promise((resolve) =>
      child.on('message', (m) => {
        const got = m.type === 'events' ? m.events : m.type === 'event' ? [m.event] : [];
        events.push(...got);
        if (got.some(terminal)) resolve();
      }),
    );
    child.send({ type: 'train', runId: '20261130-120000-0a0b', specText: JSON.stringify(spec), specPath, options: { workers: 2 } });
    await Promise.race([over, exited]);
    if (child.connected) child.disconnect();
    const code = await exited;
    assert.equal(code, 0, stderr);
    const start = events.find((e) => e.type === 'start');
    const end = events[events.length - 1];
    assert.equal(end.type, 'done', JSON.stringify(end).slice(0, 300));
    assert.equal(start.workers.count, 2, start.workers.reason);
    assert.match(start.workers.reason, /^requested: 2; workers started in/);
    assert.ok(end.summary.test_acc > 0.9);
  });

  it('is small', () => {
    const packed = vsix.bytes ?? 0;
    assert.ok(packed === 0 || packed < 8 * 1024 * 1024, `vsix is ${packed} bytes`);
  });
});
