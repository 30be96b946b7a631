/**
 * The network view's and the probe's maths (core/figure/network.ts, probe.ts) against the
 * trainer itself: the weights a frame carries decode to the net's parameters, and the
 * plain-TypeScript forward pass gives the trainer's probabilities (tfjs, float32) for
 * every activation, with more than two features (the slice at the train means) too.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLoaders, type Tf } from '../../src/core/train/backends';
import { FrameMaker, frameWeights, featureMeans, gridInputs } from '../../src/core/train/frames';
import { kernels } from '../../src/core/train/kernels';
import { buildNet, disposeNet, forward, type Net } from '../../src/core/train/model';
import {
  drawnUnits, forwardPoint, gridPoint, incoming, inputAt, packWeights, paramCount, softmax, unitMaps, unpackWeights, type Activation,
} from '../../src/core/figure/network';
import { gridAnswer, nearestSample, probabilitiesAt, probe } from '../../src/core/figure/probe';
import { decodeBase64, encodeBase64 } from '../../src/core/figure/base64';
import { WEIGHTS_MAX_PARAMS, isTrainerEvent, type Bounds } from '../../src/core/protocol';
import { randomSet } from '../fixtures/randomSet';

let tf: Tf;
before(async () => {
  tf = await defaultLoaders.loadWasm();
});


/** The trainer's class probabilities for rows `x` ([n, d] row-major), float32 on wasm. */
function trainerProbs(net: Net, x: Float32Array, n: number, d: number): Float32Array {
  const k = kernels(tf);
  return tf.tidy(() => k.softmax(forward(k, net, tf.tensor3d(x, [1, n, d])).logits).dataSync() as Float32Array);
}

/** Moves the net away from its init so the test is not about small random weights only. */
function perturb(net: Net, seed: number): void {
  let s = seed;
  const r = () => ((s = (s * 69069 + 1) % 4294967296) / 4294967296) * 4 - 2;
  for (const p of net.params) p.assign(tf.tensor(Float32Array.from({ length: p.size }, r), p.shape));
}

describe('weights on frames', () => {
  test('pack/unpack round trip, layer by layer; a wrong length is refused', () => {
    const sizes = [2, 3, 2];
    const W0 = [1, 2, 3, 4, 5, 6];
    const b0 = [0.5, -0.5, 0.25];
    const W1 = [-1, -2, -3, -4, -5, -6];
    const b1 = [7, 8];
    const w = unpackWeights(packWeights([W0, b0, W1, b1]), sizes)!;
    assert.deepEqual([...w.W[0]], W0);
    assert.deepEqual([...w.b[0]], b0);
    assert.deepEqual([...w.W[1]], W1);
    assert.deepEqual([...w.b[1]], b1);
    assert.equal(paramCount(sizes), 17);
    assert.deepEqual(incoming(w, 0, 1), { weights: [2, 5], bias: -0.5 });
    assert.equal(unpackWeights(packWeights([W0, b0]), sizes), undefined);
    assert.equal(unpackWeights('not base64!', sizes), undefined);
  });

  test("a frame's weights are the net's parameters, for nets up to WEIGHTS_MAX_PARAMS only", async () => {
    const net = buildNet(tf, [2, 8, 8, 4], 'relu', 7);
    try {
      const w = unpackWeights((await frameWeights(net))!, net.sizes)!;
      net.params.forEach((p, i) => {
        const want = p.dataSync();
        const got = i % 2 === 0 ? w.W[i >> 1] : w.b[i >> 1];
        assert.deepEqual([...got], [...want], `param ${i}`);
      });
    } finally {
      disposeNet(net);
    }
    // 2-64-64-4: 4,612 parameters, over the cap.
    const big = buildNet(tf, [2, 64, 64, 4], 'relu', 7);
    try {
      assert.ok(paramCount(big.sizes) > WEIGHTS_MAX_PARAMS);
      assert.equal(await frameWeights(big), undefined);
    } finally {
      disposeNet(big);
    }
  });

  test('FrameMaker frames carry the weights and pass the protocol guard; a corrupt weights string does not', async () => {
    const train = randomSet(60, 3, 3, 1, 4);
    const test_ = randomSet(20, 3, 3, 2, 4);
    const net = buildNet(tf, [3, 5, 3], 'tanh', 3);
    const bounds: Bounds = { xMin: -4, xMax: 4, yMin: -4, yMax: 4 };
    const fm = new FrameMaker(tf, kernels(tf), bounds, 11, { train, test: test_, trainIdx: [0, 1, 2], testIdx: [0, 1], featureNames: ['a', 'b', 'c'] });
    try {
      const f = await fm.frame(net, 0);
      assert.ok(f.weights);
      assert.ok(isTrainerEvent(f));
      assert.equal(isTrainerEvent({ ...f, weights: '***' }), false);
      assert.deepEqual([...fm.means], [...featureMeans(train)]);
    } finally {
      fm.dispose();
      disposeNet(net);
    }
  });
});

