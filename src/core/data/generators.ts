/**
 * scikit-learn 1.2's toy dataset generators, `make_blobs`, `make_moons` and
 * `make_circles`, with the same arguments, defaults and order of random draws, so the
 * same `random_state` gives the same float64 numbers as
 * `sklearn.datasets.make_*(..., random_state=seed)`.
 *
 * Draw order (sklearn/datasets/_samples_generator.py, 1.2.1):
 *  - make_blobs: centres by `uniform(box[0], box[1], size=(n_centers, n_features))`
 *    (only when `centers` is a count or absent), then per centre, in order,
 *    `normal(loc=centers[i], scale=std[i], size=(n_i, n_features))`, then the shuffle.
 *  - make_moons / make_circles: points on the curves (no draws), the shuffle, then
 *    `normal(scale=noise, size=(n, 2))` added to X (only when noise is not null).
 *  - the shuffle is `sklearn.utils.shuffle` -> `resample(replace=False)`, i.e.
 *    `indices = arange(n); random_state.shuffle(indices); X = X[indices]`.
 */
import type { Dataset } from './dataset';
import { RandomState } from '../random/randomState';

/** Invalid generator arguments; the message says which and what is allowed. */
export class GeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorError';
  }
}

/** An int seeds a fresh RandomState (as sklearn's `check_random_state`); an instance is used as is. */
export type RandomStateLike = number | RandomState;

export interface GeneratedDataset extends Dataset {
  /** Number of classes: centres for make_blobs, 2 for moons/circles. */
  nClasses: number;
}

export interface BlobsDataset extends GeneratedDataset {
  /** The centres used (row-major nClasses x d), as `make_blobs(return_centers=True)`. */
  centers: Float64Array;
}

export interface MakeBlobsOptions {
  /** Total count (split evenly, remainder to the first centres) or one count per centre. Default 100. */
  n_samples?: number | readonly number[];
  /** Ignored when explicit centres are given (their length wins, as in sklearn). Default 2. */
  n_features?: number;
  /** Number of centres, explicit centre rows, or null (3, or one per `n_samples` entry). */
  centers?: number | readonly (readonly number[])[] | null;
  /** One standard deviation for all centres, or one per centre. Default 1.0. */
  cluster_std?: number | readonly number[];
  /** Box the random centres are drawn from. Default [-10, 10]. */
  center_box?: readonly [number, number];
  /** Default true. */
  shuffle?: boolean;
  random_state: RandomStateLike;
}

export interface MakeMoonsOptions {
  /** Total count (outer gets n // 2) or [n_outer, n_inner]. Default 100. */
  n_samples?: number | readonly [number, number];
  /** Default true. */
  shuffle?: boolean;
  /** Std of the Gaussian noise added to X; null (default) adds none and draws nothing. */
  noise?: number | null;
  random_state: RandomStateLike;
}

export interface MakeCirclesOptions extends MakeMoonsOptions {
  /** Inner circle radius relative to the outer one, in [0, 1). Default 0.8. */
  factor?: number;
}

export function makeBlobs(opts: MakeBlobsOptions): BlobsDataset {
  const rng = toRandomState(opts.random_state);
  const nSamplesArg = opts.n_samples ?? 100;
  const shuffle = opts.shuffle ?? true;
  const box = opts.center_box ?? [-10.0, 10.0];
  const stdArg = opts.cluster_std ?? 1.0;
  let d = opts.n_features ?? 2;

  let nCenters: number;
  let centers: Float64Array;
  let counts: number[];
  if (typeof nSamplesArg === 'number') {
    checkCount('n_samples', nSamplesArg, 1);
    const centersArg = opts.centers ?? 3;
    if (typeof centersArg === 'number') {
      checkCount('centers', centersArg, 1);
      checkCount('n_features', d, 1);
      checkBox(box);
      nCenters = centersArg;
      centers = rng.fillUniform(new Float64Array(nCenters * d), box[0], box[1]);
    } else {
      ({ centers, d } = checkCenters(centersArg));
      nCenters = centersArg.length;
    }
    // n_samples // n_centers each, the remainder one by one to the first centres.
    const base = Math.floor(nSamplesArg / nCenters);
    counts = Array.from({ length: nCenters }, (_, i) => base + (i < nSamplesArg % nCenters ? 1 : 0));
  } else {
    counts = checkCountList(nSamplesArg);
    nCenters = counts.length;
    const centersArg = opts.centers ?? null;
    if (centersArg === null) {
      checkCount('n_features', d, 1);
      checkBox(box);
      centers = rng.fillUniform(new Float64Array(nCenters * d), box[0], box[1]);
    } else if (typeof centersArg === 'number') {
      throw new GeneratorError(
        'make_blobs: when n_samples is a list (one count per centre), centers must be null or a list of centre coordinates, not a number',
      );
    } else {
      if (centersArg.length !== nCenters) {
        throw new GeneratorError(
          `make_blobs: n_samples has ${nCenters} counts but centers has ${centersArg.length} rows; give one count per centre`,
        );
      }
      ({ centers, d } = checkCenters(centersArg));
    }
  }

  const stds = checkStds(stdArg, nCenters);
  const n = counts.reduce((a, b) => a + b, 0);
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  let row = 0;
  for (let i = 0; i < nCenters; i++) {
    const ni = counts[i];
    rng.fillNormal(X, centers.subarray(i * d, i * d + d), stds[i], row * d, ni * d);
    y.fill(i, row, row + ni);
    row += ni;
  }
  const data: Dataset = shuffle ? shuffled({ X, y, n, d }, rng) : { X, y, n, d };
  return { ...data, nClasses: nCenters, centers };
}

