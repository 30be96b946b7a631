/**
 * Decision-boundary frames: class probabilities on a grid over the data's range, plus the
 * model's predictions for the drawn points.
 *
 * The grid spans min/max of features 1 and 2 over ALL data ± padding, `resolution`
 * points per axis, row-major with row 0 at yMin (the notebook's plot_decision_boundary).
 * With more than two features the grid is a slice: the other features are held at their
 * train means (said in `slice`). With one feature the y axis is a dummy [-1, 1].
 * The grid and point inputs are uploaded once and kept until `dispose()`.
 */

import type { Tensor } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import { drawIndices } from '../figure/sample';
import { encodeBase64 } from '../figure/base64';
import { packWeights } from '../figure/network';
import { WEIGHTS_MAX_PARAMS, type Bounds, type FrameEvent, type PointSet } from '../protocol';
import type { Tf } from './backends';
import type { Kernels } from './kernels';
import { forward, type Net } from './model';

export function dataBounds(all: Dataset, padding: number): Bounds {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < all.n; i++) {
    const x = all.X[i * all.d];
    const y = all.d > 1 ? all.X[i * all.d + 1] : 0;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  if (all.n === 0) [xMin, xMax, yMin, yMax] = [-1, 1, -1, 1];
  if (all.d === 1) [yMin, yMax] = [-1, 1];
  return { xMin: xMin - padding, xMax: xMax + padding, yMin: yMin - padding, yMax: yMax + padding };
}

/** Mean of every feature over `ds`. */
export function featureMeans(ds: Dataset): Float64Array {
  const m = new Float64Array(ds.d);
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < ds.d; j++) m[j] += ds.X[i * ds.d + j];
  for (let j = 0; j < ds.d; j++) m[j] = ds.n ? m[j] / ds.n : 0;
  return m;
}

/** Grid inputs [res², d], row-major, row 0 at yMin; extra features at `means`. */
export function gridInputs(bounds: Bounds, res: number, d: number, means: Float64Array): Float32Array {
  const out = new Float32Array(res * res * d);
  const dx = (bounds.xMax - bounds.xMin) / (res - 1);
  const dy = (bounds.yMax - bounds.yMin) / (res - 1);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const o = (r * res + c) * d;
      out[o] = bounds.xMin + c * dx;
      if (d > 1) out[o + 1] = bounds.yMin + r * dy;
      for (let j = 2; j < d; j++) out[o + j] = means[j];
    }
  }
  return out;
}

export function sliceNote(featureNames: string[]): string | undefined {
  const d = featureNames.length;
  if (d <= 2) return undefined;
  const held = d === 3 ? `${featureNames[2]} held at its train mean` : `${featureNames[2]}..${featureNames[d - 1]} held at their train means`;
  return `slice through ${featureNames[0]}, ${featureNames[1]}; ${held}`;
}

/**
 * A deterministic stratified random sample of at most `max` rows, for drawing
 * (`drawIndices`: seeded per-class subsets, proportional with a floor per class).
 */
export function samplePoints(ds: Dataset, max: number, seed?: number): { set: PointSet; idx: number[] } {
  const idx = drawIndices({ label: ds.y }, max, seed);
  const xy: number[] = new Array(idx.length * 2);
  const label: number[] = new Array(idx.length);
  idx.forEach((r, i) => {
    xy[2 * i] = ds.X[r * ds.d];
    xy[2 * i + 1] = ds.d > 1 ? ds.X[r * ds.d + 1] : 0;
    label[i] = ds.y[r];
  });
  const sampled = idx.length < ds.n;
  // A sample says which rows it drew, so the probe can name a point's row in its split.
  return { set: { xy, label, total: ds.n, sampled, ...(sampled ? { index: idx } : {}) }, idx };
}

function rowsOf(ds: Dataset, idx: number[]): Float32Array {
  const out = new Float32Array(idx.length * ds.d);
  idx.forEach((r, i) => {
    for (let j = 0; j < ds.d; j++) out[i * ds.d + j] = ds.X[r * ds.d + j];
  });
  return out;
}

/**
 * The net's parameters for the frame (protocol FrameEvent.weights), or undefined above
 * WEIGHTS_MAX_PARAMS. The [1, in, out] weight tensors' data is already W row-major.
 */
export function frameWeights(net: Net): string | undefined {
  let n = 0;
  for (const p of net.params) n += p.size;
  if (n > WEIGHTS_MAX_PARAMS) return undefined;
  return packWeights(net.params.map((p) => p.dataSync() as Float32Array));
}