describe('the forward pass in the view agrees with the trainer', () => {
  for (const act of ['none', 'relu', 'tanh', 'sigmoid'] as Activation[]) {
    test(`${act}: 3 features, 2 hidden layers: probabilities within 1e-5 of the trainer's, each summing to 1 within 1e-6`, async () => {
      const sizes = [3, 6, 5, 4];
      const net = buildNet(tf, sizes, act, 11);
      try {
        perturb(net, 5);
        const w = unpackWeights((await frameWeights(net))!, sizes)!;
        const n = 50;
        const x = Float32Array.from(randomSet(n, 3, 4, 9, 4).X);
        const want = trainerProbs(net, x, n, 3);
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const p = forwardPoint(w, act, x.subarray(3 * i, 3 * i + 3)).probs;
          let sum = 0;
          for (let c = 0; c < 4; c++) {
            worst = Math.max(worst, Math.abs(p[c] - want[4 * i + c]));
            sum += p[c];
          }
          assert.ok(Math.abs(sum - 1) <= 1e-6, `row ${i} sums to ${sum}`);
        }
        assert.ok(worst < 1e-5, `max |p - trainer p| = ${worst}`);
      } finally {
        disposeNet(net);
      }
    });
  }

  test("unit maps are the trainer's values on the boundary's grid (slice at the train means); outputs are its probabilities", async () => {
    const sizes = [3, 4, 2];
    const net = buildNet(tf, sizes, 'relu', 2);
    try {
      perturb(net, 8);
      const w = unpackWeights((await frameWeights(net))!, sizes)!;
      const bounds: Bounds = { xMin: -3, xMax: 2, yMin: -1, yMax: 4 };
      const means = [0.1, -0.2, 1.7];
      const res = 9;
      const maps = unitMaps(w, 'relu', bounds, res, drawnUnits(sizes, 16), means);
      // The trainer's grid (frames.ts gridInputs) and its probabilities.
      const grid = gridInputs(bounds, res, 3, Float64Array.from(means));
      const want = trainerProbs(net, grid, res * res, 3);
      for (let i = 0; i < res * res; i++) {
        for (let c = 0; c < 2; c++) assert.ok(Math.abs(maps.maps[2][c][i] - want[2 * i + c]) < 1e-5);
        // Inputs: features 1 and 2 vary over the grid, feature 3 sits at its mean.
        assert.ok(Math.abs(maps.maps[0][0][i] - grid[3 * i]) < 1e-5);
        assert.ok(Math.abs(maps.maps[0][1][i] - grid[3 * i + 1]) < 1e-5);
        assert.ok(Math.abs(maps.maps[0][2][i] - 1.7) < 1e-6);
        for (let u = 0; u < 4; u++) assert.ok(maps.maps[1][u][i] >= 0, 'relu units are never negative');
      }
      const [x, y] = gridPoint(bounds, res, 3, 5);
      assert.ok(Math.abs(x - grid[(3 * res + 5) * 3]) < 1e-5 && Math.abs(y - grid[(3 * res + 5) * 3 + 1]) < 1e-5);
      assert.ok(Math.abs(x - (-3 + 5 * (5 / 8))) < 1e-12 && Math.abs(y - (-1 + 3 * (5 / 8))) < 1e-12);
      // Ranges are the maps' extremes.
      const m = maps.maps[1][0];
      assert.deepEqual(maps.ranges[1][0], [Math.min(...m), Math.max(...m)]);
    } finally {
      disposeNet(net);
    }
  });

  test('wide layers: the view draws the first 16 units of each', () => {
    assert.deepEqual(drawnUnits([2, 8, 8, 4], 16).map((u) => u.length), [2, 8, 8, 4]);
    assert.deepEqual(drawnUnits([2, 40, 3], 16).map((u) => u.length), [2, 16, 3]);
    assert.deepEqual(drawnUnits([2, 40, 3], 16)[1].slice(0, 3), [0, 1, 2]);
  });

  test('softmax of huge logits stays finite and sums to 1', () => {
    const p = softmax([1000, 999, -1000]);
    assert.ok(p.every(Number.isFinite));
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-15);
  });
});