export function makeMoons(opts: MakeMoonsOptions): GeneratedDataset {
  const [nOut, nIn] = splitTwo('make_moons', opts.n_samples ?? 100);
  const noise = checkNoise('make_moons', opts.noise ?? null);
  const rng = toRandomState(opts.random_state);
  const tOut = linspace(0, Math.PI, nOut, true);
  const tIn = linspace(0, Math.PI, nIn, true);
  const n = nOut + nIn;
  const X = new Float64Array(n * 2);
  for (let i = 0; i < nOut; i++) {
    X[2 * i] = Math.cos(tOut[i]);
    X[2 * i + 1] = Math.sin(tOut[i]);
  }
  for (let i = 0; i < nIn; i++) {
    const r = 2 * (nOut + i);
    X[r] = 1 - Math.cos(tIn[i]);
    X[r + 1] = 1 - Math.sin(tIn[i]) - 0.5;
  }
  return finishTwoClass(X, nOut, nIn, opts.shuffle ?? true, noise, rng);
}

export function makeCircles(opts: MakeCirclesOptions): GeneratedDataset {
  const factor = opts.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) {
    throw new GeneratorError(`make_circles: factor has to be between 0 and 1 (0 <= factor < 1), got ${factor}`);
  }
  const [nOut, nIn] = splitTwo('make_circles', opts.n_samples ?? 100);
  const noise = checkNoise('make_circles', opts.noise ?? null);
  const rng = toRandomState(opts.random_state);
  // endpoint=False so that the first point is not also the last.
  const tOut = linspace(0, 2 * Math.PI, nOut, false);
  const tIn = linspace(0, 2 * Math.PI, nIn, false);
  const n = nOut + nIn;
  const X = new Float64Array(n * 2);
  for (let i = 0; i < nOut; i++) {
    X[2 * i] = Math.cos(tOut[i]);
    X[2 * i + 1] = Math.sin(tOut[i]);
  }
  for (let i = 0; i < nIn; i++) {
    const r = 2 * (nOut + i);
    X[r] = Math.cos(tIn[i]) * factor;
    X[r + 1] = Math.sin(tIn[i]) * factor;
  }
  return finishTwoClass(X, nOut, nIn, opts.shuffle ?? true, noise, rng);
}

/** numpy 1.24 `linspace(start, stop, num, endpoint)` for scalars, same arithmetic. */
export function linspace(start: number, stop: number, num: number, endpoint: boolean): Float64Array {
  const y = new Float64Array(num);
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    // numpy special-cases a zero (denormal underflow) step: (i / div) * delta.
    for (let i = 0; i < num; i++) y[i] = (step === 0 ? (i / div) * delta : i * step) + start;
  } else {
    for (let i = 0; i < num; i++) y[i] = i * delta + start;
  }
  if (endpoint && num > 1) y[num - 1] = stop;
  return y;
}

/** `sklearn.utils.shuffle(X, y, random_state=rng)`: rows reordered by `rng.shuffle(arange(n))`. */
export function shuffled(ds: Dataset, rng: RandomState): Dataset {
  const idx = rng.permutation(ds.n);
  const { n, d } = ds;
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  // A plain gather loop: for a million rows this is several times faster than
  // copying row subarrays (no per-row view objects).
  for (let i = 0; i < n; i++) {
    const r = idx[i];
    y[i] = ds.y[r];
    for (let j = 0, src = r * d, dst = i * d; j < d; j++) X[dst + j] = ds.X[src + j];
  }
  return { X, y, n, d };
}

