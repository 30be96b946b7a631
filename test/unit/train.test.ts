import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLoaders, type LoadedBackend, type Tf } from '../../src/core/train/backends';
import { RunControl } from '../../src/core/train/control';
import { AUTO_FRAMES, dataBounds, FrameClock, FrameMaker, frameBytes, gridInputs, plannedFrameEpochs, samplePoints, sliceNote, topTwo } from '../../src/core/train/frames';
import { kernels } from '../../src/core/train/kernels';
import { classQuotas, drawIndices, MIN_PER_CLASS } from '../../src/core/figure/sample';
import { TrainLoop, type LoopConfig } from '../../src/core/train/loop';
import { buildNet, disposeNet, forward, initialWeights } from '../../src/core/train/model';
import { runSpec } from '../../src/core/train/run';
import { formatLogLine, train } from '../../src/core/train/trainer';
import { pyFixed } from '../../src/core/figure/format';
import { buildDataset } from '../../src/core/data/build';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { resolveSpec } from '../../src/core/spec/defaults';
import type { Dataset } from '../../src/core/data/dataset';
import type { EpochEvent, FrameEvent, TrainerEvent } from '../../src/core/protocol';
import type { Activation } from '../../src/core/spec/types';
import { randomSet } from '../fixtures/randomSet';

type Obj = Record<string, unknown>;
/** The notebook spec with sections overridden. */
function specText(over: { seed?: number; data?: Obj; model?: Obj; training?: Obj; boundary?: Obj; device?: string } = {}): string {
  const s = NOTEBOOK_SPEC;
  return JSON.stringify({
    ...s,
    seed: over.seed ?? s.seed,
    device: over.device ?? 'wasm',
    data: over.data ?? s.data,
    model: { ...s.model, ...over.model },
    training: { ...s.training, ...over.training },
    boundary: { ...s.boundary, ...over.boundary },
  });
}
const SPEC_PATH = '/tmp/blobs-train-test/nb.blobs.json';

async function collect(gen: AsyncIterable<TrainerEvent>): Promise<TrainerEvent[]> {
  const out: TrainerEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}
const epochsOf = (evs: TrainerEvent[]) => evs.filter((e): e is EpochEvent => e.type === 'epoch');
const last = <T>(a: T[]) => a[a.length - 1];
function done(evs: TrainerEvent[]) {
  const d = last(evs);
  assert.equal(d.type, 'done', `run ended with ${JSON.stringify(d).slice(0, 300)}`);
  return d as Extract<TrainerEvent, { type: 'done' }>;
}


