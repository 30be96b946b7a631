/**
 * `blobs export` without Python: the cells say what the spec says, the embedded weights
 * are the trainer's, the files are well-formed nbformat 4 / `# %%` scripts, the CLI
 * never replaces a file unasked, and the exporter process answers the host.
 * (Running the notebooks with PyTorch is test/notebook/roundtrip.test.ts.)
 */

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseFormat, exportVerb } from '../../src/cli/export';
import { buildDataset } from '../../src/core/data/build';
import { defaultExportPath, exportSpec } from '../../src/core/export/export';
import { cellsFromPy, toIpynb, toPy } from '../../src/core/export/formats';
import { notebookCells, reproducibilityNotes, torchInitialWeights, type Cell } from '../../src/core/export/notebook';
import { float32Base64, pyFloat, pyList, pyLongString, pyNum, pyStr, pyValue } from '../../src/core/export/python';
import { pyFixed } from '../../src/core/figure/format';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { validateSpecText } from '../../src/core/spec/validate';
import type { BlobSpec } from '../../src/core/spec/types';
import { initialWeights } from '../../src/core/train/model';
import { formatLogLine } from '../../src/core/train/trainer';
import { runExporter } from '../../src/exporter/client';
import { captureOutput } from '../fixtures/captureOutput';

const root = join(__dirname, '..', '..');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'blobs-export-'));
  dirs.push(d);
  return d;
}

/** A validated spec from the notebook's, edited, written into a temp folder. */
function specAt(edit: (s: any) => void = () => {}, dir = tempDir(), name = 'four.blobs.json') {
  const raw = JSON.parse(JSON.stringify(NOTEBOOK_SPEC));
  edit(raw);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(raw, null, 2));
  const r = validateSpecText(readFileSync(file, 'utf8'), { specPath: file });
  assert.ok(r.spec, JSON.stringify(r.problems));
  return { file, dir, spec: r.spec };
}

function cellsOf(spec: BlobSpec, file: string): Cell[] {
  return notebookCells({ spec, specFile: 'four.blobs.json', data: buildDataset(spec, join(file, '..')), version: '0.0.0' }).cells;
}

const code = (cells: Cell[]) => cells.filter((c) => c.kind === 'code').map((c) => c.source);
const all = (cells: Cell[]) => cells.map((c) => c.source).join('\n');

/** Runs a verb in-process with stdout/stderr captured; a usage error is its exit code. */
async function runVerb(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const failure: string[] = [];
  const { value: code, out, err } = await captureOutput(() =>
    exportVerb.run(args).catch((e) => {
      failure.push(e.message);
      return e.exitCode as number;
    }),
  );
  return { code, out, err: err + failure.join('') };
}

describe('Python literals', () => {
  test('numbers round-trip as Python reads them; strings, lists, None', () => {
    assert.equal(pyNum(1000), '1000');
    assert.equal(pyNum(0.1), '0.1');
    assert.equal(pyNum(1e-7), '1e-7');
    assert.equal(pyFloat(2), '2.0');
    assert.equal(pyFloat(0.8), '0.8');
    assert.equal(pyStr('a "b"\\c\n'), '"a \\"b\\"\\\\c\\n"');
    assert.equal(pyList([[1, 2.5], [-3, 4]]), '[[1, 2.5], [-3, 4]]');
    assert.equal(pyValue(null), 'None');
    assert.throws(() => pyNum(NaN));
  });

  test('float32 base64 is little-endian float32; long strings split into adjacent literals', () => {
    const b = Buffer.from(float32Base64([1, -2.5, 0.1]), 'base64');
    assert.deepEqual([b.readFloatLE(0), b.readFloatLE(4), b.readFloatLE(8)], [1, -2.5, Math.fround(0.1)]);
    const s = 'x'.repeat(200);
    const lit = pyLongString(s);
    assert.match(lit, /^\(\n {4}"x{76}"\n {4}"x{76}"\n {4}"x{48}"\n\)$/);
  });
});

