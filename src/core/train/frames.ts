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
import { readsSync, type Tf } from './backends';
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

/** Base64 characters of a frame at grid `resolution` with `points` drawn points (protocol FrameEvent). */
export function frameBytes(resolution: number, points: number, params = 0): number {
  const b64 = (n: number) => 4 * Math.ceil(n / 3);
  // cls, conf, margin per grid point; a class per drawn point; the weights (float32) when sent.
  const weights = params > 0 && params <= WEIGHTS_MAX_PARAMS ? b64(4 * params) : 0;
  return 3 * b64(resolution * resolution) + b64(points) + weights + 200;
}

/**
 * Per row of `z` (logits, K per row): the most likely class, its softmax probability and
 * its margin over the runner-up's, as bytes (probabilities x 255).
 */
export function topTwo(z: ArrayLike<number>, K: number, rows = Math.floor(z.length / Math.max(1, K))): { cls: Uint8Array; conf: Uint8Array; margin: Uint8Array } {
  const cls = new Uint8Array(rows);
  const conf = new Uint8Array(rows);
  const margin = new Uint8Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += K) {
    let b1 = 0;
    for (let j = 1; j < K; j++) if (z[o + j] > z[o + b1]) b1 = j;
    const top = z[o + b1];
    // One exp per other class: their sum gives p1, the largest is the runner-up's (exp is
    // monotonic), so p2 needs no second pass.
    let sum = 1; // exp(0) for the winner
    let e2 = 0;
    for (let j = 0; j < K; j++) {
      if (j === b1) continue;
      const e = Math.exp(z[o + j] - top);
      sum += e;
      if (e > e2) e2 = e;
    }
    const p1 = 1 / sum;
    cls[r] = b1;
    // Probabilities are in [0, 1]: no clamping needed; + 0.5 rounds.
    conf[r] = p1 * 255 + 0.5;
    margin[r] = (p1 - e2 * p1) * 255 + 0.5;
  }
  return { cls, conf, margin };
}

/** The class of each of `rows` rows of `z` (K logits each) from row `from`: the first of equal maxima, as ArgMax. */
export function argMaxRows(z: ArrayLike<number>, K: number, from: number, rows: number): Uint8Array {
  const out = new Uint8Array(rows);
  for (let r = 0, o = from * K; r < rows; r++, o += K) {
    let b = 0;
    for (let j = 1; j < K; j++) if (z[o + j] > z[o + b]) b = j;
    out[r] = b;
  }
  return out;
}

/**
 * The net's parameters for the frame (protocol FrameEvent.weights), or undefined above
 * WEIGHTS_MAX_PARAMS. The [1, in, out] weight tensors' data is already W row-major.
 */
export async function frameWeights(net: Net, sync = false): Promise<string | undefined> {
  let n = 0;
  for (const p of net.params) n += p.size;
  if (n > WEIGHTS_MAX_PARAMS) return undefined;
  // `sync` where reads are copies (wasm, js, native CPU): six copies beat six promises.
  // Awaited elsewhere: webgpu cannot read synchronously.
  if (sync) return packWeights(net.params.map((p) => p.dataSync() as Float32Array));
  return packWeights((await Promise.all(net.params.map((p) => p.data()))) as Float32Array[]);
}

export class FrameMaker {
  /**
   * The inputs of one frame as ONE tensor [1, grid² + drawn train + drawn test, d]: the
   * grid and the drawn points go through the net in a single forward pass and come back
   * in one read. On wasm/js a frame of the notebook's net costs what its kernel calls
   * cost (per-op overhead), not its arithmetic: one pass instead of three.
   */
  private readonly inputs: Tensor;
  /** The same with the coarser grid of intermediate frames, when it differs. */
  private readonly coarseInputs?: Tensor;
  private readonly nTrain: number;
  private readonly nTest: number;
  readonly slice?: string;
  /** Train means of every feature (the slice's fixed values), for the start event. */
  readonly means: Float64Array;

  /**
   * `coarseResolution`: the grid of intermediate frames (`frame(net, epoch, 'coarse')`), over
   * the same bounds; the full `resolution` is used for the first and the final frame.
   */
  constructor(
    private readonly tf: Tf,
    private readonly k: Kernels,
    readonly bounds: Bounds,
    readonly resolution: number,
    sets: { train: Dataset; test: Dataset; trainIdx: number[]; testIdx: number[]; featureNames: string[] },
    readonly coarseResolution = resolution,
  ) {
    const d = sets.train.d;
    const means = featureMeans(sets.train);
    this.means = means;
    this.slice = sliceNote(sets.featureNames);
    this.nTrain = sets.trainIdx.length;
    this.nTest = sets.testIdx.length;
    const points = [rowsOf(sets.train, sets.trainIdx), rowsOf(sets.test, sets.testIdx)];
    const upload = (res: number) => {
      const grid = gridInputs(bounds, res, d, means);
      const all = new Float32Array(grid.length + points[0].length + points[1].length);
      all.set(grid);
      all.set(points[0], grid.length);
      all.set(points[1], grid.length + points[0].length);
      return tf.keep(tf.tensor3d(all, [1, res * res + this.nTrain + this.nTest, d]));
    };
    this.inputs = upload(resolution);
    if (coarseResolution !== resolution) this.coarseInputs = upload(coarseResolution);
  }