describe('gradients of the hand-written loop match autodiff', () => {
  const sizes = [3, 5, 4, 3];
  const cfg = (o: Partial<LoopConfig>): LoopConfig => ({ optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1, ...o });

  /** Three epochs of the hand-written loop land on the reference's parameters (within 2e-5). */
  function threeStepsMatchReference(tf: Tf, act: Activation, ds: Dataset, c: LoopConfig): void {
    const net = buildNet(tf, sizes, act, 3);
    const loop = new TrainLoop(tf, net, { train: ds, test: randomSet(6, 3, 3, 9), nClasses: 3 }, c);
    for (let i = 0; i < 3; i++) loop.epoch();
    const got = net.params.map((p) => p.dataSync());
    const want = tf.tidy(() => reference(tf, act, initialWeights(sizes, 3), ds, c, 3));
    got.forEach((g, i) => g.forEach((gv, j) => assert.ok(Math.abs(gv - want[i][j]) < 2e-5, `param ${i}[${j}]: ${gv} vs ${want[i][j]}`)));
    loop.dispose();
    disposeNet(net);
  }

  /** Reference: one step of torch-style SGD/Adam computed with tf.grads on a 2-D formulation. */
  function reference(tf: Tf, act: Activation, init: Float32Array[], ds: Dataset, c: LoopConfig, steps: number): Float32Array[] {
    const ws = init.map((v, i) => tf.variable(tf.tensor(v, i % 2 === 0 ? [sizes[i >> 1], sizes[(i >> 1) + 1]] : [sizes[(i >> 1) + 1]])));
    const x = tf.tensor2d(Float32Array.from(ds.X), [ds.n, ds.d]);
    const y = tf.oneHot(tf.tensor1d(ds.y, 'int32'), 3).toFloat();
    const bufs = ws.map((w) => tf.zerosLike(w));
    const m = ws.map((w) => tf.zerosLike(w));
    const v = ws.map((w) => tf.zerosLike(w));
    for (let t = 1; t <= steps; t++) {
      const { grads } = tf.variableGrads(() => {
        let a: import('@tensorflow/tfjs').Tensor = x;
        for (let l = 0; l < 3; l++) {
          a = tf.add(tf.matMul(a, ws[2 * l]), ws[2 * l + 1]);
          if (l < 2) a = act === 'relu' ? tf.relu(a) : act === 'tanh' ? tf.tanh(a) : act === 'sigmoid' ? tf.sigmoid(a) : a;
        }
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(a)), 1))) as import('@tensorflow/tfjs').Scalar;
      }, ws);
      ws.forEach((w, i) => {
        let g = grads[w.name];
        if (c.weightDecay) g = tf.add(g, tf.mul(w, c.weightDecay));
        if (c.optimizer === 'sgd') {
          if (c.momentum) {
            bufs[i] = tf.add(tf.mul(bufs[i], c.momentum), g);
            g = bufs[i];
          }
          w.assign(tf.sub(w, tf.mul(g, c.lr)));
        } else {
          m[i] = tf.add(tf.mul(m[i], 0.9), tf.mul(g, 0.1));
          v[i] = tf.add(tf.mul(v[i], 0.999), tf.mul(tf.square(g), 0.001));
          const mh = tf.div(m[i], 1 - 0.9 ** t);
          const vh = tf.div(v[i], 1 - 0.999 ** t);
          w.assign(tf.sub(w, tf.mul(c.lr, tf.div(mh, tf.add(tf.sqrt(vh), 1e-8)))));
        }
      });
    }
    return ws.map((w) => w.dataSync() as Float32Array);
  }

  const cases: [Activation, Partial<LoopConfig>][] = [
    ['none', {}],
    ['relu', { weightDecay: 0.01 }],
    ['tanh', { momentum: 0.9 }],
    ['sigmoid', { momentum: 0.5, weightDecay: 0.05 }],
    ['relu', { optimizer: 'adam', lr: 0.01 }],
    ['tanh', { optimizer: 'adam', lr: 0.01, weightDecay: 0.01 }],
  ];

  test('host and device heads give the same metrics (mini-batches too)', async () => {
    const tf = await defaultLoaders.loadWasm();
    const ds = randomSet(50, 3, 3, 11);
    const run = (head: 'host' | 'device') => {
      const net = buildNet(tf, sizes, 'relu', 5);
      const loop = new TrainLoop(tf, net, { train: ds, test: randomSet(10, 3, 3, 12), nClasses: 3 }, cfg({ head, batchSize: 16, momentum: 0.9 }));
      const out = Array.from({ length: 4 }, () => loop.epoch());
      loop.dispose();
      disposeNet(net);
      return out;
    };
    const [a, b] = [run('host'), run('device')];
    a.forEach((m, i) => {
      for (const key of ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'] as const) {
        assert.ok(Math.abs(m[key] - b[i][key]) < 1e-5, `epoch ${i} ${key}: ${m[key]} vs ${b[i][key]}`);
      }
    });
  });
  // The wasm backward pass with explicit transposes (LoopConfig.backward): 256 rows take
  // the blocked transpose and the onesᵀ·dz bias sum; 200 rows the plain transpose. And the
  // full batch in row chunks (LoopConfig.chunkRows): 512 rows as 200 + 200 + 112.
  // Costs that make packing dear and the flag loop dearer: layer 0 (3 → 5) then takes the
  // dzᵀ form (packs the narrower a), the others the aᵀ form.
  const dzT = { pack: 100, slowMac: 1000 };
  for (const [backward, rows, chunkRows, wasmCosts] of [['xnn', 256], ['xnn', 200], ['plain', 256], ['auto', 512], ['auto', 512, 200], ['xnn', 512, 256], ['auto', 256, undefined, dzT], ['auto', 300, 128, dzT]] as const) {
    for (const [act, o] of [['relu', { momentum: 0.9 }], ['tanh', { optimizer: 'adam', lr: 0.01, weightDecay: 0.01 }]] as [Activation, Partial<LoopConfig>][]) {
      test(`wasm, backward ${backward}${wasmCosts ? ` ${JSON.stringify(wasmCosts)}` : ''}, ${rows} rows${chunkRows ? ` in chunks of ${chunkRows}` : ''}, ${act} ${JSON.stringify(o)}: 3 steps equal autodiff`, async () => {
        const tf = await defaultLoaders.loadWasm();
        const ds = randomSet(rows, 3, 3, 7);
        const c = cfg({ ...o, backward, chunkRows, wasmCosts });
        threeStepsMatchReference(tf, act, ds, c);
      });
    }
  }
  for (const [act, o] of cases) for (const head of ['host', 'device'] as const) {
    test(`${act} ${JSON.stringify(o)}, ${head} head: 3 steps equal torch's update rule`, async () => {
      const tf = await defaultLoaders.loadJs();
      const ds = randomSet(24, 3, 3, 7);
      const c = cfg({ ...o, head });
      threeStepsMatchReference(tf, act, ds, c);
    });
  }
});

describe('the notebook', () => {
  for (const activation of ['none', 'relu']) {
    test(`make_blobs spec reaches >= 99% test accuracy (activation ${activation})`, async () => {
      const evs = await collect(runSpec(specText({ model: { activation } }), SPEC_PATH, {}));
      const d = done(evs);
      assert.ok(d.summary.test_acc >= 0.99, `test acc ${d.summary.test_acc}`);
      assert.equal(d.summary.epochs_completed, 100);
      assert.equal(d.evaluation.test.confusion.flat().reduce((a, b) => a + b), 200);
      const logs = evs.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
      assert.equal(logs.length, 10);
      assert.match(logs[1], /^Epoch: 10 \| Loss: \d\.\d{5}, Acc: \d+\.\d\d% \| Test Loss: \d\.\d{5}, Test Acc: \d+\.\d\d%$/);
    });
  }

  test('numbers print like Python: exact ties round half to even', () => {
    assert.equal(pyFixed((793 / 800) * 100, 2), '99.12');
    assert.equal(pyFixed(0.125, 2), '0.12');
    assert.equal(pyFixed(0.375, 2), '0.38');
    assert.equal(pyFixed(2.5, 0), '2');
    assert.equal(pyFixed(-0.125, 2), '-0.12');
    assert.equal(pyFixed(0.1 + 0.2, 5), '0.30000');
    assert.equal(pyFixed(1.0005, 3), (1.0005).toFixed(3)); // not an exact tie in binary
  });

  test('log line format', () => {
    assert.equal(
      formatLogLine({ epoch: 10, trainLoss: 0.143982, trainAcc: 0.99125, testLoss: 0.130371, testAcc: 0.99 }),
      'Epoch: 10 | Loss: 0.14398, Acc: 99.12% | Test Loss: 0.13037, Test Acc: 99.00%',
    );
  });
});

