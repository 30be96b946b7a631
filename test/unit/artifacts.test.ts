import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLoaders } from '../../src/core/train/backends';
import { loadRunModel } from '../../src/core/train/artifacts';
import { checkInsideRoot, defaultRunsDir, readLatestRunHistory } from '../../src/core/run/folder';
import { RunControl } from '../../src/core/train/control';
import { svgToPng } from '../../src/core/figure/runFigure';
import { runSpec } from '../../src/core/train/run';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import type { FrameEvent, StartEvent, TrainerEvent } from '../../src/core/protocol';
import { tempDir } from './tempDir';

const RUN_1 = '20260101-000000-0001';
const RUN_C = '20260101-000000-000c';
const RUN_W = '20260101-000000-000e';

function setup(epochs = 40) {
  const dir = tempDir('art-');
  const specPath = join(dir, 'four.blobs.json');
  const text = JSON.stringify({ ...NOTEBOOK_SPEC, device: 'wasm', training: { ...NOTEBOOK_SPEC.training, epochs } });
  writeFileSync(specPath, text);
  return { dir, specPath, text, out: defaultRunsDir(specPath) };
}

async function collect(gen: AsyncIterable<TrainerEvent>) {
  const out: TrainerEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

describe('run artifacts', () => {
  test("the terminal event goes out once the results are published, before the figures are drawn; they follow before the stream ends", async () => {
    const { specPath, text, out } = setup(5);
    const runDir = join(out, RUN_1);
    let atDone: string[] | undefined;
    for await (const e of runSpec(text, specPath, { outDir: out }, undefined, { runId: RUN_1 })) {
      if (e.type === 'done') atDone = readdirSync(runDir).sort();
    }
    assert.ok(atDone, 'done came');
    assert.ok(atDone.includes('summary.json') && atDone.includes('events.jsonl') && atDone.includes('model'), atDone.join());
    assert.ok(!atDone.includes('figure.svg') && !atDone.includes('figure.png'), `no figure yet at done: ${atDone.join()}`);
    assert.ok(existsSync(join(runDir, 'figure.svg')), 'figure.svg once the stream ended');
    assert.ok(!readdirSync(runDir).some((f) => f.startsWith('.tmp-')), 'no temporary file left');
  });

  test('a consumer that stops at the terminal event still gets the figures', async () => {
    const { specPath, text, out } = setup(3);
    for await (const e of runSpec(text, specPath, { outDir: out }, undefined, { runId: RUN_1 })) if (e.type === 'done') break;
    assert.ok(existsSync(join(out, RUN_1, 'figure.svg')));
  });

  test('default folder is <spec dir>/.blob-runs/<base name>', () => {
    assert.equal(defaultRunsDir('/a/b/four.blobs.json'), '/a/b/.blob-runs/four');
    assert.equal(defaultRunsDir('/a/b/x.json'), '/a/b/.blob-runs/x');
  });

  test('a run writes every file; the saved model reloads and predicts the same classes', async () => {
    const { specPath, text, out } = setup();
    const evs = await collect(runSpec(text, specPath, { outDir: out }, undefined, { runId: RUN_1 }));
    const done = evs[evs.length - 1];
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    const runDir = join(out, RUN_1);
    assert.equal(done.summary.artifacts_dir, runDir);
    for (const f of ['spec.json', 'metrics.csv', 'summary.json', 'model/model.json', 'model/weights.bin', 'data.csv', 'figure.svg', 'events.jsonl']) {
      assert.ok(existsSync(join(runDir, f)), `${f} missing`);
    }
    assert.deepEqual(readdirSync(out), [RUN_1], 'no .partial left');
    // One id: the folder's name, the summary's, the start event's and the history's.
    const history = await readLatestRunHistory(out);
    assert.ok(history);
    assert.equal(history.header.runId, RUN_1);
    assert.equal(history.events[0].type === 'start' && history.events[0].runId, RUN_1);
    assert.deepEqual(history.events.at(-1), done, 'the history ends with the terminal event as sent');
    assert.equal(history.events.filter((e) => e.type === 'epoch').length, 40);
    const metrics = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    assert.equal(metrics[0], 'epoch,train_loss,train_acc,test_loss,test_acc,elapsed_ms');
    assert.equal(metrics.length, 41);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.equal(summary.runId, RUN_1);
    assert.equal(summary.status, 'completed');
    assert.equal(summary.test_acc, done.summary.test_acc);
    assert.equal(summary.evaluation.test.confusion.length, 4);
    assert.equal(summary.backend, 'wasm');
    assert.ok(summary.versions['tfjs-core']);
    assert.equal(summary.versions['blob-classifier'], JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
    assert.equal(summary.backend_info.device, 'wasm');
    assert.match(summary.backend_info.reason, /requested: wasm/);
    assert.ok(summary.timings.train_wall_s > 0 && summary.timings.started_at && summary.timings.finished_at);
    assert.equal(summary.evaluation.train.perClass.length, 4);
    // data.csv: the split of every row, train rows first
    assert.equal(readFileSync(join(runDir, 'data.csv'), 'utf8').split('\n').filter((l) => l.endsWith(',test')).length, 200);
    const pngWorks = !!svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>');
    assert.equal(existsSync(join(runDir, 'figure.png')), pngWorks, 'figure.png whenever resvg loads');
    const spec = JSON.parse(readFileSync(join(runDir, 'spec.json'), 'utf8'));
    assert.equal(spec.training.epochs, 40);
    assert.equal(spec.boundary.resolution, 101, 'defaults applied');
    const data = readFileSync(join(runDir, 'data.csv'), 'utf8').trim().split('\n');
    assert.equal(data[0], 'x1,x2,label,split');
    assert.equal(data.length, 1001);
    assert.ok(readFileSync(join(runDir, 'figure.svg'), 'utf8').startsWith('<svg'));

    // Reload on the js backend and compare with the last frame's predictions of the drawn points.
    const tf = await defaultLoaders.loadJs();
    const model = await loadRunModel(tf, runDir);
    const start = evs.find((e): e is StartEvent => e.type === 'start')!;
    const frame = evs.filter((e): e is FrameEvent => e.type === 'frame').pop()!;
    assert.equal(frame.epoch, 40);
    const xy = start.points.test.xy;
    const probs = model.predict(tf.tensor2d(xy, [xy.length / 2, 2])) as import('@tensorflow/tfjs').Tensor;
    const sums = probs.sum(1).dataSync();
    assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-5), 'model outputs probabilities');
    const pred = Array.from(probs.argMax(1).dataSync());
    assert.deepEqual(pred, Array.from(Buffer.from(frame.predTest, 'base64')));
  });

  test('a cancelled run is written and marked cancelled; nothing half-written survives', async () => {
    const { specPath, text, out } = setup(100_000);
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    for await (const e of runSpec(text, specPath, { outDir: out }, control, { runId: RUN_C, png: false })) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 10) control.cancel();
    }
    const end = evs[evs.length - 1];
    assert.equal(end.type, 'cancelled');
    assert.deepEqual(readdirSync(out), [RUN_C]);
    const summary = JSON.parse(readFileSync(join(out, RUN_C, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'cancelled');
    assert.equal(summary.epochs_completed, 11);
    assert.equal(readFileSync(join(out, RUN_C, 'metrics.csv'), 'utf8').trim().split('\n').length, 12);
    assert.equal((await readLatestRunHistory(out))?.events.at(-1)?.type, 'cancelled');
  });

  test('a failed save is a warning, leaves nothing, and the summary names no artifacts_dir', async () => {
    const { dir, specPath, text } = setup(3);
    writeFileSync(join(dir, 'blocker'), 'a file where the runs folder would go');
    const out = join(dir, 'blocker', 'runs');
    const evs = await collect(runSpec(text, specPath, { outDir: out }, undefined, { runId: RUN_1, png: false }));
    const end = evs.at(-1);
    assert.equal(end?.type, 'done');
    assert.equal(end?.type === 'done' && end.summary.artifacts_dir, undefined);
    assert.ok(evs.some((e) => e.type === 'log' && e.level === 'warn' && /Could not write the run's artifacts/.test(e.message)));
    assert.deepEqual(readdirSync(dir).sort(), ['blocker', 'four.blobs.json']);
  });

  test('options.allowedRoot (the workspace) lets runs go beside the spec folder, and nowhere else', async () => {
    const ws = tempDir('ws-');
    const specDir = join(ws, 'specs');
    mkdirSync(specDir);
    const specPath = join(specDir, 'four.blobs.json');
    const text = JSON.stringify({ ...NOTEBOOK_SPEC, device: 'wasm', training: { ...NOTEBOOK_SPEC.training, epochs: 3 } });
    const outDir = join(ws, '.blob-runs', 'four');
    const ok = await collect(runSpec(text, specPath, { outDir, allowedRoot: ws }, undefined, { runId: RUN_W, png: false }));
    assert.equal(ok[ok.length - 1].type, 'done');
    assert.ok(existsSync(join(outDir, RUN_W, 'summary.json')));
    const refused = await collect(runSpec(text, specPath, { outDir }, undefined, { png: false }));
    const e = refused[refused.length - 1];
    assert.ok(e.type === 'error' && /outside the allowed folder/.test(e.message), 'default root is the spec folder');
  });

  test('output folder must stay inside the allowed root', () => {
    assert.equal(checkInsideRoot('/w/a/runs', '/w'), '/w/a/runs');
    assert.throws(() => checkInsideRoot('/w/../etc', '/w'), /outside the allowed folder/);
    assert.throws(() => checkInsideRoot('/tmp/x', '/w'), /outside the allowed folder/);
    // A symbolic link inside the root that leads outside it does not let a run escape.
    const root = tempDir('root-');
    const outside = tempDir('outside-');
    symlinkSync(outside, join(root, 'link'));
    assert.throws(() => checkInsideRoot(join(root, 'link', 'runs', 'new'), root), /it leads to .*blobs-outside-.* is outside the allowed folder/);
    assert.equal(checkInsideRoot(join(root, 'a', 'b'), root), join(root, 'a', 'b'));
    // The root itself may be reached through a link (e.g. /tmp -> /private/tmp).
    symlinkSync(root, join(outside, 'to-root'));
    assert.equal(checkInsideRoot(join(root, 'runs'), join(outside, 'to-root')), join(root, 'runs'));
  });
});