describe('the probe', () => {
  test("probabilities at a point are the trainer's there (sum 1 ± 1e-6)", async () => {
    const sizes = [2, 8, 8, 4];
    const net = buildNet(tf, sizes, 'none', 42);
    try {
      perturb(net, 3);
      const w = unpackWeights((await frameWeights(net))!, sizes)!;
      for (const [x, y] of [[0, 0], [-7.5, 9.25], [3.1, -2.2]]) {
        const p = probabilitiesAt(w, 'none', x, y);
        const want = trainerProbs(net, Float32Array.from([x, y]), 1, 2);
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= 1e-6);
        p.forEach((v, c) => assert.ok(Math.abs(v - want[c]) < 1e-5, `class ${c}: ${v} vs ${want[c]}`));
      }
    } finally {
      disposeNet(net);
    }
  });

  test('inputAt fills features 3.. with the means', () => {
    assert.deepEqual([...inputAt(1, 2, 4, [9, 9, 5, 6])], [1, 2, 5, 6]);
    assert.deepEqual([...inputAt(1, 2, 2)], [1, 2]);
  });

  test("near a sample: its row in the split, its true class and the frame's prediction; the grid's answer without weights", () => {
    const points = { xy: [0, 0, 5, 5, 10, 10], label: [0, 1, 2], total: 30, sampled: true, index: [4, 17, 29] };
    const toPx = (x: number, y: number): [number, number] => [x * 10, 100 - y * 10];
    assert.deepEqual(nearestSample(points, [0, 1, 2], toPx, 52, 48, 8), { drawn: 1, distPx: Math.hypot(2, 2) });
    assert.equal(nearestSample(points, [0, 1, 2], toPx, 30, 30, 8), undefined);
    // Only drawn points count.
    assert.equal(nearestSample(points, [0, 2], toPx, 52, 48, 8), undefined);

    const res = 3;
    const cls = Uint8Array.from([0, 0, 1, 0, 2, 1, 2, 2, 1]);
    const conf = Uint8Array.from([255, 200, 128, 255, 51, 100, 255, 255, 255]);
    const bounds: Bounds = { xMin: 0, xMax: 10, yMin: 0, yMax: 10 };
    assert.deepEqual(gridAnswer(cls, conf, bounds, res, 5.2, 4.9), { predicted: 2, confidence: 0.2 });
    const r = probe({
      x: 5, y: 5, activation: 'none', grid: { cls, conf, bounds, res },
      sample: { split: 'test', points, drawn: 1, distPx: 2, pred: Uint8Array.from([0, 2, 2]) },
    });
    assert.equal(r.source, 'grid');
    assert.equal(r.probs, undefined);
    assert.deepEqual(r.sample, { split: 'test', drawn: 1, row: 17, label: 1, predicted: 2, distPx: 2 });
  });

  test('base64 helpers keep float32 bytes (little-endian) through the frame encoding', () => {
    const f = Float32Array.from([1.5, -2.25, 3e-8]);
    const bytes = decodeBase64(packWeights([f]));
    assert.equal(bytes.length, 12);
    assert.equal(new DataView(bytes.buffer).getFloat32(4, true), -2.25);
    assert.equal(encodeBase64(bytes), packWeights([f]));
  });
});