describe('non-linearity (make_circles 1000, noise 0.03)', () => {
  const circles = { generator: 'make_circles', n_samples: 1000, noise: 0.03, factor: 0.8, shuffle: true, test_size: 0.2, split_shuffle: true };
  const run = (activation: string) =>
    collect(runSpec(specText({ data: circles, model: { hidden_units: [16, 16], activation }, training: { optimizer: 'adam', lr: 0.01, epochs: 300 } }), SPEC_PATH, {}));
  test('with ReLU it learns (> 90%), without it stays near chance (< 70%)', async () => {
    const relu = done(await run('relu'));
    const lin = done(await run('none'));
    assert.ok(relu.summary.test_acc > 0.9, `relu ${relu.summary.test_acc}`);
    assert.ok(lin.summary.test_acc < 0.7, `linear ${lin.summary.test_acc}`);
  });
});

describe("the examples' own circles spec (examples/circles-relu.blobs.json, unchanged but the activation)", () => {
  const example = readFileSync(join(__dirname, '../../examples/circles-relu.blobs.json'), 'utf8');
  const path = join(__dirname, '../../examples/circles-relu.blobs.json');
  const withActivation = (a: string) => JSON.stringify({ ...JSON.parse(example), device: 'wasm', model: { ...JSON.parse(example).model, activation: a } });
  test('two classes: softmax over 2 logits; ReLU learns (> 95%), linear stalls near chance (40-60%)', async () => {
    const relu = await collect(runSpec(withActivation('relu'), path, {}));
    const start = relu[0];
    assert.ok(start.type === 'start');
    if (start.type === 'start') {
      assert.equal(start.data.nClasses, 2);
      assert.deepEqual(start.model.layers, [2, 10, 10, 2]);
    }
    const r = done(relu).summary;
    const lin = done(await collect(runSpec(withActivation('none'), path, {}))).summary;
    assert.ok(r.test_acc > 0.95, `relu test acc ${r.test_acc}`);
    assert.ok(lin.test_acc >= 0.4 && lin.test_acc <= 0.6 && lin.train_acc <= 0.6, `linear: train ${lin.train_acc}, test ${lin.test_acc}`);
    assert.ok(lin.train_loss > 0.69 - 0.01, `linear loss stays near ln 2: ${lin.train_loss}`);
  });
});

describe('determinism', () => {
  for (const device of ['js', 'wasm']) {
    test(`same spec, same backend (${device}): bit-identical loss curves`, async () => {
      const text = specText({ device, training: { epochs: 30 } });
      const a = epochsOf(await collect(runSpec(text, SPEC_PATH, {})));
      const b = epochsOf(await collect(runSpec(text, SPEC_PATH, {})));
      assert.equal(a.length, 30);
      const curve = (es: EpochEvent[]) => es.map((e) => [e.trainLoss, e.trainAcc, e.testLoss, e.testAcc]);
      assert.deepEqual(curve(a), curve(b));
    });
  }

  test('mini-batches with momentum: seeded shuffle, identical twice; a different seed differs', async () => {
    const text = (seed: number) => specText({ seed, training: { epochs: 5, batch_size: 64, momentum: 0.9, lr: 0.05 } });
    const curve = async (seed: number) => epochsOf(await collect(runSpec(text(seed), SPEC_PATH, {}))).map((e) => e.trainLoss);
    assert.deepEqual(await curve(0), await curve(0));
    assert.notDeepEqual(await curve(0), await curve(1));
  });

  test('seed 0 initialises deterministically (tfjs would treat it as "no seed")', () => {
    assert.deepEqual(initialWeights([2, 8, 4], 0), initialWeights([2, 8, 4], 0));
    assert.notDeepEqual(initialWeights([2, 8, 4], 0), initialWeights([2, 8, 4], 1));
    const w = initialWeights([2, 8, 4], 0);
    const bound = 1 / Math.sqrt(2);
    assert.ok(w[0].every((v) => Math.abs(v) <= bound) && w[1].every((v) => Math.abs(v) <= bound));
    assert.ok(w[2].every((v) => Math.abs(v) <= 1 / Math.sqrt(8)));
  });
});

describe('control', () => {
  test('cancel stops within one epoch, and the run is marked cancelled', async () => {
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    for await (const e of runSpec(specText({ training: { epochs: 100_000 } }), SPEC_PATH, {}, control)) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 5) control.cancel();
    }
    const end = last(evs);
    assert.equal(end.type, 'cancelled');
    assert.equal(last(epochsOf(evs)).epoch, 5, 'no epoch after the one during which cancel came');
    if (end.type === 'cancelled') {
      assert.equal(end.epoch, 6);
      assert.equal(end.summary?.status, 'cancelled');
      assert.equal(end.summary?.epochs_completed, 6);
    }
  });

  test('an outside abort (timer) is seen while training runs flat out, before the next epoch', async () => {
    const ac = new AbortController();
    const control = new RunControl(ac.signal);
    const evs: TrainerEvent[] = [];
    let epochsAtAbort = -1;
    // The trainer must give the event loop a turn for the timer to fire at all.
    setTimeout(() => {
      epochsAtAbort = epochsOf(evs).length;
      ac.abort();
    }, 150);
    for await (const e of runSpec(specText({ training: { epochs: 1_000_000 } }), SPEC_PATH, {}, control)) evs.push(e);
    const end = last(evs);
    assert.equal(end.type, 'cancelled');
    assert.ok(epochsAtAbort >= 0, 'the timer fired during the run');
    // Seen at the next epoch boundary: at most the epoch in progress when it came finishes.
    assert.ok(epochsOf(evs).length <= epochsAtAbort + 1, `${epochsOf(evs).length} epochs, abort after ${epochsAtAbort}`);
    assert.equal(end.type === 'cancelled' && end.epoch, epochsOf(evs).length);
  });

  test('pause and resume', async () => {
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    for await (const e of runSpec(specText({ training: { epochs: 20 } }), SPEC_PATH, {}, control)) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 3) {
        control.pause();
        setTimeout(() => control.resume(), 30);
      }
    }
    const types = evs.map((e) => e.type);
    const p = types.indexOf('paused');
    assert.ok(p > 0);
    assert.equal(types[p + 1], 'resumed');
    assert.deepEqual(evs[p], { type: 'paused', epoch: 4 });
    assert.equal(epochsOf(evs).length, 20);
    done(evs);
  });
});

