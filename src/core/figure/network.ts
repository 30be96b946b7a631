/**
 * The network as numbers the views draw: a frame's weights (protocol FrameEvent.weights)
 * decoded, the forward pass of one point or of a whole grid in plain TypeScript, and what
 * each unit computes over the boundary's grid (the network view's small heatmaps, the
 * probe's class probabilities).
 *
 * Why here and not in the trainer: the weights of these nets are small (132 numbers for
 * the notebook's 2-8-8-4), so sending them with each frame and evaluating in the view is
 * cheaper for the trainer than sending a map per unit, and lets the probe ask any point.
 * Arithmetic is float64 on the float32 weights the trainer used; the trainer computes in
 * float32, so values agree to ~1e-6 (test/unit/network.test.ts checks against its
 * forward pass). Pure: runs in Node and in the webview.
 */
import type { Bounds } from '../protocol';
import { decodeBase64, encodeBase64 } from './base64';

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';

/** One dense layer per entry: W is in x out, row-major (W[i * out + j]: input i to unit j). */
export interface NetWeights {
  /** Widths from input to output, e.g. [2, 8, 8, 4]. */
  sizes: number[];
  W: Float32Array[];
  b: Float32Array[];
}

export function paramCount(sizes: readonly number[]): number {
  let p = 0;
  for (let i = 0; i + 1 < sizes.length; i++) p += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return p;
}

/**
 * The frame encoding: every layer's W then b as little-endian float32, base64.
 * `params` is [W0, b0, W1, b1, ...] in that layout (the trainer's [1, in, out] tensors'
 * data is exactly this).
 */
export function packWeights(params: readonly ArrayLike<number>[]): string {
  let n = 0;
  for (const p of params) n += p.length;
  const f = new Float32Array(n);
  let o = 0;
  for (const p of params) {
    f.set(p, o);
    o += p.length;
  }
  return encodeBase64(littleEndianBytes(f));
}

/** Decodes `packWeights`' output for a net of `sizes`; undefined when the length does not match. */
export function unpackWeights(b64: string, sizes: readonly number[]): NetWeights | undefined {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(b64);
  } catch {
    return undefined;
  }
  const n = paramCount(sizes);
  if (sizes.length < 2 || bytes.length !== 4 * n) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const all = new Float32Array(n);
  for (let i = 0; i < n; i++) all[i] = view.getFloat32(4 * i, true);
  const W: Float32Array[] = [];
  const b: Float32Array[] = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const wn = sizes[l] * sizes[l + 1];
    W.push(all.subarray(o, o + wn));
    o += wn;
    b.push(all.subarray(o, o + sizes[l + 1]));
    o += sizes[l + 1];
  }
  return { sizes: [...sizes], W, b };
}

function littleEndianBytes(f: Float32Array): Uint8Array {
  const out = new Uint8Array(f.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f.length; i++) view.setFloat32(4 * i, f[i], true);
  return out;
}

export function activate(v: number, act: Activation): number {
  switch (act) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    default:
      return v;
  }
}

/** Softmax, shifted by the max so large logits do not overflow; sums to 1 within rounding. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const k = logits.length;
  const out = new Float64Array(k);
  let m = -Infinity;
  for (let i = 0; i < k; i++) if (logits[i] > m) m = logits[i];
  let s = 0;
  for (let i = 0; i < k; i++) s += out[i] = Math.exp(logits[i] - m);
  for (let i = 0; i < k; i++) out[i] /= s;
  return out;
}

export interface PointPass {
  /** Each hidden layer's outputs after the activation. */
  hidden: Float64Array[];
  logits: Float64Array;
  probs: Float64Array;
}

/** The forward pass of one input row (length sizes[0]). */
export function forwardPoint(w: NetWeights, act: Activation, x: ArrayLike<number>): PointPass {
  const L = w.W.length;
  const hidden: Float64Array[] = [];
  let a: ArrayLike<number> = x;
  for (let l = 0; l < L; l++) {
    const nIn = w.sizes[l];
    const nOut = w.sizes[l + 1];
    const W = w.W[l];
    const z = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) z[j] = w.b[l][j];
    for (let i = 0; i < nIn; i++) {
      const ai = a[i];
      if (ai === 0) continue;
      const row = i * nOut;
      for (let j = 0; j < nOut; j++) z[j] += ai * W[row + j];
    }
    if (l < L - 1) {
      for (let j = 0; j < nOut; j++) z[j] = activate(z[j], act);
      hidden.push(z);
    }
    a = z;
  }
  const logits = a as Float64Array;
  return { hidden, logits, probs: softmax(logits) };
}