  /**
   * The frame of `net` after `epoch` completed epochs, on the full or the coarse grid.
   * Async: its read-backs are awaited together (webgpu cannot read synchronously; a GPU
   * pays one sync for them).
   */
  async frame(net: Net, epoch: number, grid: 'full' | 'coarse' = 'full'): Promise<FrameEvent> {
    const { tf, k } = this;
    const coarse = grid === 'coarse' && this.coarseInputs !== undefined;
    const res = coarse ? this.coarseResolution : this.resolution;
    // Logits read back, softmax's top two on the host: one small forward on the device
    // and ~K exps per row here beat Softmax + TopK (or Max + ArgMax) kernels, which cost
    // more in per-op overhead than they compute. The points' predicted class is the same
    // top one (first of equal maxima, as ArgMax).
    const logitsT = tf.tidy(() => forward(k, net, coarse ? this.coarseInputs! : this.inputs).logits);
    const K = logitsT.shape[2] ?? 1;
    let z: ArrayLike<number>;
    let weights: string | undefined;
    try {
      [z, weights] = await Promise.all([logitsT.data(), frameWeights(net, readsSync(tf.getBackend()))]);
    } finally {
      tf.dispose(logitsT);
    }
    const cells = res * res;
    const { cls, conf, margin } = topTwo(z, K, cells);
    const ev: FrameEvent = {
      type: 'frame',
      epoch,
      resolution: res,
      bounds: this.bounds,
      cls: encodeBase64(cls),
      conf: encodeBase64(conf),
      margin: encodeBase64(margin),
      predTrain: encodeBase64(argMaxRows(z, K, cells, this.nTrain)),
      predTest: encodeBase64(argMaxRows(z, K, cells + this.nTrain, this.nTest)),
    };
    if (this.slice) ev.slice = this.slice;
    if (weights) ev.weights = weights;
    return ev;
  }

  dispose(): void {
    this.tf.dispose(this.inputs);
    if (this.coarseInputs) this.tf.dispose(this.coarseInputs);
  }
}

/**
 * The per-run budget of `boundary.every: "auto"`. The run's frames are recorded for the
 * view to play back at a human pace (training is faster than anyone can watch), so they
 * should cover the WHOLE run, densest early where the boundary moves most, at a bounded
 * cost in training time and in bytes (what crosses IPC and what the host keeps).
 */
export interface AutoFramePolicy {
  /** Most frames per run, the untrained and the final one included. */
  maxFrames: number;
  /** Most base64 bytes of frames per run: fewer frames on big grids. */
  maxBytes: number;
  /** Frames may take this share of the training time so far... */
  timeShare: number;
  /** ...plus this many milliseconds outright: a short run gets every epoch's frame. */
  baseMs: number;
  /** Intermediate frames use at most this grid resolution; the first and the final frame are full. */
  maxIntermediateResolution: number;
}

/**
 * 201 frames: a run of up to 200 epochs gets every epoch. Intermediate frames on a 51 x 51
 * grid (every other point of the default 101 x 101, the first and last at full
 * resolution): the view interpolates between grid points (heatmap.ts), so they look as
 * smooth, and cost a quarter: the notebook's 100 epochs train in ~80 ms on wasm, and 100
 * frames at 101 x 101 (~0.9 ms each) would more than double that; at 51 x 51 they add
 * about as much again on a loaded 2-core machine (`npm run bench`, "Frames"). `baseMs` lets a short
 * run have all its frames even on a machine several times as loaded; past it, frames get
 * a quarter of the training time. 10 MiB: the bound is in frames unless the grid and
 * point sets are large (a 501 x 501 frame is 1 MB).
 */
export const AUTO_FRAMES: AutoFramePolicy = {
  maxFrames: 201,
  maxBytes: 10 * 1024 * 1024,
  timeShare: 0.25,
  baseMs: 500,
  maxIntermediateResolution: 51,
};

/**
 * The epochs (completed-epoch counts, 0..epochs) that `auto` plans a frame for: all of
 * them when they fit in `maxFrames`, else the union of a geometric series from epoch 1
 * (dense early, where the boundary moves most) and an even spread over the whole run,
 * half the budget each. Always 0 and `epochs`. Ascending, no repeats, at most maxFrames.
 */