describe('step', () => {
  test('RunControl: a step only while paused; n epochs through the gate; resume drops unused steps', async () => {
    const c = new RunControl();
    c.step(3);
    assert.equal(c.pendingSteps, 0, 'ignored while running');
    c.pause();
    let woke = false;
    const w = c.waitWhilePaused().then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(woke, false, 'paused: waits');
    c.step(2);
    await w;
    assert.equal(woke, true, 'a step wakes the loop');
    assert.equal(c.takeStep(), true);
    assert.equal(c.takeStep(), true);
    assert.equal(c.takeStep(), false, 'exactly 2');
    assert.equal(c.paused, true, 'still paused after the steps');
    c.step(0.4);
    assert.equal(c.pendingSteps, 1, 'at least one epoch');
    c.resume();
    assert.equal(c.pendingSteps, 0);
  });

  test('paused, then step 1 and step 10: exactly that many epochs, each step ends with its frame, then paused again', async () => {
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    let pauses = 0;
    for await (const e of runSpec(specText({ training: { epochs: 100 }, boundary: { every: 50 } }), SPEC_PATH, {}, control)) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 2) control.pause();
      if (e.type === 'paused') {
        pauses++;
        if (pauses === 1) control.step(1);
        else if (pauses === 2) control.step(10);
        else control.resume();
      }
    }
    done(evs);
    const marks = evs.filter((e) => e.type === 'paused' || e.type === 'resumed' || e.type === 'frame').map((e) => `${e.type}@${(e as { epoch: number }).epoch}`);
    // every: 50 would draw only 0, 50 and 100: the pauses draw theirs.
    assert.deepEqual(marks, ['frame@0', 'frame@3', 'paused@3', 'frame@4', 'paused@4', 'frame@14', 'paused@14', 'resumed@14', 'frame@50', 'frame@100']);
    // Between the pauses: exactly the stepped epochs.
    const between = (a: number, b: number) => evs.slice(a, b).filter((e) => e.type === 'epoch').length;
    const at = evs.map((e, i) => (e.type === 'paused' ? i : -1)).filter((i) => i >= 0);
    assert.equal(between(at[0], at[1]), 1);
    assert.equal(between(at[1], at[2]), 10);
    assert.equal(epochsOf(evs).length, 100);
  });
});

describe('long epochs: epochAsync (interruptible)', () => {
  const sizes = [3, 6, 5, 3];
  const base: LoopConfig = { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1 };
  const configs: [string, Partial<LoopConfig>][] = [
    ['full batch in row chunks, sgd momentum', { momentum: 0.9, weightDecay: 0.01, chunkRows: 64 }],
    ['mini-batches, adam', { optimizer: 'adam', lr: 0.01, batchSize: 48 }],
    ['mini-batches in row chunks, sgd', { batchSize: 150, chunkRows: 64 }],
    ['device head, mini-batches, sgd momentum', { head: 'device', momentum: 0.9, batchSize: 48 }],
    ['device head, full batch, adam', { head: 'device', optimizer: 'adam', lr: 0.01 }],
  ];
  for (const device of ['wasm', 'js'] as const) {
    for (const [name, o] of configs) {
      test(`${device}, ${name}: the same numbers as epoch(), bit for bit; a stop undoes the epoch; no tensors leak`, async () => {
        const tf = device === 'wasm' ? await defaultLoaders.loadWasm() : await defaultLoaders.loadJs();
        const data = { train: randomSet(300, 3, 3, 21), test: randomSet(130, 3, 3, 22), nClasses: 3 };
        const c = { ...base, ...o };
        const make = () => {
          const net = buildNet(tf, sizes, 'tanh', 4);
          return { net, loop: new TrainLoop(tf, net, data, c) };
        };
        const before = tf.memory().numTensors;
        const a = make();
        const b = make();
        const params = (net: typeof a.net) => net.params.map((p) => Array.from(p.dataSync()));
        for (let i = 0; i < 3; i++) {
          const ma = a.loop.epoch();
          const mb = await b.loop.epochAsync(() => false);
          assert.deepEqual(mb, ma, `epoch ${i} metrics`);
          assert.deepEqual(params(b.net), params(a.net), `epoch ${i} parameters`);
        }
        const n1 = tf.memory().numTensors;
        // A stop at the first chance: the epoch is abandoned and undone, state included
        // (the next full epoch still matches the synchronous loop's).
        const kept = params(b.net);
        let asked = 0;
        const origNow = performance.now.bind(performance);
        let fake = 0;
        performance.now = () => (fake += 10); // every check is past the yield interval
        try {
          assert.equal(await b.loop.epochAsync(() => ++asked > 0), undefined);
        } finally {
          performance.now = origNow;
        }
        assert.ok(asked > 0, 'a long epoch offers a stop point');
        assert.deepEqual(params(b.net), kept, 'parameters restored');
        assert.equal(tf.memory().numTensors, n1, 'nothing left behind by the stop');
        assert.deepEqual(await b.loop.epochAsync(() => false), a.loop.epoch());
        assert.deepEqual(params(b.net), params(a.net), 'optimiser state restored too');
        for (let i = 0; i < 20; i++) await b.loop.epochAsync(() => false);
        assert.equal(tf.memory().numTensors, n1, 'flat across epochs');
        for (const r of [a, b]) {
          r.loop.dispose();
          disposeNet(r.net);
        }
        assert.equal(tf.memory().numTensors, before);
      });
    }
  }

  // `auto` may split this spec across threads (parallel/plan.ts): both ways, pinned.
  for (const workers of [1, 2]) {
    test(`a cancel during a slow epoch (js, 100k rows, 64-64 relu: seconds per epoch; ${workers} thread${workers > 1 ? 's' : ''}) stops within a chunk, not an epoch`, async () => {
      const data = { ...NOTEBOOK_SPEC.data, n_samples: 100_000 };
      const text = specText({ device: 'js', data, model: { hidden_units: [64, 64], activation: 'relu' }, training: { epochs: 5 }, boundary: { resolution: 21 } });
      const control = new RunControl();
      const evs: TrainerEvent[] = [];
      for await (const e of runSpec(text, SPEC_PATH, { workers }, control)) {
        evs.push(e);
        if (e.type === 'frame' && e.epoch === 0) setTimeout(() => control.cancel(), 150);
      }
      const end = last(evs);
      assert.equal(end.type, 'cancelled', JSON.stringify(end).slice(0, 200));
      if (end.type !== 'cancelled') return;
      // Seen inside the first epoch (at a chunk boundary), not at its end: no epoch event,
      // and the abandoned epoch was undone.
      assert.equal(end.epoch, 0);
      assert.equal(epochsOf(evs).length, 0, 'the first epoch was abandoned');
      assert.equal(end.summary!.epochs_completed, 0);
      assert.ok(evs.some((e) => e.type === 'log' && /Cancelled during epoch 0/.test(e.message)));
    });
  }
});