export class FrameMaker {
  private readonly grid: Tensor;
  private readonly trainPts: Tensor;
  private readonly testPts: Tensor;
  readonly slice?: string;
  /** Train means of every feature (the slice's fixed values), for the start event. */
  readonly means: Float64Array;

  constructor(
    private readonly tf: Tf,
    private readonly k: Kernels,
    readonly bounds: Bounds,
    readonly resolution: number,
    sets: { train: Dataset; test: Dataset; trainIdx: number[]; testIdx: number[]; featureNames: string[] },
  ) {
    const d = sets.train.d;
    const means = featureMeans(sets.train);
    this.means = means;
    this.slice = sliceNote(sets.featureNames);
    const r2 = resolution * resolution;
    this.grid = tf.keep(tf.tensor3d(gridInputs(bounds, resolution, d, means), [1, r2, d]));
    this.trainPts = tf.keep(tf.tensor3d(rowsOf(sets.train, sets.trainIdx), [1, sets.trainIdx.length, d]));
    this.testPts = tf.keep(tf.tensor3d(rowsOf(sets.test, sets.testIdx), [1, sets.testIdx.length, d]));
  }

  /** The frame of `net` after `epoch` completed epochs. */
  frame(net: Net, epoch: number): FrameEvent {
    const { tf, k } = this;
    const [clsT, confT, prTr, prTe] = tf.tidy(() => {
      const p = k.softmax(forward(k, net, this.grid).logits);
      const conf = tf.engine().runKernel('Max', { x: p }, { reductionIndices: [2], keepDims: false }) as Tensor;
      const pred = (x: Tensor) => (x.shape[1] ? k.argMax(forward(k, net, x).logits, 2) : tf.zeros([0], 'int32'));
      return [k.argMax(p, 2), conf, pred(this.trainPts), pred(this.testPts)];
    });
    const toU8 = (t: Tensor) => Uint8Array.from(t.dataSync());
    const confF = confT.dataSync();
    const conf = new Uint8Array(confF.length);
    for (let i = 0; i < confF.length; i++) conf[i] = Math.round(Math.min(1, Math.max(0, confF[i])) * 255);
    const ev: FrameEvent = {
      type: 'frame',
      epoch,
      resolution: this.resolution,
      bounds: this.bounds,
      cls: encodeBase64(toU8(clsT)),
      conf: encodeBase64(conf),
      predTrain: encodeBase64(toU8(prTr)),
      predTest: encodeBase64(toU8(prTe)),
    };
    if (this.slice) ev.slice = this.slice;
    const weights = frameWeights(net);
    if (weights) ev.weights = weights;
    tf.dispose([clsT, confT, prTr, prTe]);
    return ev;
  }

  dispose(): void {
    this.tf.dispose([this.grid, this.trainPts, this.testPts]);
  }
}

/**
 * Frame cadence. `every: N` → every N epochs. `"auto"` → time-driven, whatever the
 * number of epochs: a frame when at least max(100 ms, 9 × the last frame's cost) has
 * passed since the last one ended, so ≤ 10 frames/s and frames never take more than
 * ~10 % of the time (a 101² grid costs ~2 ms on wasm but ~90 ms on the js backend).
 * There is no epoch stride: a long run (10⁶ epochs) gets a frame every ~100 ms from
 * the start instead of every epochs/50 epochs; the host thins a run's kept frames to
 * its budget (src/extension/frameBudget.ts). Epoch 0 (untrained) and the last epoch
 * always get one.
 */
export class FrameClock {
  private lastEpoch = 0;
  private lastTime = 0;
  private lastCost = 0;
  private readonly stride: number;
  constructor(
    private readonly every: number | 'auto',
    private readonly epochs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.stride = every === 'auto' ? 1 : Math.max(1, Math.floor(every));
  }
  /** Marks a frame sent after `completed` epochs; `costMs`: what computing it took. */
  sent(completed: number, costMs = 0): void {
    this.lastEpoch = completed;
    this.lastTime = this.now();
    this.lastCost = costMs;
  }
  /** Is a frame due after `completed` epochs? */
  due(completed: number): boolean {
    if (completed >= this.epochs) return true;
    if (completed - this.lastEpoch < this.stride) return false;
    return this.every !== 'auto' || this.now() - this.lastTime >= Math.max(100, 9 * this.lastCost);
  }
}