export function plannedFrameEpochs(epochs: number, maxFrames: number): number[] {
  const max = Math.max(2, Math.floor(maxFrames));
  if (epochs + 1 <= max) return Array.from({ length: epochs + 1 }, (_, i) => i);
  const inner = max - 2;
  const geo = Math.ceil(inner / 2);
  const lin = inner - geo;
  const set = new Set<number>([0, epochs]);
  for (let i = 1; i <= lin; i++) set.add(Math.round((epochs * i) / (lin + 1)));
  // Geometric from 1 to epochs; the first steps repeat small epochs, so walk until `geo`
  // distinct new epochs were added (or the series ends).
  const ratio = Math.pow(epochs, 1 / (geo + 1));
  let added = 0;
  for (let i = 1, x = 1; added < geo && i < 10 * max; i++, x *= ratio) {
    const e = Math.min(epochs, Math.max(1, Math.round(x)));
    if (e >= epochs) break;
    if (!set.has(e)) {
      set.add(e);
      added++;
    }
  }
  // Fill what the geometric series could not place (it stops at `epochs`), evenly.
  for (let e = 1; set.size < max && e < epochs; e++) set.add(e);
  return [...set].sort((a, b) => a - b).slice(0, max);
}

/**
 * Frame cadence.
 *
 * `every: N` → a frame after every N-th epoch (N, 2N, ...), at full resolution, whatever it costs (the user
 * asked for it; the host thins what it keeps, src/extension/frameBudget.ts).
 *
 * `"auto"` (default) → the planned epochs of `plannedFrameEpochs` under `AUTO_FRAMES`: a
 * frame is due once training reached the next planned epoch AND the frames so far cost at
 * most `baseMs + timeShare × training time` (time spent on frames not counted as training).
 * A frame the time budget defers is taken at the first epoch the budget allows; planned
 * epochs passed meanwhile are skipped, so a slow frame (the js backend, a big grid) thins
 * the frames out evenly instead of delaying the run. Intermediate frames are on a grid of at
 * most 51 x 51 (`gridFor`).
 *
 * Both: epoch 0 (the untrained model) and the last epoch always get a full-resolution frame.
 */
export class FrameClock {
  private lastEpoch = 0;
  private spentMs = 0;
  private next = 0;
  private readonly stride: number;
  private readonly plan: number[];
  private readonly policy: AutoFramePolicy;
  /** Frames the `auto` plan allows (after the byte budget). */
  readonly maxFrames: number;
  /** Grid resolution of intermediate frames. */
  readonly coarseResolution: number;

  constructor(
    private readonly every: number | 'auto',
    private readonly epochs: number,
    opts: { resolution?: number; points?: number; params?: number; policy?: AutoFramePolicy } = {},
  ) {
    const policy = opts.policy ?? AUTO_FRAMES;
    const res = opts.resolution ?? 101;
    const auto = every === 'auto';
    this.stride = auto ? 1 : Math.max(1, Math.floor(every));
    this.coarseResolution = auto ? Math.min(res, policy.maxIntermediateResolution) : res;
    const full = frameBytes(res, opts.points ?? 0, opts.params);
    const coarse = frameBytes(this.coarseResolution, opts.points ?? 0, opts.params);
    // Two full frames (first and last), the rest coarse.
    const byBytes = 2 + Math.floor(Math.max(0, policy.maxBytes - 2 * full) / coarse);
    this.maxFrames = Math.max(2, Math.min(policy.maxFrames, byBytes));
    this.plan = auto ? plannedFrameEpochs(epochs, this.maxFrames) : [];
    this.policy = policy;
  }

  /** Marks a frame sent after `completed` epochs; `costMs`: what computing it took. */
  sent(completed: number, costMs = 0): void {
    this.lastEpoch = completed;
    this.spentMs += costMs;
    while (this.next < this.plan.length && this.plan[this.next] <= completed) this.next++;
  }

  /**
   * Is a frame due after `completed` epochs? `elapsedMs`: time since training started
   * (pauses left out), frames included.
   */
  due(completed: number, elapsedMs = 0): boolean {
    if (completed >= this.epochs) return true;
    if (this.every !== 'auto') return completed % this.stride === 0 && completed !== this.lastEpoch;
    if (this.next >= this.plan.length || completed < this.plan[this.next]) return false;
    const training = Math.max(0, elapsedMs - this.spentMs);
    return this.spentMs <= this.policy.baseMs + this.policy.timeShare * training;
  }

  /** The grid a frame after `completed` epochs is drawn on: full for the first and the last. */
  gridFor(completed: number): 'full' | 'coarse' {
    return completed === 0 || completed >= this.epochs ? 'full' : 'coarse';
  }

  /** Milliseconds spent on frames so far. */
  get costMs(): number {
    return this.spentMs;
  }
}