describe('failures are events', () => {
  test('a huge learning rate diverges: error names the epoch and suggests a smaller lr', async () => {
    const evs = await collect(runSpec(specText({ training: { lr: 1e30 } }), SPEC_PATH, {}));
    const e = last(evs);
    assert.equal(e.type, 'error');
    if (e.type !== 'error') return;
    assert.equal(e.code, 'diverged');
    assert.equal(typeof e.epoch, 'number');
    assert.match(e.message, new RegExp(`diverged at epoch ${e.epoch}: .*smaller learning rate \\(lr is 1e\\+30`));
  });

  test('bad spec text, bad overrides, absurd sizes', async () => {
    const bad = last(await collect(runSpec('{ "seed": ', SPEC_PATH, {})));
    assert.equal(bad.type === 'error' && bad.code, 'bad-spec');
    const ep = last(await collect(runSpec(specText(), SPEC_PATH, { epochs: 0 })));
    assert.ok(ep.type === 'error' && ep.code === 'bad-spec' && /epochs must be/.test(ep.message));
    const big = specText({ data: { ...NOTEBOOK_SPEC.data, n_samples: 5_000_000 }, model: { hidden_units: [512, 512] } });
    const tl = last(await collect(runSpec(big, SPEC_PATH, {})));
    assert.ok(tl.type === 'error' && tl.code === 'too-large', JSON.stringify(tl));
  });

  test('artifacts outside the allowed folder are refused', async () => {
    const e = last(await collect(runSpec(specText(), SPEC_PATH, { outDir: '/etc/blobs' })));
    assert.ok(e.type === 'error' && e.code === 'bad-spec' && /outside the allowed folder/.test(e.message));
  });
});

