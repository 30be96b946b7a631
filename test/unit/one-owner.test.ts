/**
 * One owner per concept, checked in what ships: the bundles (built as scripts/build.mjs
 * builds them) of the extension host, the trainer process, the CLI and the webview all
 * take a run's state from the one reducer, numbers from the one formatter, and run
 * folders from the one run-folder module; and the modules that fold, format or read
 * runs in each front end import those, rather than keeping their own.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..');
type Inputs = esbuild.Metafile['inputs'];

async function inputsOf(entry: string, browser = false): Promise<Inputs> {
  const r = await esbuild.build({
    entryPoints: [join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, 'out', 'one-owner'),
    platform: browser ? 'browser' : 'node',
    format: browser ? 'iife' : 'cjs',
    external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@resvg/resvg-js'],
    alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
    loader: { '.css': 'css' },
    logLevel: 'silent',
  });
  return r.metafile.inputs;
}

const REDUCER = 'src/core/run/state.ts';
const FORMAT = 'src/core/figure/format.ts';
const RUN_FOLDER = 'src/core/run/folder.ts';

const bundles: Record<'extension' | 'trainer' | 'cli' | 'webview', Inputs> = {} as never;
before(async () => {
  bundles.extension = await inputsOf('src/extension/vscode/extension.ts');
  bundles.trainer = await inputsOf('src/trainer/process.ts');
  bundles.cli = await inputsOf('src/cli/main.ts');
  bundles.webview = await inputsOf('webview/main.ts', true);
});

function imports(inputs: Inputs, file: string): string[] {
  assert.ok(inputs[file], `${file} is not in the bundle`);
  return inputs[file].imports.map((i) => i.path);
}

describe('one owner per concept, in the shipped bundles', () => {
  test('one reducer: the host, the webview and the CLI fold run events with src/core/run/state.ts', () => {
    for (const b of ['extension', 'webview', 'cli'] as const) assert.ok(bundles[b][REDUCER], `${b} bundle`);
    assert.ok(imports(bundles.extension, 'src/extension/sessionStore.ts').includes(REDUCER), 'the host store');
    assert.ok(imports(bundles.webview, 'webview/model.ts').includes(REDUCER), 'the webview model');
    assert.ok(imports(bundles.cli, 'src/cli/train.ts').includes(REDUCER), 'blobs train');
  });

  test('one formatter: every front end formats numbers with src/core/figure/format.ts', () => {
    for (const b of ['extension', 'trainer', 'webview', 'cli'] as const) assert.ok(bundles[b][FORMAT], `${b} bundle`);
    assert.ok(imports(bundles.extension, 'src/extension/runText.ts').includes(FORMAT), 'the host texts');
    assert.ok(imports(bundles.webview, 'webview/header.ts').includes(FORMAT), 'the webview header');
    assert.ok(imports(bundles.cli, 'src/cli/train.ts').includes(FORMAT), 'blobs train');
    assert.ok(imports(bundles.trainer, 'src/core/train/trainer.ts').includes(FORMAT), "the notebook's log line");
  });

  test('one run folder: the trainer writes, the CLI and the extension read with src/core/run/folder.ts', () => {
    for (const b of ['extension', 'trainer', 'cli'] as const) assert.ok(bundles[b][RUN_FOLDER], `${b} bundle`);
    assert.ok(imports(bundles.trainer, 'src/core/train/run.ts').includes(RUN_FOLDER), 'the trainer writes through it');
    assert.ok(imports(bundles.extension, 'src/extension/vscode/runsOnDisk.ts').includes(RUN_FOLDER), 'the host reads and prunes through it');
    assert.ok(!bundles.webview[RUN_FOLDER], 'no file system in the webview');
  });
});

describe('the extension folder shows what touches VS Code', () => {
  const IMPORTS_VSCODE = /(?:from\s+|import\s*\(\s*|require\(\s*)'vscode'/;
  const dir = join(root, 'src', 'extension');
  const files = (sub: string) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.ts')).map((f) => join(sub, f));

  test('src/extension/*.ts are pure (unit-tested without VS Code); src/extension/vscode/ holds every module that imports it', () => {
    const pure = files('.');
    const layer = files('vscode');
    assert.ok(pure.length > 5 && layer.length > 5);
    for (const f of pure) assert.ok(!IMPORTS_VSCODE.test(readFileSync(join(dir, f), 'utf8')), `${f} imports vscode: move it to src/extension/vscode/`);
    const notUsing = layer.filter((f) => !IMPORTS_VSCODE.test(readFileSync(join(dir, f), 'utf8')));
    assert.deepEqual(notUsing, [], 'modules in src/extension/vscode/ that do not touch vscode belong one folder up');
  });
});