/**
 * The model's input at plot coordinates (x, y): features 1 and 2, the rest at their train
 * means (the boundary grid's slice, frames.ts gridInputs).
 */
export function inputAt(x: number, y: number, d: number, means?: readonly number[]): Float64Array {
  const v = new Float64Array(d);
  v[0] = x;
  if (d > 1) v[1] = y;
  for (let j = 2; j < d; j++) v[j] = means?.[j] ?? 0;
  return v;
}

/** Grid point (row, col) of a res x res grid over `bounds`: row 0 at yMin, as frames.ts. */
export function gridPoint(bounds: Bounds, res: number, row: number, col: number): [number, number] {
  const dx = (bounds.xMax - bounds.xMin) / Math.max(1, res - 1);
  const dy = (bounds.yMax - bounds.yMin) / Math.max(1, res - 1);
  return [bounds.xMin + col * dx, bounds.yMin + row * dy];
}

/**
 * Which units the network view draws: all of a layer up to `maxUnits`, else the first
 * `maxUnits` (a stable choice: the same units at every epoch, so a replay compares like
 * with like). Index 0 is the input layer, the last the output layer.
 */
export function drawnUnits(sizes: readonly number[], maxUnits: number): number[][] {
  return sizes.map((n) => Array.from({ length: Math.min(n, Math.max(1, maxUnits)) }, (_, i) => i));
}

export interface UnitMaps {
  /** Grid points per axis. */
  res: number;
  /**
   * Per layer (0 = inputs, then each hidden layer, last = outputs), per drawn unit, the
   * unit's value at every grid point (row-major, row 0 at yMin): the input feature, the
   * hidden unit's activation, the output's class probability.
   */
  maps: Float32Array[][];
  /** Per layer, per drawn unit: the least and greatest value over the grid. */
  ranges: [number, number][][];
}

/**
 * Every drawn unit's value over a res x res grid on `bounds`, one forward pass per grid
 * point. Cost: res^2 x params multiply-adds (32^2 x 132 = 135k for the notebook's net).
 */
export function unitMaps(
  w: NetWeights,
  act: Activation,
  bounds: Bounds,
  res: number,
  drawn: number[][],
  means?: readonly number[],
): UnitMaps {
  const n = res * res;
  const L = w.sizes.length;
  const maps = drawn.map((units) => units.map(() => new Float32Array(n)));
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const [x, y] = gridPoint(bounds, res, r, c);
      const input = inputAt(x, y, w.sizes[0], means);
      const pass = forwardPoint(w, act, input);
      const i = r * res + c;
      for (let l = 0; l < L; l++) {
        const v = l === 0 ? input : l === L - 1 ? pass.probs : pass.hidden[l - 1];
        const units = drawn[l];
        for (let u = 0; u < units.length; u++) maps[l][u][i] = v[units[u]];
      }
    }
  }
  const ranges = maps.map((layer) =>
    layer.map((m) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < m.length; i++) {
        if (m[i] < lo) lo = m[i];
        if (m[i] > hi) hi = m[i];
      }
      return [lo, hi] as [number, number];
    }),
  );
  return { res, maps, ranges };
}

/** The weights into unit `j` of layer `l + 1` (from every unit of layer `l`), and its bias. */
export function incoming(w: NetWeights, l: number, j: number): { weights: number[]; bias: number } {
  const nIn = w.sizes[l];
  const nOut = w.sizes[l + 1];
  const weights: number[] = [];
  for (let i = 0; i < nIn; i++) weights.push(w.W[l][i * nOut + j]);
  return { weights, bias: w.b[l][j] };
}

/** Largest |weight| of layer `l`'s links among the drawn units (link widths are relative to it). */
export function maxAbsWeight(w: NetWeights, l: number, from: readonly number[], to: readonly number[]): number {
  const nOut = w.sizes[l + 1];
  let m = 0;
  for (const i of from) for (const j of to) m = Math.max(m, Math.abs(w.W[l][i * nOut + j]));
  return m;
}