describe('memory', () => {
  test('tensor count stays flat across epochs (every optimiser, batch mode, head, activation; js and wasm) and returns to baseline', async () => {
    const spec = resolveSpec(NOTEBOOK_SPEC);
    const data = buildDataset(spec, '/tmp');
    const configs: [Activation, LoopConfig][] = [
      ['relu', { optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01, batchSize: 'full', seed: 1 }],
      ['none', { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1 }],
      ['tanh', { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 64, seed: 1 }],
      ['relu', { optimizer: 'adam', lr: 0.01, momentum: 0, weightDecay: 0.01, batchSize: 100, seed: 1 }],
      ['sigmoid', { optimizer: 'adam', lr: 0.01, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1 }],
      ['relu', { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 'full', seed: 1, head: 'device' }],
      ['tanh', { optimizer: 'adam', lr: 0.01, momentum: 0, weightDecay: 0, batchSize: 100, seed: 1, head: 'device' }],
      ['relu', { optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, batchSize: 'full', seed: 1, chunkRows: 300 }],
    ];
    for (const device of ['wasm', 'js'] as const) {
      const tf = device === 'wasm' ? await defaultLoaders.loadWasm() : await defaultLoaders.loadJs();
      for (const [act, c] of configs) {
        const what = `${device} ${act} ${JSON.stringify(c)}`;
        const before = tf.memory().numTensors;
        const net = buildNet(tf, [2, 8, 8, 4], act, 1);
        const loop = new TrainLoop(tf, net, data, c);
        loop.epoch();
        const n1 = tf.memory().numTensors;
        for (let i = 0; i < (device === 'wasm' ? 300 : 60); i++) loop.epoch();
        assert.equal(tf.memory().numTensors, n1, `${what}: leak`);
        loop.dispose();
        disposeNet(net);
        assert.equal(tf.memory().numTensors, before, `${what}: not all disposed`);
      }
    }
    const tf = await defaultLoaders.loadWasm();
    // The whole streaming trainer, frames included.
    const before = tf.memory().numTensors;
    const backend: LoadedBackend = { tf, backend: 'wasm', device: 'wasm', reason: 'test' };
    const evs = await collect(train({ spec: { ...spec, training: { ...spec.training, epochs: 200 }, boundary: { ...spec.boundary, every: 10 } }, runId: 'r', data, backend }));
    done(evs);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('frames', () => {
  test('untrained frame first, every N, always the last; grid and points line up', async () => {
    const evs = await collect(runSpec(specText({ training: { epochs: 23 }, boundary: { every: 5, resolution: 21 } }), SPEC_PATH, { maxPoints: 100 }));
    const start = evs[0];
    assert.equal(start.type, 'start');
    if (start.type !== 'start') return;
    assert.equal(evs[1].type, 'frame');
    const frames = evs.filter((e): e is FrameEvent => e.type === 'frame');
    assert.deepEqual(frames.map((f) => f.epoch), [0, 5, 10, 15, 20, 23]);
    const f = last(frames);
    assert.equal(Buffer.from(f.cls, 'base64').length, 21 * 21);
    assert.equal(Buffer.from(f.conf, 'base64').length, 21 * 21);
    const conf = Buffer.from(f.conf, 'base64');
    assert.ok(conf.every((c) => c >= 255 / 4 - 1), 'max of 4 probabilities is at least 1/4');
    assert.equal(start.points.train.total, 800);
    assert.equal(start.points.train.sampled, true);
    assert.equal(start.points.train.label.length, 100);
    assert.equal(start.points.train.xy.length, 200);
    assert.equal(Buffer.from(f.predTrain, 'base64').length, 100);
    assert.equal(Buffer.from(f.predTest, 'base64').length, 100);
    // stratified sample: the train split's classes (201, 209, 197, 193) in proportion
    const counts = [0, 0, 0, 0];
    start.points.train.label.forEach((c) => counts[c]++);
    assert.deepEqual(counts, [25, 26, 25, 24]);
    // the trained model predicts the drawn test points like the labels, nearly always
    const pred = Buffer.from(f.predTest, 'base64');
    const agree = start.points.test.label.filter((c, i) => pred[i] === c).length;
    assert.ok(agree >= 97, `agree ${agree}`);
    assert.equal(f.slice, undefined);
  });

  test('point sampling: a seeded stratified random subset, not every n-th point (periodic data would alias)', () => {
    // Periodic data: x cycles through 20 values, classes alternate. Every 10th point of a
    // class (the old stride) lands on one x value only; a random subset covers them all.
    const n = 4000;
    const X = new Float64Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = i % 20;
      X[2 * i + 1] = Math.floor(i / 20);
      y[i] = i % 2;
    }
    const { set, idx } = samplePoints({ X, y, n, d: 2 }, 200, 42);
    assert.equal(idx.length, 200);
    assert.equal(set.sampled, true);
    assert.equal(set.total, n);
    for (const c of [0, 1]) {
      const xs = new Set(idx.filter((r) => y[r] === c).map((r) => X[2 * r]));
      assert.ok(xs.size >= 9, `class ${c}: the sample covers ${xs.size} of its 10 x values`);
    }
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b), 'ascending (drawn in data order)');
    assert.equal(new Set(idx).size, 200, 'no repeats');
    assert.deepEqual(set.label, idx.map((r) => y[r]));
    assert.deepEqual(set.xy.slice(0, 2), [X[2 * idx[0]], X[2 * idx[0] + 1]]);
    // Deterministic per seed; another seed draws other points.
    assert.deepEqual(samplePoints({ X, y, n, d: 2 }, 200, 42).idx, idx);
    assert.notDeepEqual(samplePoints({ X, y, n, d: 2 }, 200, 43).idx, idx);
    // Uniform within a class: the mean index of a big sample is near the middle.
    const big = drawIndices({ label: y }, 2000, 1);
    const mean = big.reduce((a, b) => a + b, 0) / big.length;
    assert.ok(Math.abs(mean - n / 2) < n * 0.03, `mean index ${mean}`);
  });

  test('point sampling quotas: proportional, at least a few per class, exact total', () => {
    assert.deepEqual(classQuotas([201, 209, 197, 193], 100), [25, 26, 25, 24]);
    assert.deepEqual(classQuotas([9000, 900, 3], 1000), [903, 94, 3]);
    assert.deepEqual(classQuotas([10, 20], 100), [10, 20], 'under the cap: everything');
    const q = classQuotas([100000, 2, 50, 7], 40);
    assert.equal(q.reduce((a, b) => a + b), 40);
    assert.ok(q[1] === 2 && q[2] >= MIN_PER_CLASS && q[3] >= MIN_PER_CLASS, JSON.stringify(q));
    assert.deepEqual(classQuotas([50, 50, 50, 50], 6), [2, 2, 1, 1], 'tiny caps split evenly');
    for (const [sizes, max] of [[[3, 1000, 17], 50], [[1, 1, 1, 1000], 4], [[500, 500], 999]] as [number[], number][]) {
      const qq = classQuotas(sizes, max);
      assert.equal(qq.reduce((a, b) => a + b), Math.min(max, sizes.reduce((a, b) => a + b)));
      qq.forEach((v, c) => assert.ok(v >= 0 && v <= sizes[c]));
    }
  });

  test('grid: row-major, row 0 at yMin; bounds over all data ± padding; slice note', () => {
    const all: Dataset = { X: new Float64Array([0, 10, 2, 20, 1, 15]), y: new Int32Array([0, 1, 0]), n: 3, d: 2 };
    const b = dataBounds(all, 0.5);
    assert.deepEqual(b, { xMin: -0.5, xMax: 2.5, yMin: 9.5, yMax: 20.5 });
    const g = gridInputs(b, 3, 3, new Float64Array([0, 0, 7]));
    assert.deepEqual(Array.from(g.subarray(0, 9)), [-0.5, 9.5, 7, 1, 9.5, 7, 2.5, 9.5, 7]);
    assert.deepEqual(Array.from(g.subarray(3 * 3 * 2, 3 * 3 * 2 + 3)), [-0.5, 20.5, 7]);
    assert.equal(sliceNote(['x1', 'x2']), undefined);
    assert.equal(sliceNote(['x1', 'x2', 'x3', 'x4']), 'slice through x1, x2; x3..x4 held at their train means');
  });

  test('more than two features: frames are a slice and say so', async () => {
    const data = { ...NOTEBOOK_SPEC.data, n_features: 4, n_samples: 200 };
    const evs = await collect(runSpec(specText({ data, training: { epochs: 3 }, boundary: { resolution: 11 } }), SPEC_PATH, {}));
    const f = evs.find((e): e is FrameEvent => e.type === 'frame');
    assert.match(f?.slice ?? '', /x3\.\.x4 held at their train means/);
    done(evs);
  });

  test('auto (the default): the notebook run gets a frame after every epoch; a long run ~200 over its whole length', async () => {
    // The time budget is the clock's (tested above, with a fake clock): unlimited here, so
    // the result does not depend on how loaded the machine is.
    const policy = { ...AUTO_FRAMES, baseMs: Infinity };
    const frameEpochs = (evs: TrainerEvent[]) => evs.filter((e): e is FrameEvent => e.type === 'frame').map((f) => f.epoch);
    const evs = await collect(runSpec(specText({ boundary: { every: 'auto' } }), SPEC_PATH, {}, undefined, { framePolicy: policy }));
    done(evs);
    assert.deepEqual(frameEpochs(evs), Array.from({ length: 101 }, (_, i) => i));
    const long = await collect(runSpec(specText({ data: { ...NOTEBOOK_SPEC.data, n_samples: 100 }, training: { epochs: 1000 }, boundary: { resolution: 11 } }), SPEC_PATH, {}, undefined, { framePolicy: policy }));
    done(long);
    assert.deepEqual(frameEpochs(long), plannedFrameEpochs(1000, 201));
    // No time at all for frames: still the untrained and the final one.
    const none = await collect(runSpec(specText({ training: { epochs: 20 } }), SPEC_PATH, {}, undefined, { framePolicy: { ...AUTO_FRAMES, baseMs: 0, timeShare: 0 } }));
    assert.deepEqual(frameEpochs(none), [0, 20]);
  });

  test('a cancelled run ends with the full-resolution frame of where it stopped', async () => {
    const control = new RunControl();
    const evs: TrainerEvent[] = [];
    for await (const e of runSpec(specText({ training: { epochs: 100_000 }, boundary: { resolution: 121 } }), SPEC_PATH, {}, control)) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 30) control.cancel();
    }
    const end = last(evs);
    assert.equal(end.type, 'cancelled');
    const frames = evs.filter((e): e is FrameEvent => e.type === 'frame');
    assert.equal(frames[0].resolution, 121, 'the first frame is full');
    assert.ok(frames.slice(1, -1).every((f) => f.resolution === AUTO_FRAMES.maxIntermediateResolution), 'intermediate frames on the coarse grid');
    assert.equal(last(frames).epoch, 31);
    assert.equal(last(frames).resolution, 121);
  });

  test('topTwo: softmax winner, its probability and its margin over the runner-up, as bytes', () => {
    // Rows: clear winner; a tie (the first wins, margin 0); two classes only.
    const t = topTwo([2, 0, 0, 0, 1, 1, 0, -5, 3, 3 - Math.log(3), 0, 0], 4);
    const p = [Math.exp(2) / (Math.exp(2) + 3)];
    assert.deepEqual([...t.cls], [0, 0, 0]);
    assert.equal(t.conf[0], Math.round(p[0] * 255));
    assert.equal(t.margin[0], Math.round((p[0] - 1 / (Math.exp(2) + 3)) * 255));
    assert.equal(t.margin[1], 0, 'a tie: on the boundary');
    const two = topTwo([0, Math.log(3)], 2);
    assert.deepEqual([two.cls[0], two.conf[0]], [1, Math.round(0.75 * 255)]);
    assert.ok(Math.abs(two.margin[0] - 0.5 * 255) <= 1, `margin ${two.margin[0]}`);
    const one = topTwo([5, -1], 1);
    assert.deepEqual([...one.conf], [255, 255]);
  });

  test("a frame's classes are the net's own arg-max, on the grid and for the drawn points (one forward pass for all of them)", async () => {
    for (const device of ['wasm', 'js'] as const) {
      const tf = device === 'wasm' ? await defaultLoaders.loadWasm() : await defaultLoaders.loadJs();
      const data = buildDataset(resolveSpec(NOTEBOOK_SPEC), '/');
      const net = buildNet(tf, [2, 8, 8, 4], 'tanh', 3);
      const tr = samplePoints(data.train, 300, 1);
      const te = samplePoints(data.test, 100, 1);
      const bounds = dataBounds(data.all, 0.1);
      const decodeIndices = (b: string) => [...Buffer.from(b, 'base64')];
      const fm = new FrameMaker(tf, kernels(tf), bounds, 21, { train: data.train, test: data.test, trainIdx: tr.idx, testIdx: te.idx, featureNames: data.featureNames }, 11);
      try {
        for (const grid of ['full', 'coarse'] as const) {
          const f = await fm.frame(net, 0, grid);
          const res = grid === 'full' ? 21 : 11;
          assert.equal(f.resolution, res);
          const argmax = (rows: Float32Array, n: number) => {
            const t = tf.tidy(() => forward(kernels(tf), net, tf.tensor3d(rows, [1, n, 2])).logits.argMax(2));
            const v = [...(t.dataSync() as Int32Array)];
            t.dispose();
            return v;
          };
          const pts = (ds: Dataset, idx: number[]) => Float32Array.from(idx.flatMap((r) => [ds.X[r * 2], ds.X[r * 2 + 1]]));
          assert.deepEqual(decodeIndices(f.predTrain), argmax(pts(data.train, tr.idx), tr.idx.length), `${device} ${grid}: train points`);
          assert.deepEqual(decodeIndices(f.predTest), argmax(pts(data.test, te.idx), te.idx.length), `${device} ${grid}: test points`);
          const gridRows = gridInputs(bounds, res, 2, new Float64Array(2));
          assert.deepEqual(decodeIndices(f.cls), argmax(gridRows, res * res), `${device} ${grid}: grid classes`);
        }
      } finally {
        fm.dispose();
        disposeNet(net);
      }
    }
  });

  test('auto plan: every epoch of a short run; a long run covered end to end, densest early', () => {
    assert.deepEqual(plannedFrameEpochs(100, 201), Array.from({ length: 101 }, (_, i) => i));
    assert.deepEqual(plannedFrameEpochs(3, 201), [0, 1, 2, 3]);
    for (const epochs of [201, 1000, 20_000, 1_000_000]) {
      const p = plannedFrameEpochs(epochs, 201);
      assert.equal(p.length, 201, `${epochs}: ${p.length} frames`);
      assert.equal(p[0], 0);
      assert.equal(p.at(-1), epochs);
      assert.deepEqual(p, [...new Set(p)].sort((x, y) => x - y), 'ascending, no repeats');
      // Whole run: no gap wider than the even half's spacing.
      const gaps = p.slice(1).map((e, i) => e - p[i]);
      assert.ok(Math.max(...gaps) <= Math.ceil(epochs / 100), `${epochs}: widest gap ${Math.max(...gaps)}`);
      // Early detail: the first 5 % of the run holds at least a quarter of the frames...
      const early = p.filter((e) => e <= epochs * 0.05).length;
      if (epochs >= 1000) assert.ok(early >= 50, `${epochs}: ${early} frames in the first 5 %`);
      // ...and the first epochs are there one by one.
      assert.deepEqual(p.slice(0, 6), [0, 1, 2, 3, 4, 5]);
    }
    assert.deepEqual(plannedFrameEpochs(1000, 2), [0, 1000]);
  });

  test('auto clock: the plan within a time budget (base + share of training time), deferred frames not lost', () => {
    const policy = { ...AUTO_FRAMES, baseMs: 20, timeShare: 0.25 };
    const epochs = 1000;
    const clock = new FrameClock('auto', epochs, { resolution: 101, points: 1000, policy });
    // 1 ms per epoch, 10 ms per frame: the budget, not the plan, sets the pace.
    let t = 0;
    const sent: number[] = [0];
    clock.sent(0, 10);
    t += 10;
    for (let e = 1; e <= epochs; e++) {
      t += 1;
      if (clock.due(e, t)) {
        sent.push(e);
        clock.sent(e, 10);
        t += 10;
        const training = t - clock.costMs;
        assert.ok(clock.costMs <= policy.baseMs + policy.timeShare * training + 10, `epoch ${e}: ${clock.costMs} ms of frames`);
      }
    }
    assert.equal(sent.at(-1), epochs, 'the last epoch always');
    // 25 % of ~1000 ms of training at 10 ms a frame: ~25 frames, spread over the run.
    assert.ok(sent.length >= 20 && sent.length <= 35, `${sent.length} frames`);
    assert.ok(sent.filter((e) => e > 500).length >= 8, `second half: ${sent.filter((e) => e > 500)}`);
    // Cheap frames: the plan itself (every epoch of a 150-epoch run).
    const cheap = new FrameClock('auto', 150, { resolution: 101, points: 1000 });
    let n = 0;
    for (let e = 1; e <= 150; e++) if (cheap.due(e, e * 4)) (cheap.sent(e, 0.9), n++);
    assert.equal(n, 150);
  });

  test('auto clock: a byte budget per run; big grids get coarse intermediate frames, full first and last', () => {
    const big = new FrameClock('auto', 10_000, { resolution: 501, points: 2000 });
    assert.equal(big.coarseResolution, 51);
    assert.equal(big.gridFor(0), 'full');
    assert.equal(big.gridFor(37), 'coarse');
    assert.equal(big.gridFor(10_000), 'full');
    const bytes = 2 * frameBytes(501, 2000) + (big.maxFrames - 2) * frameBytes(51, 2000);
    assert.ok(bytes <= AUTO_FRAMES.maxBytes, `${bytes} bytes`);
    const tiny = new FrameClock('auto', 10_000, { resolution: 101, points: 0, policy: { ...AUTO_FRAMES, maxBytes: 2 * frameBytes(101, 0) + 8 * frameBytes(51, 0) } });
    assert.equal(tiny.maxFrames, 10);
    const small = new FrameClock('auto', 100, { resolution: 31 });
    assert.equal(small.coarseResolution, 31);
    // An explicit cadence keeps the full grid.
    assert.equal(new FrameClock(1, 100, { resolution: 301 }).coarseResolution, 301);
  });

  test('explicit every: N keeps its epoch stride, with no time gate', () => {
    const clock = new FrameClock(5, 100);
    clock.sent(0);
    assert.equal(clock.due(4), false);
    assert.equal(clock.due(5), true);
    clock.sent(5);
    assert.equal(clock.due(9), false);
    assert.equal(clock.due(10), true);
    assert.equal(clock.due(100), true);
  });
});
