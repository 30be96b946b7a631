// Builds every bundle with esbuild: the extension host (node, `vscode` external), the
// trainer child process, the CLI, and the webview (browser). Copies the WASM backend's
// binaries next to the bundles that load them.
//   node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Native TensorFlow bindings and Dawn (`webgpu`, dawn.node) cannot be bundled: they are
// optional and loaded at run time from node_modules when installed (see
// src/core/train/backends.ts, webgpu.ts). tfjs-backend-webgpu is plain JS and is bundled
// (it must share the bundle's tfjs-core); if that optional package is missing it stays an
// external, and loading it at run time says it is not installed.
const nativeExternals = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@resvg/resvg-js', 'webgpu'];
if (!existsSync(join(root, 'node_modules/@tensorflow/tfjs-backend-webgpu/package.json'))) nativeExternals.push('@tensorflow/tfjs-backend-webgpu');

const common = {
  bundle: true,
  // jsonc-parser's default (UMD) build loads its parts with a dynamic require that
  // esbuild cannot follow; its ESM build bundles cleanly.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const nodeEntries = [
  { in: 'src/extension/vscode/extension.ts', out: 'extension' },
  { in: 'src/trainer/process.ts', out: 'trainer' },
  { in: 'src/exporter/process.ts', out: 'exporter' },
  { in: 'src/cli/main.ts', out: 'cli' },
  // Data-parallel training threads, started by trainer.js and cli.js (core/train/parallel/).
  { in: 'src/core/train/parallel/worker.ts', out: 'trainWorker' },
].filter((e) => existsSync(join(root, e.in)));

const webEntries = [{ in: 'webview/main.ts', out: 'webview' }].filter((e) =>
  existsSync(join(root, e.in)),
);

const builds = [
  {
    ...common,
    entryPoints: nodeEntries,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nativeExternals],
  },
];
if (webEntries.length) {
  builds.push({
    ...common,
    entryPoints: webEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
  });
}

function copyWasm() {
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const dst = join(root, 'dist/wasm');
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src)) if (f.endsWith('.wasm')) cpSync(join(src, f), join(dst, f));
}

copyWasm();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
