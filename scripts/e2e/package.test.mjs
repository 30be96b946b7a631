// Layer 4: the packaged extension. Builds dist/blob-classifier.vsix (production build +
// vsce, scripts/package.mjs) unless BLOB_VSIX names one, then checks what is inside.
//   node --test scripts/e2e/package.test.mjs
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
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

  it('is small', () => {
    const packed = vsix.bytes ?? 0;
    assert.ok(packed === 0 || packed < 8 * 1024 * 1024, `vsix is ${packed} bytes`);
  });
});