describe('the initial weights', () => {
  test("are the trainer's, transposed to PyTorch's [out, in], weight then bias per layer", () => {
    const sizes = [2, 3, 4];
    const ours = initialWeights(sizes, 42);
    const t = torchInitialWeights(sizes, 42);
    assert.equal(t.length, 2 * 3 + 3 + 3 * 4 + 4);
    // layer 0: weight[j][i] = ours W0[i * 3 + j]
    for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) assert.equal(t[j * 2 + i], ours[0][i * 3 + j]);
    assert.deepEqual(Array.from(t.subarray(6, 9)), Array.from(ours[1]));
    for (let j = 0; j < 4; j++) for (let i = 0; i < 3; i++) assert.equal(t[9 + j * 3 + i], ours[2][i * 4 + j]);
    assert.deepEqual(Array.from(t.subarray(21)), Array.from(ours[3]));
  });

  test('the notebook embeds exactly them, with their shapes stated', () => {
    const { spec, file } = specAt();
    const cells = cellsOf(spec, file);
    const w = code(cells).find((c) => c.startsWith('INITIAL_WEIGHTS'))!;
    const b64 = [...w.matchAll(/"([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]).join('');
    const bytes = Buffer.from(b64, 'base64');
    const values = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    assert.deepEqual(values, Array.from(torchInitialWeights([2, 8, 8, 4], 42)));
    assert.equal(values.length, 132);
    const md = all(cells);
    assert.match(md, /\| `nn.Linear\(2, 8\)` \| 8 × 2 \| 8 \|/);
    assert.match(md, /\| `nn.Linear\(8, 4\)` \| 4 × 8 \| 4 \|/);
    assert.match(md, /132 float32 values/);
  });
});

describe('the notebook', () => {
  test("the notebook spec: the course's steps with the spec's own values", () => {
    const { spec, file } = specAt();
    const cells = cellsOf(spec, file);
    const c = code(cells);
    assert.equal(cells[0].kind, 'markdown');
    assert.match(cells[0].source, /^# Four blobs: a PyTorch notebook/);
    assert.match(c[0], /from sklearn\.datasets import make_blobs/);
    assert.match(c[0], /from sklearn\.model_selection import train_test_split/);
    const text = c.join('\n');
    for (const re of [
      /RANDOM_SEED += 42/,
      /EPOCHS += 100/,
      /LEARNING_RATE += 0\.1/,
      /BATCH_SIZE += "full"/,
      /LOG_EVERY += 10/,
      /n_samples=1000,/,
      /cluster_std=1\.5,/,
      /center_box=\(-10, 10\),/,
      /random_state=RANDOM_SEED,/,
      /train_test_split\(\n {4}X, y, test_size=TEST_SIZE, shuffle=True, random_state=RANDOM_SEED/,
      /device = "cuda" if torch\.cuda\.is_available\(\) else "cpu"/,
      /class BlobModel\(nn\.Module\)/,
      /load_weights\(model, INITIAL_WEIGHTS\)/,
      /loss_fn = nn\.CrossEntropyLoss\(\)/,
      /torch\.optim\.SGD\(model\.parameters\(\), lr=LEARNING_RATE, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY\)/,
      /optimizer\.zero_grad\(\)\n {4}loss\.backward\(\)\n {4}optimizer\.step\(\)/,
      /plt\.subplots\(1, 2/,
    ]) {
      assert.match(text, re);
    }
    assert.equal((text.match(/nn\.Linear\(/g) ?? []).length, 3);
    assert.doesNotMatch(text, /nn\.ReLU/);
    assert.doesNotMatch(text, /BlobShuffle/, 'full batch: no shuffle');
    // The data check holds blobs train's first training rows, at full precision.
    const data = buildDataset(spec, join(file, '..'));
    assert.ok(text.includes(`[${data.train.X[0]}, ${data.train.X[1]}]`));
  });

  test('the log line is formatLogLine, character for character', () => {
    const { spec, file } = specAt();
    const loop = code(cellsOf(spec, file)).find((c) => c.includes('for epoch in range(EPOCHS)'))!;
    const fstring = /print\(f"(.*)"\)/.exec(loop)![1];
    const e = { epoch: 10, trainLoss: 0.1439849, trainAcc: 0.99125, testLoss: 0.13037, testAcc: 0.99 };
    const py = fstring
      .replace('{epoch}', String(e.epoch))
      .replace('{train_loss:.5f}', pyFixed(e.trainLoss, 5))
      .replace('{train_acc:.2f}', pyFixed(e.trainAcc * 100, 2))
      .replace('{test_loss:.5f}', pyFixed(e.testLoss, 5))
      .replace('{test_acc:.2f}', pyFixed(e.testAcc * 100, 2));
    assert.equal(py, formatLogLine(e));
    assert.equal(py, 'Epoch: 10 | Loss: 0.14398, Acc: 99.12% | Test Loss: 0.13037, Test Acc: 99.00%');
    assert.match(loop, /if epoch % LOG_EVERY == 0:/);
  });

  test('activations, Adam, momentum, weight decay as PyTorch names them', () => {
    const relu = specAt((s) => (s.model = { hidden_units: [10, 10], activation: 'relu' }));
    const t = code(cellsOf(relu.spec, relu.file)).join('\n');
    assert.equal((t.match(/nn\.ReLU\(\)/g) ?? []).length, 2);
    for (const [act, mod] of [['tanh', 'nn.Tanh()'], ['sigmoid', 'nn.Sigmoid()']]) {
      const s = specAt((x) => (x.model = { hidden_units: [4], activation: act }));
      assert.ok(code(cellsOf(s.spec, s.file)).join('\n').includes(mod), act);
    }
    const adam = specAt((s) => Object.assign(s.training, { optimizer: 'adam', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 }));
    const a = cellsOf(adam.spec, adam.file);
    assert.match(code(a).join('\n'), /torch\.optim\.Adam\(model\.parameters\(\), lr=LEARNING_RATE, betas=\(0\.9, 0\.999\), eps=1e-8, weight_decay=WEIGHT_DECAY\)/);
    assert.match(code(a).join('\n'), /WEIGHT_DECAY += 0\.0001/);
    assert.doesNotMatch(code(a).join('\n'), /MOMENTUM/);
    assert.match(a[0].source, /`momentum` \(0\.9\) is not used with Adam/);
    const flat = specAt((s) => (s.model = { hidden_units: [], activation: 'relu' }));
    const f = code(cellsOf(flat.spec, flat.file)).join('\n');
    assert.match(f, /nn\.Sequential\(\n {12}nn\.Linear\(in_features=NUM_FEATURES, out_features=NUM_CLASSES\),\n {8}\)/);
    assert.doesNotMatch(f, /nn\.ReLU/);
    const mom = specAt((s) => Object.assign(s.training, { momentum: 0.9, weight_decay: 5e-4 }));
    const m = all(cellsOf(mom.spec, mom.file));
    assert.match(m, /MOMENTUM += 0\.9/);
    assert.match(m, /no dampening, no Nesterov/);
    assert.match(m, /weight decay 0\.0005/);
  });

  test('mini-batches: our shuffle ported, one step per batch, the last batch noted', () => {
    const { spec, file } = specAt((s) => (s.training.batch_size = 64));
    const cells = cellsOf(spec, file);
    const t = all(cells);
    assert.match(t, /class BlobShuffle:/);
    assert.match(t, /13 steps per epoch over the 800 training rows \(the last batch has 32\)/);
    assert.match(t, /BATCH_SIZE += 64/);
    assert.match(t, /shuffler\.shuffle\(order\)/);
    assert.match(t, /for start in range\(0, len\(order\), BATCH_SIZE\):/);
    assert.match(t, /loss_sum \+= loss\.item\(\) \* len\(rows\)/);
    // The port's constants are the generator's (train/rng.ts).
    const rng = readFileSync(join(root, 'src/core/train/rng.ts'), 'utf8').toLowerCase();
    for (const k of ['0x9e3779b9', '0x21f0aaad', '0x735a2d97', '0x6d2b79f5', '0x5bd1e995', '0x27d4eb2f']) {
      assert.ok(rng.includes(k) && t.toLowerCase().includes(k), k);
    }
    assert.ok(rng.includes('new rng(cfg.seed, 2)') || readFileSync(join(root, 'src/core/train/loop.ts'), 'utf8').includes('new Rng(cfg.seed, 2)'));
    assert.match(cells[0].source, /Mini-batches of 64/);
    // batch_size >= the training rows is full batch, as in the trainer.
    const big = specAt((s) => (s.training.batch_size = 5000));
    const b = cellsOf(big.spec, big.file);
    assert.doesNotMatch(all(b), /BlobShuffle/);
    assert.match(b[0].source, /`batch_size` 5000 is at least the 800 training rows/);
  });

  test('every generator: moons and circles with their arguments, per-centre blobs, explicit centres', () => {
    const moons = specAt((s) => (s.data = { generator: 'make_moons', n_samples: [300, 200], noise: 0.15, test_size: 100 }));
    const mc = cellsOf(moons.spec, moons.file);
    assert.match(code(mc)[0], /from sklearn\.datasets import make_moons/);
    assert.match(all(mc), /X, y = make_moons\(\n {4}n_samples=\(300, 200\),\n {4}shuffle=True,\n {4}noise=0\.15,\n {4}random_state=RANDOM_SEED,\n\)/);
    assert.match(all(mc), /TEST_SIZE += 100/);
    assert.match(mc[0].source, /numpy's `cos`\/`sin`/);
    const circles = specAt((s) => (s.data = { generator: 'make_circles', n_samples: 500, factor: 0.5, shuffle: false }));
    assert.match(all(cellsOf(circles.spec, circles.file)), /X, y = make_circles\(\n {4}n_samples=500,\n {4}shuffle=False,\n {4}noise=None,\n {4}factor=0\.5,/);
    const per = specAt((s) => (s.data = { generator: 'make_blobs', n_samples: [100, 200, 300], cluster_std: [1, 2, 3] }));
    const pt = all(cellsOf(per.spec, per.file));
    assert.match(pt, /n_samples=\[100, 200, 300\],/);
    assert.match(pt, /centers=None,  # one centre per n_samples entry/);
    assert.match(pt, /cluster_std=\[1, 2, 3\],/);
    const explicit = specAt((s) => (s.data.centers = [[0, 0], [5, 5]]));
    assert.match(all(cellsOf(explicit.spec, explicit.file)), /centers=\[\[0, 0\], \[5, 5\]\],/);
    const split = specAt((s) => (s.data.split_shuffle = false));
    assert.match(all(cellsOf(split.spec, split.file)), /shuffle=False, random_state=RANDOM_SEED/);
  });

  test('more than two features: the boundary is the slice the panel shows', () => {
    const { spec, file } = specAt((s) => Object.assign(s.data, { n_features: 3, centers: 3 }));
    const t = all(cellsOf(spec, file));
    assert.match(t, /NUM_FEATURES += 3/);
    assert.match(t, /the third is held at its training mean, the same slice the panel shows/);
    assert.match(t, /fill=X_train\.mean\(dim=0\)/);
    assert.match(t, /fig\.suptitle\("Slice through x1, x2; x3 held at its training mean"\)/);
  });

  test('CSV: read by its path relative to where the notebook is written', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'pts.csv'), 'a,b,kind\n0,0,cat\n1,1,dog\n0,1,cat\n1,0,dog\n2,2,cat\n');
    const { spec, file } = specAt((s) => (s.data = { generator: 'csv', path: 'data/pts.csv', test_size: 0.4 }), dir);
    const beside = exportSpec(spec, file, 'ipynb', join(dir, 'four.ipynb'));
    const t = all(beside.cells);
    assert.match(t, /DATA_PATH = Path\("data\/pts\.csv"\)/);
    assert.match(t, /CLASS_NAMES = \["cat", "dog"\]/);
    assert.match(t, /FEATURE_NAMES = \["a", "b"\]/);
    assert.doesNotMatch(code(beside.cells)[0], /sklearn\.datasets/);
    mkdirSync(join(dir, 'nb'));
    const elsewhere = exportSpec(spec, file, 'ipynb', join(dir, 'nb', 'x.ipynb'));
    assert.match(all(elsewhere.cells), /DATA_PATH = Path\("\.\.\/data\/pts\.csv"\)/);
  });

  test('notes say what is only approximately reproducible', () => {
    const { spec, file } = specAt();
    const notes = reproducibilityNotes(spec, buildDataset(spec, join(file, '..')));
    assert.ok(notes.some((n) => /float32/.test(n)));
    assert.ok(notes.some((n) => /GPU/.test(n)));
    assert.ok(!notes.some((n) => /Mini-batches/.test(n)));
  });
});

describe('files', () => {
  test('.ipynb: nbformat 4.5 structure (ids, sources as lines, unexecuted code cells)', () => {
    const { spec, file } = specAt();
    const cells = cellsOf(spec, file);
    const nb = JSON.parse(toIpynb(cells));
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.nbformat_minor, 5);
    assert.equal(nb.metadata.kernelspec.name, 'python3');
    assert.equal(nb.metadata.language_info.name, 'python');
    assert.equal(nb.cells.length, cells.length);
    const ids = new Set<string>();
    nb.cells.forEach((c: any, i: number) => {
      assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/);
      ids.add(c.id);
      assert.deepEqual(c.metadata, {});
      assert.ok(Array.isArray(c.source));
      assert.equal(c.source.join(''), cells[i].source);
      c.source.slice(0, -1).forEach((l: string) => assert.ok(l.endsWith('\n')));
      if (c.cell_type === 'code') {
        assert.deepEqual(Object.keys(c).sort(), ['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
        assert.equal(c.execution_count, null);
        assert.deepEqual(c.outputs, []);
      } else {
        assert.equal(c.cell_type, 'markdown');
        assert.deepEqual(Object.keys(c).sort(), ['cell_type', 'id', 'metadata', 'source']);
      }
    });
    assert.equal(ids.size, cells.length, 'unique ids');
    assert.match(nb.cells.find((c: any) => c.cell_type === 'code').source.join(''), /make_blobs/);
  });

  test('.py: the same cells behind # %% markers', () => {
    const { spec, file } = specAt((s) => (s.training.batch_size = 100));
    const cells = cellsOf(spec, file);
    const py = toPy(cells);
    assert.match(py, /^# %% \[markdown\]\n# # Four blobs/);
    assert.match(py, /\n# %%\nimport base64\n/);
    assert.deepEqual(cellsFromPy(py), cells);
  });

  test('defaultExportPath: beside the spec, named after it', () => {
    assert.equal(defaultExportPath('/w/a/iris.blobs.json', 'ipynb'), '/w/a/iris.ipynb');
    assert.equal(defaultExportPath('/w/a/iris.blobs.json', 'py'), '/w/a/iris.py');
  });
});

describe('blobs export', () => {
  test('writes <spec>.ipynb beside the spec; never replaces a file without --force', async () => {
    const { file, dir } = specAt();
    const r = await runVerb([file]);
    assert.equal(r.code, 0, r.err);
    const out = join(dir, 'four.ipynb');
    assert.match(r.out, /Wrote .*four\.ipynb \(\d+ cells\)/);
    const nb = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(nb.nbformat, 4);
    writeFileSync(out, 'mine');
    const again = await runVerb([file]);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists; not replacing it/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    const forced = await runVerb([file, '--force', '-q']);
    assert.equal(forced.code, 0);
    assert.equal(forced.out, '');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).nbformat, 4);
  });

  test('--to py, --out FILE, --out - (stdout), format from the extension', async () => {
    const { file, dir } = specAt();
    const py = await runVerb([file, '--to', 'py']);
    assert.equal(py.code, 0, py.err);
    assert.match(readFileSync(join(dir, 'four.py'), 'utf8'), /^# %% \[markdown\]/);
    const named = await runVerb([file, '--out', join(dir, 'other.py')]);
    assert.equal(named.code, 0, named.err);
    assert.ok(existsSync(join(dir, 'other.py')));
    const stdout = await runVerb([file, '--to', 'ipynb', '--out', '-']);
    assert.equal(stdout.code, 0);
    assert.equal(JSON.parse(stdout.out).nbformat, 4);
    assert.equal(chooseFormat(undefined, 'x.py'), 'py');
    assert.equal(chooseFormat(undefined, undefined), 'ipynb');
    assert.throws(() => chooseFormat('ipynb', 'x.py'), /ends in \.py but --to is ipynb/);
    assert.throws(() => chooseFormat('pdf', undefined), /--to must be ipynb or py/);
  });

  test('bad input: usage errors and an invalid spec exit 2 and write nothing', async () => {
    const { file, dir } = specAt();
    assert.equal((await runVerb([])).code, 2);
    assert.equal((await runVerb([file, '--to', 'html'])).code, 2);
    assert.equal((await runVerb([file, '--out', file])).code, 2);
    const bad = join(dir, 'bad.blobs.json');
    writeFileSync(bad, '{ "data": { "n_samples": -1 } }');
    const r = await runVerb([bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /n_samples/);
    assert.ok(!existsSync(join(dir, 'bad.ipynb')));
    assert.equal((await runVerb([join(dir, 'missing.blobs.json')])).code, 2);
  });
});

describe('the exporter process (what the extension runs)', () => {
  const script = join(root, 'src/exporter/process.ts');
  const opts = { script, execArgv: ['--import', 'tsx'] };

  test('answers with the notebook for the editor text, or an error in words', async () => {
    const { file, dir } = specAt();
    const text = readFileSync(file, 'utf8').replace('"epochs": 100', '"epochs": 7');
    const r = await runExporter(opts, { specText: text, specPath: file, format: 'ipynb', outPath: join(dir, 'four.ipynb') });
    assert.equal(r.type, 'exported', r.type === 'error' ? r.message : '');
    if (r.type !== 'exported') return;
    assert.match(r.text, /EPOCHS += 7/, 'the unsaved text, not the file');
    assert.equal(JSON.parse(r.text).cells.length, r.cells);
    const bad = await runExporter(opts, { specText: '{ "data": { "n_samples": -1 } }', specPath: file, format: 'ipynb', outPath: join(dir, 'four.ipynb') });
    assert.equal(bad.type, 'error');
    assert.match((bad as { message: string }).message, /^Cannot export four\.blobs\.json: .*n_samples.*\(line 1\)\.$/);
  });

  test('a process that cannot run becomes an error reply, not a rejection', async () => {
    const dir = tempDir();
    const crash = join(dir, 'crash.js');
    writeFileSync(crash, 'process.stderr.write("boom\\n"); process.exit(3);');
    const r = await runExporter({ script: crash }, { specText: '{}', specPath: join(dir, 'a.blobs.json'), format: 'py', outPath: join(dir, 'a.py') });
    assert.equal(r.type, 'error');
    assert.match((r as { message: string }).message, /stopped \(exit 3\) without an answer: boom/);
  });
});
