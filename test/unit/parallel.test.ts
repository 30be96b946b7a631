import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainVerb } from '../../src/cli/train';
import type { Dataset } from '../../src/core/data/dataset';
import type { EpochEvent, StartEvent, TrainerEvent } from '../../src/core/protocol';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { defaultLoaders, type Tf } from '../../src/core/train/backends';
import { RunControl } from '../../src/core/train/control';
import { TrainLoop, type EpochMetrics, type LoopConfig } from '../../src/core/train/loop';
import { buildNet, disposeNet } from '../../src/core/train/model';
import { AUTO_WORKERS, idleCores, planWorkers, stepFlops, type WorkersInput } from '../../src/core/train/parallel/plan';
import { WorkerPool } from '../../src/core/train/parallel/pool';
import { partOf } from '../../src/core/train/parallel/shared';
import { runSpec } from '../../src/core/train/run';
import { captureOutput } from '../fixtures/captureOutput';
import { randomSet } from '../fixtures/randomSet';

const dirs: string[] = [];
after(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  for (const p of WorkerPool.live) p.dispose(); // a failed test's workers must not keep this process alive
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'blobs-par-'));
  dirs.push(d);
  return d;
}


const loadTf = (device: 'wasm' | 'js'): Promise<Tf> => (device === 'wasm' ? defaultLoaders.loadWasm() : defaultLoaders.loadJs());
const params = (loop: { net: ReturnType<typeof buildNet> }) => loop.net.params.map((p) => Array.from(p.dataSync()));

/** A loop on `threads` threads (started), for `data`. */
async function makeLoop(tf: Tf, data: { train: Dataset; test: Dataset; nClasses: number }, cfg: LoopConfig, threads: number) {
  const net = buildNet(tf, [3, 6, 5, 3], 'tanh', 4);
  const loop = new TrainLoop(tf, net, data, cfg);
  if (threads > 1) await loop.startWorkers(threads);
  return {
    net,
    loop,
    dispose() {
      loop.dispose();
      disposeNet(net);
    },
  };
}

function assertClose(a: EpochMetrics, b: EpochMetrics, n: { train: number; test: number }, what: string): void {
  for (const key of ['trainLoss', 'testLoss'] as const) assert.ok(Math.abs(a[key] - b[key]) <= 1e-5 * Math.max(1, Math.abs(b[key])), `${what} ${key}: ${a[key]} vs ${b[key]}`);
  // A row whose two top logits differ by rounding may flip: at most one.
  assert.ok(Math.abs(a.trainAcc - b.trainAcc) <= 1 / n.train + 1e-12, `${what} trainAcc: ${a.trainAcc} vs ${b.trainAcc}`);
  assert.ok(Math.abs(a.testAcc - b.testAcc) <= 1 / n.test + 1e-12, `${what} testAcc: ${a.testAcc} vs ${b.testAcc}`);
}

