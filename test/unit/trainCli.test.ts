import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { evaluationReport, exitCodeFor, outRoot, trainVerb } from '../../src/cli/train';
import { predictVerb } from '../../src/cli/predict';
import { evaluate } from '../../src/core/train/evaluate';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { tempDir } from './tempDir';
import { captureOutput } from '../fixtures/captureOutput';

/** Runs a verb in-process, capturing stdout and stderr. */
async function runVerb(verb: typeof trainVerb, args: string[]) {
  const { value: code, out, err } = await captureOutput(() => verb.run(args));
  return { code, out, err };
}


function specFile(over: Record<string, unknown> = {}, training: Record<string, unknown> = {}) {
  const dir = tempDir('cli-');
  const file = join(dir, 'four.blobs.json');
  writeFileSync(file, JSON.stringify({ ...NOTEBOOK_SPEC, device: 'wasm', ...over, training: { ...NOTEBOOK_SPEC.training, ...training } }));
  return { dir, file };
}

describe('blobs train', () => {
  test('prints the notebook log, the report, saves the run; exit 0', async () => {
    const { dir, file } = specFile();
    const r = await runVerb(trainVerb, [file]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('Epoch: ')).length, 10);
    assert.match(r.out, /Test set \(200 samples\): accuracy 99\.50%/);
    assert.match(r.out, /weighted avg/);
    assert.match(r.out, /Confusion matrix/);
    const runs = readdirSync(join(dir, '.blob-runs', 'four'));
    assert.equal(runs.length, 1);
    assert.match(r.out, new RegExp(`Run saved to ${join(dir, '.blob-runs', 'four', runs[0])}`));

    // predict from the saved run: the notebook's first point (-8.41, 6.94) is class 3
    const p = await runVerb(predictVerb, [join(dir, '.blob-runs', 'four', runs[0]), '-8.413', '6.935', '--json']);
    assert.equal(p.code, 0, p.err);
    const pj = JSON.parse(p.out);
    assert.equal(pj.predicted, 3);
    assert.ok(Math.abs(pj.probabilities.reduce((a: number, b: number) => a + b) - 1) < 1e-5);
    const bad = await runVerb(predictVerb, [join(dir, '.blob-runs', 'four', runs[0]), '1']).catch((e) => e);
    assert.match(String(bad.message), /takes 2 features, got 1/);
  });

  test('--json: protocol events, one per line, then the RunSummary', async () => {
    const { file } = specFile();
    const r = await runVerb(trainVerb, [file, '--json', '--epochs', '20', '--no-save', '--no-frames']);
    assert.equal(r.code, 0);
    const objs = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(objs[0].type, 'start');
    assert.ok(!objs.some((o) => o.type === 'frame'));
    assert.equal(objs.filter((o) => o.type === 'epoch').length, 20);
    assert.equal(objs[objs.length - 2].type, 'done');
    const summary = objs[objs.length - 1];
    for (const k of ['test_acc', 'test_loss', 'train_acc', 'train_loss', 'epochs', 'backend', 'device', 'train_wall_s', 'epochs_per_s', 'status']) assert.ok(k in summary, k);
    assert.equal(summary.epochs, 20);
    assert.equal(summary.status, 'completed');
  });

  test('exit codes: bad spec 2, unavailable device 1, diverged 1', async () => {
    const { dir } = specFile();
    const badFile = join(dir, 'bad.blobs.json');
    writeFileSync(badFile, '{ "seed": "x" }');
    assert.equal((await runVerb(trainVerb, [badFile, '--no-save'])).code, 2);
    const { file } = specFile();
    const gpu = await runVerb(trainVerb, [file, '--device', 'gpu', '--no-save']);
    assert.equal(gpu.code, 1);
    assert.match(gpu.err, /device "gpu" is unavailable/);
    const div = specFile({}, { lr: 1e30 });
    const d = await runVerb(trainVerb, [div.file, '--no-save']);
    assert.equal(d.code, 1);
    assert.match(d.err, /diverged at epoch \d+/);
    assert.equal(exitCodeFor({ type: 'error', code: 'too-large', message: '' }), 2);
  });

  test('exit codes: SIGTERM 143, SIGINT 130, a run that was to be saved and was not 1', () => {
    const summary = { status: 'cancelled' } as never;
    const cancelled = { type: 'cancelled', epoch: 3, summary } as const;
    const done = { type: 'done', summary, evaluation: {} as never } as const;
    assert.equal(exitCodeFor(cancelled), 130);
    assert.equal(exitCodeFor(cancelled, { signal: 'SIGINT' }), 130);
    assert.equal(exitCodeFor(cancelled, { signal: 'SIGTERM' }), 143);
    assert.equal(exitCodeFor(done), 0);
    assert.equal(exitCodeFor(done, { unsaved: true }), 1);
    assert.equal(exitCodeFor(cancelled, { signal: 'SIGTERM', unsaved: true }), 1);
    assert.equal(exitCodeFor({ type: 'error', code: 'bad-spec', message: '' }, { unsaved: true }), 2, 'a refused spec stays exit 2');
  });

  test('--out outside the spec folder and the current folder is refused before training (exit 2, nothing written)', async () => {
    const { dir, file } = specFile({}, { epochs: 2 });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await runVerb(trainVerb, [file, '--out', '/', '--quiet']).catch((e) => e);
      assert.equal(r.exitCode, 2, String(r));
      assert.match(r.message, /--out \/ is outside the spec's folder .* and the current folder/);
      assert.ok(!r.out, 'nothing trained');
      const parent = await runVerb(trainVerb, [file, '--out', join(dir, '..'), '--quiet']).catch((e) => e);
      assert.equal(parent.exitCode, 2);
      // Inside the spec folder: fine, and the run lands there.
      const ok = await runVerb(trainVerb, [file, '--out', join(dir, 'mine'), '--quiet']);
      assert.equal(ok.code, 0, ok.err);
      assert.equal(readdirSync(join(dir, 'mine')).length, 1);
    } finally {
      process.chdir(cwd);
    }
    assert.equal(outRoot(join(tmpdir(), 'elsewhere', 'runs'), file, join(tmpdir(), 'elsewhere')), join(tmpdir(), 'elsewhere'), 'the current folder counts too');
  });

  test('predict: wrong argument counts, a missing folder, non-numbers, a cancelled run', async () => {
    const { dir, file } = specFile({}, { epochs: 5 });
    assert.equal((await runVerb(trainVerb, [file, '--quiet'])).code, 0);
    const runs = join(dir, '.blob-runs', 'four');
    const run = join(runs, readdirSync(runs)[0]);
    const fail = (args: string[]) => runVerb(predictVerb, args).then(() => assert.fail('expected an error'), (e) => e);
    assert.match((await fail([])).message, /no run folder given/);
    assert.match((await fail([run])).message, /no feature values given/);
    assert.match((await fail([run, '1', '2', '3'])).message, /takes 2 features, got 3/);
    assert.match((await fail([run, '1', 'abc'])).message, /feature values must be numbers, got "abc"/);
    const missing = await fail([join(dir, 'nope'), '1', '2']);
    assert.match(missing.message, /no such folder/);
    assert.equal(missing.exitCode, 2);
    assert.match((await fail([dir, '1', '2'])).message, /no saved model here/);
    // A cancelled run's model loads too, with a note saying so.
    const summaryPath = join(run, 'summary.json');
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    writeFileSync(summaryPath, JSON.stringify({ ...summary, status: 'cancelled', epochs_completed: 3 }));
    const p = await runVerb(predictVerb, [run, '-8.4', '6.9']);
    assert.equal(p.code, 0, p.err);
    assert.match(p.err, /note: this run was cancelled after 3 of 5 epochs/);
    assert.match(p.out, /predicted: \d/);
  });

  test('Ctrl-C (SIGINT) cancels cleanly: run saved marked cancelled, exit 130', async () => {
    // A real process and a real signal: the CLI as a user runs it.
    const { dir, file } = specFile({}, { epochs: 1_000_000 });
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts'), 'train', file, '--json', '--no-frames'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (!out.includes('"type":"epoch"') && s.includes('"type":"epoch"')) child.kill('SIGINT');
      out += s;
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 130);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[lines.length - 2].type, 'cancelled');
    const summary = lines[lines.length - 1];
    assert.equal(summary.status, 'cancelled');
    const runs = readdirSync(join(dir, '.blob-runs', 'four'));
    assert.equal(runs.length, 1, 'saved, and no .partial folder');
    assert.equal(JSON.parse(readFileSync(join(dir, '.blob-runs', 'four', runs[0], 'summary.json'), 'utf8')).status, 'cancelled');
  });
});

describe('report', () => {
  test('classification report layout', () => {
    const ev = evaluate([0, 0, 1, 1], [0, 1, 1, 1], 2, 0.25);
    const txt = evaluationReport(ev, ['a', 'b'], 'Test set');
    assert.match(txt, /^Test set \(4 samples\): accuracy 75\.00%, loss 0\.25000/);
    assert.match(txt, /\n {11}a {4}1\.0000 {4}0\.5000 {4}0\.6667 {9}2\n/);
    assert.match(txt, /\n {11}a {4}1 {4}1\n {11}b {4}0 {4}2$/);
  });
});