function finishTwoClass(
  X: Float64Array,
  nOut: number,
  nIn: number,
  shuffle: boolean,
  noise: number | null,
  rng: RandomState,
): GeneratedDataset {
  const n = nOut + nIn;
  const y = new Int32Array(n).fill(1, nOut);
  const data: Dataset = shuffle ? shuffled({ X, y, n, d: 2 }, rng) : { X, y, n, d: 2 };
  if (noise !== null) {
    // X += normal(scale=noise, size=X.shape): each draw is 0 + noise * gauss, then added.
    const Xd = data.X;
    for (let i = 0; i < Xd.length; i++) Xd[i] += 0 + noise * rng.standardNormal();
  }
  return { ...data, nClasses: 2 };
}

function toRandomState(rs: RandomStateLike): RandomState {
  if (rs instanceof RandomState) return rs;
  if (typeof rs === 'number') {
    if (!Number.isInteger(rs) || rs < 0 || rs > 0xffffffff) {
      throw new GeneratorError(`random_state must be an integer between 0 and 2**32 - 1, got ${rs}`);
    }
    return new RandomState(rs);
  }
  throw new GeneratorError('random_state must be an integer seed or a RandomState');
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new GeneratorError(`${name} must be a whole number >= ${min}, got ${v}`);
  }
}

function checkCountList(list: readonly number[]): number[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new GeneratorError('make_blobs: n_samples as a list needs one count per centre (at least one)');
  }
  list.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0) {
      throw new GeneratorError(`make_blobs: n_samples[${i}] must be a whole number >= 0, got ${v}`);
    }
  });
  if (list.reduce((a, b) => a + b, 0) < 1) {
    throw new GeneratorError('make_blobs: n_samples adds up to 0; ask for at least one sample');
  }
  return [...list];
}

function checkBox(box: readonly [number, number]): void {
  if (box.length !== 2 || !Number.isFinite(box[0]) || !Number.isFinite(box[1]) || !(box[0] < box[1])) {
    throw new GeneratorError(`make_blobs: center_box must be [low, high] with finite low < high, got [${box.join(', ')}]`);
  }
}

function checkCenters(rows: readonly (readonly number[])[]): { centers: Float64Array; d: number } {
  if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(rows[0]) || rows[0].length === 0) {
    throw new GeneratorError('make_blobs: centers must be a count or a non-empty list of coordinate rows');
  }
  const d = rows[0].length;
  const centers = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== d) {
      throw new GeneratorError(`make_blobs: centre ${i} has ${Array.isArray(r) ? r.length : 0} coordinates, centre 0 has ${d}; all centres need the same number`);
    }
    r.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new GeneratorError(`make_blobs: centers[${i}][${j}] must be a finite number, got ${v}`);
      centers[i * d + j] = v;
    });
  });
  return { centers, d };
}

function checkStds(std: number | readonly number[], nCenters: number): number[] {
  const list = typeof std === 'number' ? new Array<number>(nCenters).fill(std) : [...std];
  if (list.length !== nCenters) {
    throw new GeneratorError(`make_blobs: cluster_std has ${list.length} values for ${nCenters} centres; give one number or one per centre`);
  }
  list.forEach((s, i) => {
    if (!(Number.isFinite(s) && s >= 0)) {
      throw new GeneratorError(`make_blobs: cluster_std${typeof std === 'number' ? '' : `[${i}]`} must be a finite number >= 0, got ${s}`);
    }
  });
  return list;
}

function checkNoise(fn: string, noise: number | null): number | null {
  if (noise !== null && !(Number.isFinite(noise) && noise >= 0)) {
    throw new GeneratorError(`${fn}: noise must be null or a finite number >= 0, got ${noise}`);
  }
  return noise;
}

function splitTwo(fn: string, n: number | readonly [number, number]): [number, number] {
  if (typeof n === 'number') {
    checkCount(`${fn}: n_samples`, n, 1);
    const out = Math.floor(n / 2);
    return [out, n - out];
  }
  if (!Array.isArray(n) || n.length !== 2) {
    throw new GeneratorError(`${fn}: n_samples can be either a whole number or a two-element list [n_outer, n_inner]`);
  }
  checkCount(`${fn}: n_samples[0] (outer)`, n[0], 0);
  checkCount(`${fn}: n_samples[1] (inner)`, n[1], 0);
  if (n[0] + n[1] < 1) throw new GeneratorError(`${fn}: n_samples adds up to 0; ask for at least one sample`);
  return [n[0], n[1]];
}