describe('auto worker count (pure)', () => {
  const base: WorkersInput = { backend: 'wasm', params: 4612, stepRows: 1024, nTrain: 80_000, nTest: 20_000, epochs: 3, cores: 2 };
  const long = { ...base, epochs: 30 };

  test("the notebook's model trains on one thread", () => {
    const p = planWorkers({ ...base, params: 132, stepRows: 800, nTrain: 800, nTest: 200, epochs: 100 });
    assert.equal(p.count, 1);
    assert.match(p.reason, /^auto: 1 \(.*too little to pay for starting workers\)$/);
  });

  test("the benchmark's big workloads: 3b and 4 use every core of this 2-core machine, 3a (~0.3 s of work) is too short to win back starting a worker", () => {
    for (const w of [{ ...base, stepRows: 80_000, epochs: 10 }, { ...base, nTrain: 800_000, nTest: 200_000, stepRows: 4096, epochs: 2 }]) {
      const p = planWorkers(w);
      assert.equal(p.count, 2, JSON.stringify(w));
      assert.match(p.reason, /^auto: 2 \(2 cores; ~[\d.]+ [MG]FLOP per step, ~[\d.]+ GFLOP in all\)$/);
    }
    assert.match(planWorkers(base).reason, /^auto: 1 \(~28\.3 MFLOP per step, ~7\.2 GFLOP in all: too little to pay for starting workers\)$/);
    assert.equal(planWorkers({ ...base, epochs: 30 }).count, 2, '3a for 30 epochs');
  });

  test('more cores: capped so that each thread keeps a big enough share of a step', () => {
    const step = stepFlops(base.params, base.stepRows);
    const p = planWorkers({ ...long, cores: 64 });
    assert.equal(p.count, Math.floor(step / AUTO_WORKERS.minPartFlops));
    assert.ok(p.count < 64);
    assert.match(p.reason, /split \d+ ways at most/);
    assert.equal(planWorkers({ ...long, cores: 4 }).count, 4);
  });

  test('busy cores are not counted: a thread sharing its core with another process stalls every step', () => {
    assert.deepEqual(planWorkers({ ...long, idle: 1.6 }).count, 2);
    assert.match(planWorkers({ ...long, idle: 1.6 }).reason, /^auto: 2 \(2 cores, 1\.6 idle; ~/);
    const busy = planWorkers({ ...long, idle: 0.4 });
    assert.equal(busy.count, 1);
    assert.match(busy.reason, /^auto: 1 \(2 cores, 0\.4 idle: the others are busy; ~/);
    assert.equal(planWorkers({ ...long, cores: 8, idle: 3.2 }).count, 3);
    assert.equal(planWorkers({ ...base, requested: 2, idle: 0 }).count, 2, 'a requested count is not second-guessed');
  });

  test('idle cores are measured from the CPU times: between none and all', async () => {
    const idle = await idleCores(20);
    assert.ok(idle >= 0 && idle <= cpus().length + 1e-9, String(idle));
  });

  test('small steps of a long run stay on one thread; one core; native backends', () => {
    const small = planWorkers({ ...base, params: 132, stepRows: 32, nTrain: 1_000_000, epochs: 100 });
    assert.equal(small.count, 1);
    assert.match(small.reason, /steps too small to split/);
    assert.deepEqual(planWorkers({ ...long, cores: 1 }), { count: 1, reason: 'auto: 1 (1 core available)' });
    assert.match(planWorkers({ ...long, backend: 'tensorflow' }).reason, /^auto: 1 \(the tensorflow backend runs its own threads/);
  });

  test('a requested count is used as asked (js and wasm), and said so', () => {
    assert.deepEqual(planWorkers({ ...base, requested: 3, params: 10 }), { count: 3, reason: 'requested: 3' });
    assert.deepEqual(planWorkers({ ...base, requested: 1 }), { count: 1, reason: 'requested: 1' });
    const native = planWorkers({ ...base, backend: 'tensorflow', requested: 4 });
    assert.equal(native.count, 1);
    assert.match(native.reason, /requested: 4, but the tensorflow backend runs its own threads/);
  });

  test('parts cover the rows exactly, in order', () => {
    for (const [rows, parts] of [[1024, 2], [1000, 3], [5, 4], [2, 3]]) {
      let next = 0;
      for (let r = 0; r < parts; r++) {
        const [lo, hi] = partOf(rows, parts, r);
        assert.equal(lo, next);
        assert.ok(hi >= lo);
        next = hi;
      }
      assert.equal(next, rows);
    }
  });
});

describe('data-parallel loop', () => {
  const data = { train: randomSet(600, 3, 3, 31), test: randomSet(250, 3, 3, 32), nClasses: 3 };
  const n = { train: 600, test: 250 };
  const base: LoopConfig = { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1 };
  const configs: [string, Partial<LoopConfig>][] = [
    ['full batch in row chunks, sgd momentum + decay', { momentum: 0.9, weightDecay: 0.01, chunkRows: 64 }],
    ['mini-batches, adam', { optimizer: 'adam', lr: 0.01, batchSize: 100 }],
    ['mini-batches in row chunks, sgd', { batchSize: 250, chunkRows: 48 }],
  ];
  for (const device of ['wasm', 'js'] as const) {
    for (const [name, o] of configs) {
      test(`${device}, ${name}: 2 and 3 threads give one thread's numbers up to float summation order; no tensors leak on either side`, async () => {
        const tf = await loadTf(device);
        const cfg = { ...base, ...o };
        const before = tf.memory().numTensors;
        const runs = [await makeLoop(tf, data, cfg, 1), await makeLoop(tf, data, cfg, 2), await makeLoop(tf, data, cfg, 3)];
        assert.deepEqual(runs.map((r) => r.loop.threads), [1, 2, 3]);
        let counts: number[] = [];
        let workerCounts: number[][] = [];
        for (let e = 0; e < 4; e++) {
          const m = [];
          for (const r of runs) m.push(await r.loop.epochAsync(() => false));
          assertClose(m[1]!, m[0]!, n, `epoch ${e}, 2 threads`);
          assertClose(m[2]!, m[0]!, n, `epoch ${e}, 3 threads`);
          if (e === 1) {
            counts = [tf.memory().numTensors];
            workerCounts = runs.map((r) => r.loop.workerTensors());
          }
        }
        const p0 = params(runs[0]);
        for (const r of runs.slice(1)) params(r).forEach((p, i) => p.forEach((v, j) => assert.ok(Math.abs(v - p0[i][j]) < 1e-5, `param ${i}[${j}]: ${v} vs ${p0[i][j]}`)));
        assert.deepEqual([tf.memory().numTensors], counts, 'training thread: flat across epochs');
        assert.deepEqual(runs.map((r) => r.loop.workerTensors()), workerCounts, 'workers: flat across epochs');
        assert.equal(workerCounts[2].length, 2);
        runs.forEach((r) => r.dispose());
        assert.equal(tf.memory().numTensors, before, 'all disposed');
      });
    }
  }

  test('wasm: a batch with fewer rows than threads (empty parts, the training thread\'s too) still gives one thread\'s numbers', async () => {
    const tf = await loadTf('wasm');
    const cfg: LoopConfig = { ...base, momentum: 0.9, batchSize: 599 }; // 600 rows: batches of 599 and 1
    const one = await makeLoop(tf, data, cfg, 1);
    const three = await makeLoop(tf, data, cfg, 3);
    for (let e = 0; e < 3; e++) assertClose((await three.loop.epochAsync(() => false))!, (await one.loop.epochAsync(() => false))!, n, `epoch ${e}`);
    const p1 = params(one);
    params(three).forEach((p, i) => p.forEach((v, j) => assert.ok(Math.abs(v - p1[i][j]) < 1e-5, `param ${i}[${j}]`)));
    one.dispose();
    three.dispose();
  });

  test('wasm, 2 threads: the same thread count repeats bit for bit; a stop mid-epoch undoes it, workers included; epoch() refuses', async () => {
    const tf = await loadTf('wasm');
    const cfg: LoopConfig = { ...base, momentum: 0.9, batchSize: 100, chunkRows: 32 };
    const a = await makeLoop(tf, data, cfg, 2);
    const b = await makeLoop(tf, data, cfg, 2);
    for (let e = 0; e < 2; e++) {
      assert.deepEqual(await b.loop.epochAsync(() => false), await a.loop.epochAsync(() => false), `epoch ${e}`);
      assert.deepEqual(params(b), params(a));
    }
    assert.throws(() => b.loop.epoch(), /epochAsync/);
    assert.deepEqual(params(b), params(a), 'the refused epoch changed nothing');
    const kept = params(b);
    const n1 = tf.memory().numTensors;
    let asked = 0;
    const origNow = performance.now.bind(performance);
    let fake = origNow();
    performance.now = () => (fake += 10); // every pause is past the yield interval
    try {
      assert.equal(await b.loop.epochAsync(() => ++asked >= 3), undefined);
    } finally {
      performance.now = origNow;
    }
    assert.equal(asked, 3, 'stopped at the third pause, inside the epoch');
    assert.deepEqual(params(b), kept, 'parameters restored');
    assert.equal(tf.memory().numTensors, n1, 'nothing left behind by the stop');
    assert.deepEqual(await b.loop.epochAsync(() => false), await a.loop.epochAsync(() => false), 'the next epoch is the one the stop undid');
    assert.deepEqual(params(b), params(a), 'optimiser state and shuffle restored too');
    a.dispose();
    b.dispose();
  });

  test('a worker that cannot start rejects with its error and leaves nothing running', async () => {
    const live = WorkerPool.live.size;
    const sab = (n: number) => new SharedArrayBuffer(n);
    await assert.rejects(
      WorkerPool.start({
        parts: 2,
        backend: 'bogus' as 'wasm',
        sizes: [2, 3],
        activation: 'relu',
        backward: 'plain',
        chunkRows: 64,
        gradNumerator: 1,
        shared: { ctl: sab(32), params: sab(36), grads: sab(72), stats: sab(64), trainX: sab(8), trainY: sab(4), testX: sab(8), testY: sab(4), order: sab(4) },
      }),
      /training worker 1 failed: no such backend for a worker: bogus/,
    );
    assert.equal(WorkerPool.live.size, live);
  });
});

describe('data-parallel runs (runSpec)', () => {
  type Obj = Record<string, unknown>;
  const specText = (training: Obj = {}) =>
    JSON.stringify({
      ...NOTEBOOK_SPEC,
      device: 'wasm',
      data: { ...NOTEBOOK_SPEC.data, n_samples: 3000 },
      model: { hidden_units: [16, 16], activation: 'relu' },
      training: { ...NOTEBOOK_SPEC.training, batch_size: 256, epochs: 6, ...training },
      boundary: { ...NOTEBOOK_SPEC.boundary, resolution: 21 },
    });
  const SPEC_PATH = '/tmp/blobs-par-test/p.blobs.json';
  const epochsOf = (evs: TrainerEvent[]) => evs.filter((e): e is EpochEvent => e.type === 'epoch');
  const strip = (e: EpochEvent) => ({ ...e, elapsedMs: 0 });
  async function run(training: Obj, on?: (e: TrainerEvent, control: RunControl) => void, workers = 2): Promise<TrainerEvent[]> {
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    for await (const e of runSpec(specText(training), SPEC_PATH, { workers }, control)) {
      evs.push(e);
      on?.(e, control);
    }
    return evs;
  }

  test('the start event says how many threads and why; pause/resume loses no epoch and changes no number; cancel mid-run', async () => {
    const plain = await run({});
    const start = plain[0] as StartEvent;
    assert.deepEqual(start.workers, { count: 2, reason: start.workers!.reason });
    assert.match(start.workers!.reason, /^requested: 2; workers started in [\d.]+ s$/);
    assert.equal(plain[plain.length - 1].type, 'done');
    assert.equal(WorkerPool.live.size, 0, 'workers stopped when the run ended');

    const paused = await run({}, (e, control) => {
      if (e.type === 'epoch' && e.epoch === 1) {
        control.pause();
        setTimeout(() => control.resume(), 30);
      }
    });
    const types = paused.map((e) => e.type);
    assert.ok(types.includes('paused') && types.includes('resumed'));
    assert.deepEqual(epochsOf(paused).map(strip), epochsOf(plain).map(strip), 'every epoch, the same numbers');

    const cancelled = await run({ epochs: 1000 }, (e, control) => e.type === 'epoch' && e.epoch === 2 && control.cancel());
    const end = cancelled[cancelled.length - 1];
    assert.equal(end.type, 'cancelled');
    assert.equal(epochsOf(cancelled).length, 3);
    assert.equal(WorkerPool.live.size, 0);

    const one = await run({}, undefined, 1);
    assert.deepEqual((one[0] as StartEvent).workers, { count: 1, reason: 'requested: 1' });
  });

  test('a worker that dies mid-run ends the run with an internal error naming it, and the process exits by itself', async () => {
    // In a child process: "exits by itself" means no worker or wait keeps it alive.
    const script = `
      const { runSpec } = require(${JSON.stringify(join(__dirname, '../../src/core/train/run.ts'))});
      const { WorkerPool } = require(${JSON.stringify(join(__dirname, '../../src/core/train/parallel/pool.ts'))});
      (async () => {
        for await (const e of runSpec(${JSON.stringify(specText({ epochs: 1000 }))}, ${JSON.stringify(SPEC_PATH)}, { workers: 2 })) {
          if (e.type === 'epoch' && e.epoch === 1) for (const p of WorkerPool.live) p.workers[0].terminate();
          if (e.type === 'error' || e.type === 'done' || e.type === 'cancelled') console.log(JSON.stringify(e));
        }
      })();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // A hang detector, not a speed bound: the run itself takes a second or two.
    const hang = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    clearTimeout(hang);
    assert.equal(signal, null, `the process hung and was killed; stderr: ${err}`);
    assert.equal(code, 0, err);
    const end = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(end.type, 'error');
    assert.equal(end.code, 'internal');
    assert.match(end.message, /training worker 1 stopped unexpectedly/);
  });

  test('blobs train --workers: a count, auto, or a usage error', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.blobs.json');
    writeFileSync(file, specText({ epochs: 2 }));
    const { value: code, out } = await captureOutput(() => trainVerb.run([file, '--workers', '2', '--json', '--no-frames', '--no-save']));
    assert.equal(code, 0);
    const start = JSON.parse(out.split('\n')[0]) as StartEvent;
    assert.equal(start.workers?.count, 2);
    for (const bad of ['0', '65', '1.5', 'two']) await assert.rejects(trainVerb.run([file, '--workers', bad]), /--workers must be auto or an integer from 1 to 64/);
    assert.match(trainVerb.usage, /--workers N/);
    const bad = await run({}, undefined, 0);
    assert.ok(bad[0].type === 'error' && bad[0].code === 'bad-spec' && /workers must be an integer from 1 to 64, got 0/.test(bad[0].message));
  });
});
